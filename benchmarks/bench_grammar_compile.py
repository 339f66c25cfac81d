"""How long outlines-core takes to compile a grammar index for the default model, by grammar
and vocabulary size: the cost that decides whether the grammar can be narrowed per command.

    python benchmarks/bench_grammar_compile.py

Prints compile seconds for (a) the repository-wide plan-line grammar over the full vocabulary
(what a cold cache pays once), (b) the same over only the tokens made of the grammar's
characters, (c) a per-command narrowed grammar (literal names, stacks, numbers) over (b).
"""

from __future__ import annotations

import time

# A narrowed grammar of the kind per-command narrowing would build for "scale api in dev to 3
# replicas and restart web": literal names, stacks and numbers from the command and the specs.
NARROW = (r" (scale|update|restart) deployment( name=(api|web))?( stack=(dev|prod|staging))?"
          r"( replicas=(3|5))?( ; (scale|update|restart) deployment( name=(api|web))?"
          r"( stack=(dev|prod|staging))?( replicas=(3|5))?)?\n\n?")
ALPHABET = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 =;.:/_-\n")


def timed(regex: str, vocabulary) -> float:
    from outlines_core import Index

    start = time.perf_counter()
    Index(regex, vocabulary)
    return time.perf_counter() - start


def main() -> None:
    import outlines
    from outlines.backends.outlines_core import OutlinesCoreBackend
    from outlines_core import Vocabulary

    from agentops.model import load_llama, resolve_model
    from agentops.planline import grammar

    llm = load_llama(resolve_model())
    full = OutlinesCoreBackend(outlines.from_llamacpp(llm, chat_mode=False)).vocabulary
    tokenizer = outlines.from_llamacpp(llm, chat_mode=False).tokenizer
    reduced: dict[str, list[int]] = {}
    for token, token_id in tokenizer.vocabulary.items():
        text = tokenizer.convert_token_to_string(token)
        if text and set(text) <= ALPHABET:
            reduced.setdefault(text, []).append(token_id)
    reduced.pop(tokenizer.convert_token_to_string(tokenizer.eos_token), None)
    small = Vocabulary(tokenizer.eos_token_id, reduced)
    repo_grammar = grammar(["dev", "prod", "staging"])
    print(f"vocabulary: {len(tokenizer.vocabulary)} tokens; made of the grammar's characters: {len(reduced)}")
    print(f"(a) repository grammar, full vocabulary:    {timed(repo_grammar, full):6.2f} s")
    print(f"(b) repository grammar, reduced vocabulary: {timed(repo_grammar, small):6.2f} s")
    print(f"(c) narrowed grammar, reduced vocabulary:   {timed(NARROW, small):6.2f} s")


if __name__ == "__main__":
    main()
