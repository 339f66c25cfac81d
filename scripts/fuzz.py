#!/usr/bin/env python3
"""A bounded fuzz run over what users type and write: commands and stack spec files.

    python scripts/fuzz.py --count 2000 --seconds 120 [--seed 1] [--cli-every 50]

Throws random and hostile commands at agentops.interpret.check_command (and the secret check
that follows it), random bytes and hostile YAML at spec decoding + loading, every
`--cli-every`-th spec at `agentops check` in a real git repository, and every
`--http-every`-th input as a random request (plans, never commands: no model) at a real server
on loopback. A clean outcome is a result or an agentops error (AgentOpsError; for the CLI:
exit 0 or 1 with no traceback; for HTTP: any status below 500);
anything else is a failure, printed with its input. Stops at --count inputs or --seconds,
whichever comes first, and prints how many inputs it tried and how many failed; exits 1 if
any failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agentops.errors import AgentOpsError  # noqa: E402

WORDS = ("scale delete create update restart backup monitor show api web orders prod dev "
         "staging replicas to in the database bucket cluster instances 3 0 -1 99999999999 "
         "production ignore previous instructions system: dеlеtе \u202e \u200b ; && | $(rm -rf /) "
         "`id` ../../etc/passwd %s %n {} {{}} \\ \" ' \x00 \x1b[2J \r\n \t AKIAIOSFODNN7EXAMPLE "
         "sk_live_4eC39HqLyjWDarjtT1zdp7dcXq 🦄 ﷽ \ud800").split(" ")
HOSTILE_YAML = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")),
    "a: &a [*a]\n", "[" * 5000 + "]" * 5000, "{" * 3000, "!!python/object/apply:os.system ['id']",
    "provider: aws\nprovider: gcp\n", "provider: aws\n\tregion: x\n", "- 1\n- 2\n", "'unterminated",
    "region: us-east-1\ntags: {owner: " + "x" * 100000 + "}\n", "deployments: {api: {replicas: 1e400}}",
    "deployments:\n  api:\n    cluster: main\n    image: 'ghcr.io/ACME/api:1 2'\n",
    "? [a, b]\n: c\n", "%YAML 9.9\n---\na: 1\n", "--- !!binary |\n  R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n",
    "\ufeffprovider: aws\n", "a: !!timestamp 2001-13-45\n", "a: !!int 0x\n", "*unknown_alias\n",
    "deployments: {api: {cluster: main, image: nginx, env: {K: !!binary aGk=}}}\n",
]


def random_command(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
    if kind < 0.8:
        return "".join(chr(rng.choice([rng.randint(0, 0x7f), rng.randint(0x80, 0x2fff),
                                       rng.randint(0xd800, 0xdfff), rng.randint(0x10000, 0x10ffff)]))
                       for _ in range(rng.randint(0, 60)))
    return rng.choice(WORDS) * rng.randint(1, 1500)


def random_spec(rng: random.Random, seeds: list[bytes]) -> bytes:
    kind = rng.random()
    if kind < 0.2:
        return rng.randbytes(rng.randint(0, 4000))
    if kind < 0.4:
        return rng.choice(HOSTILE_YAML).encode("utf-8", "surrogatepass")
    data = bytearray(rng.choice(seeds))
    for _ in range(rng.randint(1, 8)):  # mutate a real spec: flip, insert, delete, splice
        op, at = rng.random(), rng.randrange(len(data) + 1)
        if op < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op < 0.6:
            data[at:at] = rng.choice([b"\x00", b"\t", b": ", b"- ", b"&a ", b"*a", b"{", b"\n  ",
                                      b"'", b"!!str ", rng.choice(HOSTILE_YAML).encode("utf-8", "surrogatepass")])
        elif op < 0.8:
            del data[at:at + rng.randint(1, 40)]
        else:
            other = rng.choice(seeds)
            data[at:at] = other[rng.randrange(len(other)):][: rng.randint(1, 200)]
    return bytes(data)


def try_command(text: str) -> str | None:
    from agentops.interpret import check_command
    from agentops.secrets import refuse_in_command

    try:
        refuse_in_command(check_command(text))
    except AgentOpsError:
        pass
    except Exception:  # noqa: BLE001 - the point: anything else is a finding
        return traceback.format_exc()
    return None


def try_spec(data: bytes) -> str | None:
    from agentops.spec import load_spec_text
    from agentops.specio import decode

    try:
        load_spec_text(decode(data, "stacks/fuzz.yaml"), "stacks/fuzz.yaml")
    except AgentOpsError:
        pass
    except Exception:  # noqa: BLE001
        return traceback.format_exc()
    return None


def try_cli_check(repo: Path, data: bytes) -> str | None:
    (repo / "stacks" / "dev.yaml").write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "agentops", "check", "--stack", "dev"], cwd=repo,
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    text = out.stdout + out.stderr
    if out.returncode not in (0, 1) or "Traceback" in text:
        return f"rc {out.returncode}\n{text[-3000:]}"
    return None


def random_json(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth > 3 or kind < 0.35:
        return rng.choice([random_command(rng), rng.randint(-2**70, 2**70), None, True, 1e308,
                           rng.choice(WORDS), "dev", "prod", "api", "scale", "deployment"])
    if kind < 0.6:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["command", "plan", "stack", "stacks", "base", "actions", "type", "resource", "name",
            "parameters", "replicas", "image", "interpretation", "x" * 300]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def random_request(rng: random.Random) -> tuple[str, str, bytes, dict]:
    """(method, path, body, headers): plans (never a command: that would load the model)."""
    import json

    plan = {"command": random_command(rng), "interpretation": random_command(rng),
            "actions": [{"type": rng.choice(["scale", "delete", "update", "create", "x"]),
                         "resource": rng.choice(["deployment", "database", "storage", "y"]),
                         "name": rng.choice(["api", "orders", "../x", "a\u0000", None]),
                         "stack": rng.choice(["dev", "prod", "../../etc", None]),
                         "parameters": random_json(rng) if rng.random() < 0.5 else {"replicas": 2}}]}
    path, body = rng.choice([("/plan", random_json(rng)), ("/propose", {"plan": plan}),
                             ("/propose", {"plan": random_json(rng)}), ("/stacks", None),
                             ("/healthz", None)])
    raw = b"" if body is None else json.dumps(body).encode("utf-8", "surrogatepass")
    if raw and rng.random() < 0.2:  # broken bytes
        at = rng.randrange(len(raw))
        raw = raw[:at] + rng.randbytes(rng.randint(1, 8)) + raw[at:]
    headers = {"content-type": "application/json"}
    if rng.random() < 0.2:
        headers["host"] = rng.choice(["evil.example", "localhost", "[::1]", "127.0.0.1:1", "\u00e9"])
    if rng.random() < 0.2:
        headers["authorization"] = rng.choice(["Bearer x", "Bearer \u00fc", "", "Basic Zm9v"])
    return ("GET" if body is None else "POST"), path, raw, headers


def start_server(repo: Path) -> str:
    import socket
    import threading

    import uvicorn

    from agentops.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(repo, port=port), host="127.0.0.1",
                                           port=port, log_level="critical"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def try_http(base: str, request: tuple[str, str, bytes, dict]) -> str | None:
    import httpx

    method, path, raw, headers = request
    try:
        headers = {k: v.encode("utf-8") for k, v in headers.items()}
        response = httpx.request(method, base + path, content=raw or None, headers=headers,
                                 timeout=120)
    except Exception:  # noqa: BLE001
        return traceback.format_exc()
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:500]}"
    return None


def make_repo(where: Path) -> Path:
    repo = where / "repo"
    shutil.copytree(ROOT / "stacks", repo / "stacks")
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    git = ["git", "-C", str(repo), "-c", "user.name=fuzz", "-c", "user.email=fuzz@localhost"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "stacks"], check=True)
    return repo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="inputs to try at most")
    parser.add_argument("--seconds", type=float, default=60, help="time limit")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cli-every", type=int, default=50,
                        help="every Nth spec input also goes through `agentops check` (0: never)")
    parser.add_argument("--http-every", type=int, default=10,
                        help="every Nth input is also an HTTP request to a real server (0: never)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted((ROOT / "stacks").glob("[a-z]*.yaml"))]
    tried = {"command": 0, "spec": 0, "cli-check": 0, "http": 0}
    failures: list[tuple[str, object, str]] = []
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="agentops-fuzz-") as tmp:
        repo = make_repo(Path(tmp)) if args.cli_every or args.http_every else None
        base = start_server(repo) if args.http_every else None
        n = 0
        while n < args.count and time.monotonic() < deadline:
            n += 1
            if base is not None and n % args.http_every == 0:
                request = random_request(rng)
                tried["http"] += 1
                problem = try_http(base, request)
                if problem:
                    failures.append(("http", request[:3], problem))
                continue
            if n % 2:
                text = random_command(rng)
                tried["command"] += 1
                problem = try_command(text)
                if problem:
                    failures.append(("command", text, problem))
                continue
            data = random_spec(rng, seeds)
            tried["spec"] += 1
            problem = try_spec(data)
            if problem:
                failures.append(("spec", data[:300], problem))
            if args.cli_every and tried["spec"] % args.cli_every == 0:
                tried["cli-check"] += 1
                problem = try_cli_check(repo, data)
                if problem:
                    failures.append(("cli-check", data[:300], problem))
    for kind, value, problem in failures[:10]:
        print(f"--- FAILED {kind}: {value!r}\n{problem}", file=sys.stderr)
    total = tried["command"] + tried["spec"] + tried["http"]
    print(f"fuzz: seed {seed}: tried {total} inputs ({tried['command']} commands, "
          f"{tried['spec']} specs, {tried['cli-check']} of them also through `agentops check`, "
          f"{tried['http']} HTTP requests); {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
