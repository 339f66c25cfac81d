"""Train the interpreter's LoRA adapter for the default model (Gemma 3 270M, Q4_K_M GGUF).

    pip install -e ".[train]"
    python training/train_lora.py [--samples 3000] [--epochs 1] [--out agentops/data/adapters/...]

The training prompts are the interpreter's own (agentops.interpret.build_prompt), with the few-
shot examples its LanceDB index retrieves for each command, over synthetic repositories and
commands (training/synth.py) plus the curated examples. The base weights are the GGUF's own,
dequantised (training/gemma3.py), so the adapter is trained against exactly the weights
llama.cpp adds it to. Only the plan tokens are scored. No evaluation set is read.

The shipped adapter took 56 min on the 2-core development machine, sharing it with other
jobs (bf16 autocast on the CPU; the log prints steps and an estimate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gemma3  # noqa: E402
import synth  # noqa: E402
import written  # noqa: E402

from agentops.adapter import ADAPTER_FILE, ADAPTER_SHOTS, BASE_NAME_KEY, BASE_SIZE_KEY, write_sidecar  # noqa: E402
from agentops.interpret import build_prompt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Encoded:
    tokens: list[int]
    n_prompt: int


def retrieve_shots(samples, model, k: int, cache_dir: Path) -> list[list[tuple[str, str]]]:
    """The examples the interpreter would put in each prompt (itself excluded).

    Kept in `cache_dir` (--shots-cache; not committed) under a digest of everything they depend
    on (the model, the examples file, k and the commands): a resumed run, or one killed and
    started again, reads them back instead of spending a quarter of an hour retrieving them."""
    from importlib.resources import files

    from agentops.examples import EXAMPLES_FILE, ExampleIndex

    digest = hashlib.sha256(model.weights_key.encode("utf-8") + b"\0" + str(k).encode("utf-8") + b"\0"
                            + files("agentops").joinpath(EXAMPLES_FILE).read_bytes())
    for s in samples:
        digest.update(b"\0" + s.command.encode("utf-8"))
    cached = cache_dir / f"{digest.hexdigest()[:24]}.json"
    if cached.exists():
        print(f"  shots read back from {cached}", flush=True)
        return [[tuple(pair) for pair in shots] for shots in json.loads(cached.read_text())]
    index = ExampleIndex(model)
    out = []
    for i, s in enumerate(samples):
        vector = index.embedder(s.command)
        hits = [h for h in index.similar(vector, k + 1, s.command) if h.command != s.command][:k]
        out.append([(h.command, h.plan) for h in hits])
        if i % 500 == 0:
            print(f"  retrieved shots for {i}/{len(samples)}", flush=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(cached)
    return out


def encode(llm, prompt: str, plan: str) -> Encoded:
    # The prompt as llama.cpp reads it (with BOS), then the plan as the model writes it after
    # "Plan:": a leading space, the line, and the newline that stops generation.
    p = llm.tokenize(prompt.encode("utf-8"), add_bos=True)
    t = llm.tokenize((" " + plan + "\n").encode("utf-8"), add_bos=False)
    return Encoded(p + t, len(p))


def curated_samples(listing) -> list[synth.Sample]:
    from agentops.examples import curated_examples

    return [synth.Sample(listing, e.command, e.plan) for e in curated_examples()]


def batches(data: list[Encoded], size: int, rng: random.Random) -> list[list[Encoded]]:
    # Samples of one repository stay together (they share the prompt's prefix, computed once
    # per batch); padding at the end of a row is never attended to.
    groups = [data[i:i + size] for i in range(0, len(data), size)]
    rng.shuffle(groups)
    return groups


def shared_prefix(group: list[Encoded]) -> int:
    """Tokens every row starts with, stopping before the first scored position."""
    first = group[0].tokens
    n = min(e.n_prompt for e in group) - 1
    for e in group[1:]:
        i = 0
        while i < n and e.tokens[i] == first[i]:
            i += 1
        n = i
    return n


# Attention's memory grows with rows x width x width of a forward pass. Batches keep one
# repository's samples together and run their shared prompt prefix once, but a batch whose rows
# share little prompt (one that straddles two repositories) holds 8 full-width rows: the
# thirteen-set run was killed for memory twice between the same steps (24.3 GB resident on the
# 24 GiB machine). A batch past this many cells runs in chunks of rows whose gradients add up
# to the batch's; with it the run went past those steps at 12 GB.
MAX_ATTENTION_CELLS = 6_000_000


def attention_cells(chunk: list[Encoded]) -> int:
    """Score cells one forward of `chunk` holds per head and layer: the shared prefix once,
    each row's own part against its whole width."""
    width = max(len(e.tokens) for e in chunk)
    shared = shared_prefix(chunk) if len(chunk) > 1 else 0
    return shared * shared + len(chunk) * (width - shared) * width


