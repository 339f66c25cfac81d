"""Experiment, not the shipped path: interpret with the grammar narrowed per command.

    python benchmarks/experiment_narrowed_grammar.py

The regex admits only the names the command mentions (existing ones, typo-corrected, or its
own words for a create), the stacks it names, the numbers and literal values it contains, and
no delete unless it asks for one; the outlines-core index is compiled per command over only
the vocabulary tokens that are substrings of the regex's literal pieces (a few hundred
tokens: ~30 ms). Prints exact match per split on evals/commands.yaml + evals/fresh.yaml, the
compile time and the per-command time, to compare with `agentops eval` on the shipped path.
"""

import re
import statistics
import time
from pathlib import Path

import outlines
from outlines_core import Index, Vocabulary

from agentops import generate as G
from agentops import interpret as I
from agentops.interpret.facts import ENUM_WORDS, PROVIDER_WORDS
from agentops.actionplan import ActionType, ResourceType
from agentops.config import load_config
from agentops.planline import INT_KEYS, MAX_ACTIONS, PARAM_PATTERNS, _alt, parse
from agentops.risk import apply_risk

_TOKENS = None
def token_table(llm, tokenizer):
    global _TOKENS
    if _TOKENS is None:
        t = {}
        for token, tid in tokenizer.vocabulary.items():
            s = tokenizer.convert_token_to_string(token)
            if s: t.setdefault(s, []).append(tid)
        t.pop(tokenizer.convert_token_to_string(tokenizer.eos_token), None)
        _TOKENS = (t, tokenizer.eos_token_id)
    return _TOKENS

def narrowed(facts, specs):
    text = facts.text
    types = [t.value for t in ActionType if t != ActionType.delete or (facts.destructive and not facts.injected)]
    names = sorted({n for s in specs.values() for n in s.names() if facts.mentions(n)} |
                   {w for w in re.findall(r"[a-z][a-z0-9-]*", text.lower()) if len(w) >= 2})
    stacks = facts.stacks or list(specs)
    ints = sorted({str(int(n)) for n in facts.numbers if float(n).is_integer()})
    nums = sorted({(str(int(n)) if float(n).is_integer() else str(n)) for n in facts.numbers})
    vals = {}
    for key, pat in PARAM_PATTERNS.items():
        if key in INT_KEYS: v = ints
        elif key == "threshold": v = nums
        elif key in ("region", "instance_type", "image", "cidr"):
            v = sorted({m.group(0) for m in re.finditer(pat, text if key == "image" else text.lower())})
        elif key == "provider": v = [p for p, ws in PROVIDER_WORDS.items() if any(w in facts.words for w in ws)]
        elif key in ENUM_WORDS and ENUM_WORDS[key]:
            v = [e for e, ws in ENUM_WORDS[key].items() if any(w in facts.words for w in ws)]
        elif key == "protocol": v = [p for p in ("tcp","udp","icmp","all") if p in facts.words]
        else: v = None  # keep the full pattern (kind, metric)
        vals[key] = v
    pieces = []
    def alt(vs): return _alt(vs)
    action = _alt(types) + " " + _alt(r.value for r in ResourceType)
    action += (f"( name={alt(names)})?" if names else "")
    action += f"( stack={alt(stacks)})?"
    corpus = [f" {t} {r.value}" for t in types for r in ResourceType] + [" ; ", "\n\n", " none", "none"]
    corpus += [f" name={n}" for n in names] + [f" stack={s}" for s in stacks]
    for key, v in vals.items():
        if v is None:
            action += f"( {key}={PARAM_PATTERNS[key]})?"
            enum = re.findall(r"[a-z]+", PARAM_PATTERNS[key])
            corpus += [f" {key}={e}" for e in enum]
        elif v:
            action += f"( {key}={alt(v)})?"
            corpus += [f" {key}={x}" for x in v]
    regex = f" (none|{action}( ; {action}){{0,{MAX_ACTIONS - 1}}})\n\n?"
    return regex, corpus

def substrings(corpus):
    out = set()
    for piece in corpus:
        for i in range(len(piece)):
            for j in range(i + 1, min(len(piece), i + 24) + 1):
                out.add(piece[i:j])
    return out
stats = {"compile": [], "vocab": []}


def run(self, command, workspace, stack=None):
    text = I.check_command(command)
    config = load_config(workspace.root)
    default_stack = workspace.resolve_stack(stack) if stack else None
    specs = workspace.load_all()
    facts = I.CommandFacts.of(text, list(specs))
    model = self._resolve(config.model)
    from agentops.model import load_llama
    llm = load_llama(model)
    if not hasattr(self, "_tok"):
        self._tok = outlines.from_llamacpp(llm, chat_mode=False).tokenizer
    table, eos = token_table(llm, self._tok)
    regex, corpus = narrowed(facts, specs)
    t = time.perf_counter()
    subs = substrings(corpus)
    vocab = {s: ids for s, ids in table.items() if s in subs}
    stats["vocab"].append(len(vocab))
    index = Index(regex, Vocabulary(eos, vocab))
    stats["compile"].append(time.perf_counter() - t)
    gen = G.ConstrainedGenerator.__new__(G.ConstrainedGenerator)
    gen.model, gen.regex, gen._pattern = model, regex, re.compile(regex)
    gen.processor = G.masking_processor(index)
    gen.llm = llm
    shots = self._shots(text, workspace)
    prompt = I.build_prompt(I.listing(specs), shots, text)
    result = gen(prompt, prefix=I.prompt_prefix(I.listing(specs)))
    actions = parse(result.text)
    warnings = []
    actions = I.guard(actions, facts, specs, default_stack, warnings)
    plan = I.compose(text, actions, specs, warnings)
    return I.Interpretation(apply_risk(plan, config), result.text.strip(), [c for c, _ in shots],
                            result.tokens, result.seconds)


def main() -> None:
    I.Interpreter.run = run
    from agentops.spec import Workspace
    from agentops.evaluate import load_eval_set, run_eval
    items = load_eval_set(Path('evals/commands.yaml')) + load_eval_set(Path('evals/fresh.yaml'))
    reps = run_eval(items, Workspace(Path('.')))
    print({k: f"{v.exact:.1%} ({sum(r.exact for r in v.results)}/{len(v.results)})" for k, v in reps.items()})
    print("compile median", statistics.median(stats["compile"]), "max", max(stats["compile"]), "vocab median", statistics.median(stats["vocab"]))
    print("per cmd", {k: statistics.median([r.seconds for r in v.results]) for k,v in reps.items()})


if __name__ == "__main__":
    main()
