"""Who is calling the API, and the record of what they asked for.

Tokens -> user names (`TokenBook`), from any of:
- a token file (`AGENTOPS_API_TOKENS_FILE`, or `agentops serve --tokens FILE`): one
  `USER TOKEN` pair per line, separated by blanks; `#` starts a comment line; blank lines
  are ignored. Example:
      # who      token
      alice      3f9c1d...long-random...
      chat-bot   a81be0...long-random...
- the environment: `AGENTOPS_API_TOKENS="alice=TOKEN1,chat-bot=TOKEN2"`;
- the single shared `AGENTOPS_API_TOKEN` (user name "api"), as before.
User names are [A-Za-z0-9._@+-], at most 64 characters (they land in commit messages); a
token is at least 8 characters and no two users share one.

The audit log (`AuditLog`) is JSON lines: time, user, endpoint, command, outcome, branch,
pr_url (and status). It lives in <git-common-dir>/agentops/audit.jsonl, beside the memory,
or at a configured path (`AGENTOPS_AUDIT_LOG`), never in the working tree (where it would be
committed). A request with a bad or missing token is logged as user null: the token itself is
never written anywhere.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from agentops.errors import AgentOpsError
from agentops.propose import USER_NAME

SHARED_TOKEN_USER = "api"
MIN_TOKEN_CHARS = 8
AUDIT_FILE = "audit.jsonl"


@dataclass(frozen=True)
class TokenBook:
    """Bearer tokens and the user each one names. Empty: no authentication configured."""

    users: tuple[tuple[bytes, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.users)

    def user_of(self, authorization: str | None) -> str | None:
        """The user a `Bearer TOKEN` header names, or None. Every token is compared (constant
        time, as bytes: a header is latin-1 text to the server, any byte may arrive)."""
        if authorization is None:
            return None
        given = authorization.encode("latin-1", errors="replace")
        found = None
        for token, user in self.users:
            if hmac.compare_digest(given, b"Bearer " + token):
                found = user
        return found

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]], where: str) -> "TokenBook":
        seen: dict[str, str] = {}
        for user, token in pairs:
            if not USER_NAME.fullmatch(user):
                raise AgentOpsError(f"{where}: {user[:40]!r} is not a valid user name",
                                    hint="use letters, digits and . _ @ + - (at most 64)")
            if len(token) < MIN_TOKEN_CHARS:
                raise AgentOpsError(f"{where}: the token of {user} is shorter than "
                                    f"{MIN_TOKEN_CHARS} characters",
                                    hint="use a long random token (e.g. `openssl rand -hex 32`)")
            if token in seen:
                raise AgentOpsError(f"{where}: {seen[token]} and {user} share a token",
                                    hint="give every user their own token")
            seen[token] = user
        return cls(tuple((t.encode("utf-8"), u) for t, u in seen.items()))

    @classmethod
    def read_file(cls, path: Path) -> "TokenBook":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AgentOpsError(f"cannot read the token file {path}: {exc}",
                                hint="one `USER TOKEN` pair per line") from None
        pairs = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split()
            if len(fields) != 2:
                raise AgentOpsError(f"{path}:{number}: expected `USER TOKEN`, found "
                                    f"{len(fields)} field(s)",
                                    hint="one user name and one token per line")
            pairs.append((fields[0], fields[1]))
        return cls.from_pairs(pairs, str(path))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None,
                 tokens_file: Path | None = None) -> "TokenBook":
        """The book the environment configures (see the module docstring); empty when none."""
        env = os.environ if env is None else env
        pairs: list[tuple[str, str]] = []
        path = tokens_file or (Path(env["AGENTOPS_API_TOKENS_FILE"])
                               if env.get("AGENTOPS_API_TOKENS_FILE") else None)
        if path is not None:
            pairs += [(u, t.decode("utf-8")) for t, u in cls.read_file(path).users]
        for item in filter(None, (p.strip() for p in env.get("AGENTOPS_API_TOKENS", "").split(","))):
            user, sep, token = item.partition("=")
            if not sep:
                raise AgentOpsError("AGENTOPS_API_TOKENS: expected USER=TOKEN pairs separated "
                                    "by commas", hint="e.g. alice=TOKEN1,bot=TOKEN2")
            pairs.append((user.strip(), token.strip()))
        if env.get("AGENTOPS_API_TOKEN"):
            pairs.append((SHARED_TOKEN_USER, env["AGENTOPS_API_TOKEN"]))
        return cls.from_pairs(pairs, "the API tokens") if pairs else cls()

    @classmethod
    def single(cls, token: str, user: str = SHARED_TOKEN_USER) -> "TokenBook":
        return cls(((token.encode("utf-8"), user),))


def audit_path(root: Path, env: dict[str, str] | None = None) -> Path:
    """Where the audit log goes: the configured path, else the repository's git dir."""
    from agentops.memory import memory_dir

    env = os.environ if env is None else env
    memory = memory_dir(root)
    if env.get("AGENTOPS_AUDIT_LOG"):
        path = Path(env["AGENTOPS_AUDIT_LOG"]).expanduser()
        _refuse_in_working_tree(root, path, memory)
        return path
    if memory is None:
        raise AgentOpsError(f"{root} is not inside a git repository: there is no place for "
                            "the API's audit log", hint="serve a git repository, or set "
                            "AGENTOPS_AUDIT_LOG to a file outside the working tree")
    return memory.parent / AUDIT_FILE


def _refuse_in_working_tree(root: Path, path: Path, memory: Path | None) -> None:
    """A log in the working tree would be committed with the next proposal's neighbours."""
    import subprocess

    out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True,
                         text=True)
    if out.returncode != 0 or not out.stdout.strip():
        return
    top = Path(out.stdout.strip()).resolve()
    target = path.resolve()
    git_dir = memory.parent.parent.resolve() if memory is not None else None
    inside_git_dir = git_dir is not None and target.is_relative_to(git_dir)
    if target.is_relative_to(top) and not inside_git_dir:
        raise AgentOpsError(f"AGENTOPS_AUDIT_LOG ({path}) is inside the working tree {top}",
                            hint="put the audit log outside the repository's files (or unset "
                                 "it: the default is <git dir>/agentops/audit.jsonl)")


class AuditLog:
    """Append-only JSON lines, one per request that reached an endpoint (or failed auth)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def write(self, **fields) -> None:
        from agentops import secrets
        from agentops.memory import now_iso

        record = {"time": now_iso(), **fields}
        if isinstance(record.get("command"), str):
            record["command"] = secrets.redact(record["command"][:2000])
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(line)

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines()
                if line.strip()]