def chunks(group: list[Encoded], budget: int = MAX_ATTENTION_CELLS) -> list[list[Encoded]]:
    """The batch in chunks of rows within `budget` (a row past it alone); rows sorted by their
    tokens first, so that each chunk shares the longest prefix it can."""
    out: list[list[Encoded]] = []
    current: list[Encoded] = []
    for e in sorted(group, key=lambda e: e.tokens):
        if current and attention_cells(current + [e]) > budget:
            out.append(current)
            current = []
        current.append(e)
    return out + [current]


def train_step(model, group: list[Encoded], budget: int = MAX_ATTENTION_CELLS) -> float:
    """Backpropagates the batch's mean loss per plan token, chunk by chunk (each chunk's summed
    loss over the batch's token count: the gradients add up to the whole batch's); returns it."""
    n_targets = sum(len(e.tokens) - e.n_prompt for e in group)
    total = 0.0
    for chunk in chunks(group, budget):
        loss = summed_loss(model, chunk) / n_targets
        loss.backward()
        total += loss.item()
    return total


def summed_loss(model, group: list[Encoded]) -> torch.Tensor:
    """The cross-entropy of every plan token of `group`, summed (train_step divides by the
    batch's count)."""
    width = max(len(e.tokens) for e in group)
    toks = torch.zeros(len(group), width, dtype=torch.long)
    shared = shared_prefix(group) if len(group) > 1 else 0
    rows, cols, targets = [], [], []
    for i, e in enumerate(group):
        toks[i, : len(e.tokens)] = torch.tensor(e.tokens)
        for j in range(e.n_prompt, len(e.tokens)):
            rows.append(i)
            cols.append(j - 1 - shared)
            targets.append(e.tokens[j])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        hidden = model.hidden_shared(toks, shared) if shared > 0 else model.hidden(toks)
        picked = hidden[torch.tensor(rows), torch.tensor(cols)]
        logits = (picked @ model.embed.T).float()
    return F.cross_entropy(logits, torch.tensor(targets), reduction="sum")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=3000)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "agentops" / ADAPTER_FILE)
    ap.add_argument("--init", type=Path, help="continue from this adapter (same rank) instead of zero")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--shots-cache", type=Path, default=ROOT / "training" / ".shots-cache",
                    help="folder keeping the retrieved few-shot examples between runs (not committed)")
    ap.add_argument("--checkpoint", type=Path, default=ROOT / "training" / "checkpoint",
                    help="folder for the resumable checkpoint (adapter + step), written every "
                         "--every steps; commit it to resume in a later session")
    ap.add_argument("--every", type=int, default=40)
    ap.add_argument("--resume", action="store_true",
                    help="continue the run recorded in --checkpoint (same arguments)")
    ap.add_argument("--stop-after", type=int, default=None,
                    help="stop (with a checkpoint) once this many steps of the run are done, as "
                         "an interrupted session would; --resume continues")
    ap.add_argument("--curated-copies", type=int, default=2,
                    help="copies of the curated examples in the training set")
    ap.add_argument("--written-copies", type=int, default=0,
                    help="copies of the commands people wrote (training/written/*.yaml, each "
                         "against its own repository) in the training set")
    ap.add_argument("--written-sets", nargs="+", metavar="NAME", default=None,
                    help="which written sets (training/written/NAME.yaml) to read; default: all")
    args = ap.parse_args()
    resumed_step = 0
    # The generator as it is when the data is made (later commits do not change this run's data).
    started_from = provenance(args.written_sets)
    if args.resume:
        state = json.loads((args.checkpoint / "state.json").read_text())
        recorded = state["args"]
        started_from = state.get("generator", started_from)
        for key in ("samples", "epochs", "batch", "rank", "alpha", "lr", "seed", "warmup", "curated_copies",
                    "written_copies", "written_sets"):
            if key in recorded:
                value = recorded[key]
                setattr(args, key, value if key == "written_sets" else type(getattr(args, key))(value))
        resumed_step = int(state["step"])
        if resumed_step >= int(state["total"]):
            # A finished run: its adapter is the checkpoint's. Write --out from it (the out file
            # of a run that ended in an earlier session may be gone with that machine).
            export(args, started_from)
            return
        print(f"resuming at step {resumed_step} of the run recorded in {args.checkpoint}", flush=True)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    from agentops.model import default_model_path, load_llama, resolve_model

    model_file = resolve_model()
    llm = load_llama(model_file)
    own = synth.this_repository().listing()
    samples = synth.generate(args.samples, seed=args.seed) + curated_samples(own) * args.curated_copies
    if args.written_copies:
        people = written.load_all(args.written_sets)
        print(f"{len(people)} written commands, {args.written_copies} copies", flush=True)
        samples += people * args.written_copies
    print(f"{len(samples)} samples; retrieving few-shot examples", flush=True)
    shots = retrieve_shots(samples, model_file, ADAPTER_SHOTS, args.shots_cache)
    data = [encode(llm, build_prompt(s.listing, sh, s.command), s.plan) for s, sh in zip(samples, shots)]
    print(f"mean length {sum(len(e.tokens) for e in data) / len(data):.0f} tokens", flush=True)

    net = gemma3.load(str(default_model_path()), rank=args.rank, alpha=args.alpha)
    for module in net.modules():  # frozen weights in bf16 once, not cast at every step
        if isinstance(module, gemma3.LoraLinear):
            module.weight = module.weight.to(torch.bfloat16)
    net.embed = net.embed.to(torch.bfloat16)
    if args.resume:
        gemma3.load_adapter(net, str(args.checkpoint / "adapter.gguf"))
    elif args.init:
        gemma3.load_adapter(net, str(args.init))
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    plan = []
    for _ in range(math.ceil(args.epochs)):
        plan += batches(data, args.batch, rng)
    plan = plan[: int(math.ceil(len(data) / args.batch) * args.epochs)]
    warmup = args.warmup
    start = time.time()
    # The data, its order and the schedule are fixed by the seed: a resumed run skips the
    # steps its checkpoint holds. AdamW's moments are not checkpointed (three times the
    # adapter's size in git); they rebuild within a few steps, which the warmup covers.
    for step, group in enumerate(plan):
        if step < resumed_step:
            continue
        if args.resume and step == resumed_step:
            warmup = step + args.warmup
        ramp = min(1.0, (step + 1 - (warmup - args.warmup)) / args.warmup)
        lr = args.lr * ramp * 0.5 * (1 + math.cos(math.pi * step / len(plan)))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = train_step(net, group)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        if step % 10 == 0:
            el = time.time() - start
            print(f"step {step}/{len(plan)} loss {loss:.4f} lr {lr:.2e} {el:.0f}s "
                  f"(eta {el / (step + 1) * (len(plan) - step - 1):.0f}s)", flush=True)
        if step and step % args.every == 0:
            save(net, args, model_file, started_from)
            checkpoint(net, args, model_file, step + 1, len(plan), time.time() - start, started_from)
        if args.stop_after is not None and step + 1 >= args.stop_after:
            checkpoint(net, args, model_file, step + 1, len(plan), time.time() - start, started_from)
            print(f"stopped after step {step + 1} of {len(plan)}: --resume continues", flush=True)
            return
    save(net, args, model_file, started_from)
    checkpoint(net, args, model_file, len(plan), len(plan), time.time() - start, started_from)
    print(f"trained in {time.time() - start:.0f}s -> {args.out}")


def export(args, generator: dict) -> None:
    """--out from the adapter of a finished run's checkpoint, with that run's arguments and
    generator: the same tensors, the same metadata its last step would have written."""
    from agentops.model import default_model_path, resolve_model

    net = gemma3.load(str(default_model_path()), rank=args.rank, alpha=args.alpha)
    gemma3.load_adapter(net, str(args.checkpoint / "adapter.gguf"))
    save(net, args, resolve_model(), generator)
    print(f"the run in {args.checkpoint} is finished; its adapter -> {args.out}")


def provenance(names: list[str] | None = None) -> dict:
    """The generator's commit, whether the work tree differed from it, and the written sets read
    (`names`, or every set) with a digest of each."""
    import subprocess

    def git(*argv: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *argv], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    # Changed tracked code or data, or a written set read that git does not know yet. Other
    # untracked files (a set being written beside the run, its repository) do not change the data.
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "training", "agentops/kinds",
                  "agentops/planline.py")
    paths = written.set_paths(names)
    unknown_sets = git("ls-files", "--others", "--", *map(str, paths)) if paths else ""
    sets = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in paths}
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(changed or unknown_sets), "written": sets}


def checkpoint(net, args, model_file, step: int, total: int, seconds: float, generator: dict) -> None:
    """The adapter so far and where the run stands, written atomically into args.checkpoint."""
    args.checkpoint.mkdir(parents=True, exist_ok=True)
    tmp = args.checkpoint / "adapter.tmp"
    gemma3.save_adapter(net, str(tmp), args.alpha, {BASE_NAME_KEY: model_file.path.name})
    tmp.replace(args.checkpoint / "adapter.gguf")
    state = {"step": step, "total": total, "seconds_this_session": round(seconds),
             "args": {k: v if v is None or isinstance(v, list) else str(v) for k, v in vars(args).items()
                      if k not in ("out", "checkpoint", "resume", "stop_after", "shots_cache")},
             "generator": generator,
             "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (args.checkpoint / "state.tmp").write_text(json.dumps(state, indent=1))
    (args.checkpoint / "state.tmp").replace(args.checkpoint / "state.json")


def save(net, args, model_file, generator: dict | None = None) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    meta = {
        BASE_NAME_KEY: model_file.path.name,
        BASE_SIZE_KEY: str(model_file.path.stat().st_size),
        "agentops.training": json.dumps({k: str(v) for k, v in vars(args).items()
                                         if k not in ("out", "shots_cache")}),
        "agentops.synth_sha": hashlib.sha256((ROOT / "training" / "synth.py").read_bytes()
                                             + (ROOT / "training" / "synth_kinds.py").read_bytes()).hexdigest()[:16],
        "agentops.generator": json.dumps(generator or provenance()),
    }
    gemma3.save_adapter(net, str(tmp), args.alpha, meta)
    tmp.replace(args.out)
    write_sidecar(args.out, model_file.path)


if __name__ == "__main__":
    main()
