"""Secret detection: known credential formats and high-entropy values.

One detector, used wherever a value could leak:
- the mandatory policy rule `no-plaintext-secrets` (agentops.policy_rules) over deployment env
  values, tags, labels, annotations and parameters in the resource graph (check, scan, plan,
  propose, and CI's `pulumi preview`);
- `redact()` over every plan format and PR body (agentops.planrender, agentops.propose);
- `refuse_in_command()`: a secret typed into a command is refused before it can reach a branch
  name, a commit message or the memory.

A value is flagged by a known format (AWS access key ids, Stripe-style sk_live_/sk-live-,
GitHub tokens, Slack tokens, PEM private keys, JWTs, OpenAI-style sk- keys) or by looking like
a random token: long, mixed letters and digits, high Shannon entropy. Hex digests written as
`sha256:<hex>` (image digests), UUIDs and git commit ids are not secrets and are not flagged.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterator

from agentops.errors import AgentOpsError

# (kind, pattern): the first match of each names the finding.
FORMATS: list[tuple[str, re.Pattern]] = [
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA|AGPA)[0-9A-Z]{16}\b")),
    ("Stripe-style live/test key", re.compile(r"\b(?:sk|rk|pk)[-_](?:live|test)[-_][0-9A-Za-z]{8,}")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("Slack token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}")),
    ("JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")),
    ("API key (sk-...)", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{24,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
]
# Candidate tokens for the entropy test: base64/base64url/hex runs.
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_NOT_SECRET = [
    re.compile(r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),  # UUID
    re.compile(r"^[0-9a-f]{40}$"),  # a git commit id
    re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"),  # lowercase words: names, slugs, ami-0abc...
]
_DIGEST_BEFORE = re.compile(r"(?:sha256|sha384|sha512):$")
# Env keys that name a secret: any literal value of length >= 8 in them is suspect.
SECRET_KEY_NAMES = re.compile(r"(?i)(passw(or)?d|secret|token|api[-_]?key|private[-_]?key|"
                              r"access[-_]?key|credential)")
ENTROPY_BITS = 3.5  # per character, for a token of 20+ characters
MIN_ENTROPY_LENGTH = 20


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def entropy(text: str) -> float:
    """Shannon entropy of `text`, in bits per character."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def find(text: str) -> list[Finding]:
    """Every secret-looking span in `text`, in order, not overlapping."""
    spans: list[Finding] = []
    for kind, pattern in FORMATS:
        for m in pattern.finditer(text):
            spans.append(Finding(kind, m.start(), _pem_end(text, m) if kind == "private key" else m.end()))
    for m in _TOKEN.finditer(text):
        token = m.group().strip("=-_")
        body = token.rstrip("=")
        if "=" in body:
            # "DEFAULT_BITRATE=128k", "PASSWORD=hunter2hunter2": a key and its value, each
            # judged on its own; a value under a key that names a secret is one
            key, _, value = body.partition("=")
            start = m.start() + m.group().index(body) + len(key) + 1
            if SECRET_KEY_NAMES.search(key) and len(value) >= 8:
                spans.append(Finding(f"a literal value in {key}", start, start + len(value)))
            elif _random_looking(value.strip("-_")) or _random_looking(key.strip("-_")):
                spans.append(Finding("high-entropy value", m.start(), m.end()))
            continue
        if _random_looking(token) and not _DIGEST_BEFORE.search(text[: m.start()]):
            spans.append(Finding("high-entropy value", m.start(), m.end()))
    out: list[Finding] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end:
            continue
        out.append(span)
    return out


def flagged(text: str, key: str | None = None) -> str | None:
    """The kind of secret `text` holds (None if none). With `key` (an env var or tag name
    that names a secret: PASSWORD, API_KEY, ...), any literal value of 8+ characters counts."""
    found = find(text)
    if found:
        return found[0].kind
    value = text.strip()
    if (key and SECRET_KEY_NAMES.search(key) and len(value) >= 8 and not re.search(r"\s|://|\$\{", value)
            and not _NOT_SECRET[2].match(value)):
        return f"a literal value in {key}"
    return None


def redact(text: str) -> str:
    """`text` with every secret-looking span replaced by [redacted <kind>]."""
    spans = find(text)
    if not spans:
        return text
    out, at = [], 0
    for span in spans:
        out += [text[at:span.start], f"[redacted {span.kind}]"]
        at = span.end
    out.append(text[at:])
    return "".join(out)


def redact_data(data: Any) -> Any:
    """Every string in a JSON-like structure (dicts, lists, pydantic dumps) redacted."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: redact_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_data(v) for v in data]
    if isinstance(data, tuple):
        return tuple(redact_data(v) for v in data)
    return data


class SecretInCommandError(AgentOpsError):
    """A command (or a plan's command) holds something that looks like a credential."""


def refuse_in_command(command: str) -> None:
    """Raise SecretInCommandError when `command` holds a secret-looking value: it would be
    written into a branch name, a commit message and the memory."""
    kind = flagged(command)
    if kind:
        raise SecretInCommandError(
            f"the command contains what looks like a secret ({kind}); secrets never go into "
            f"commands, branch names, commits or memory, so nothing was done",
            hint="store it as a Pulumi secret (`pulumi config set --secret KEY VALUE` in "
                 "stacks/) and reference the key from the deployment's secret_env",
        )


# --- the policy rule (declared in agentops.policy_rules) --------------------------------------

POLICY_NAME = "no-plaintext-secrets"
POLICY_DESCRIPTION = ("No plaintext secrets in deployment env values, tags, labels, annotations "
                      "or parameters: keep them in Pulumi secret config (secret_env).")
_SKIP_TYPES = {"kubernetes:core/v1:Secret"}  # where secret_env's values belong


def plaintext_secrets(args, report_violation) -> None:
    """CrossGuard resource validation: report every plaintext secret in the resource's env
    values, tags, labels, annotations and parameters, naming where, never the value."""
    if args.resource_type in _SKIP_TYPES:
        return
    for where, key, value in _scanned_values(args.props or {}):
        kind = flagged(value, key)
        if kind:
            report_violation(
                f"'{args.name}' has a plaintext secret ({kind}) in {where}; move it to Pulumi "
                f"secret config (`pulumi config set --secret`) and reference it from secret_env")


def _scanned_values(props) -> Iterator[tuple[str, str | None, str]]:
    # `props` is pulumi_policy's proxy in CrossGuard (mapping-like, not a dict): duck typing.
    for field in ("tags", "tagsAll", "tags_all"):
        for key, value in _items(props.get(field)):
            if isinstance(value, str):
                yield f"tag {key}", key, value
    template = _get(_get(props, "spec"), "template")
    for meta in (_get(props, "metadata"), _get(template, "metadata")):
        for field in ("labels", "annotations"):
            for key, value in _items(_get(meta, field)):
                if isinstance(value, str):
                    yield f"{field[:-1]} {key}", key, value
    for container in _list(_get(_get(template, "spec"), "containers")):
        for item in _list(_get(container, "env")):
            if isinstance(_get(item, "value"), str):
                yield f"env {_get(item, 'name')}", _get(item, "name"), item.get("value")
    for item in _list(props.get("parameters")):
        if isinstance(_get(item, "value"), str):
            yield f"parameter {_get(item, 'name')}", _get(item, "name"), item.get("value")


def _get(node, key: str):
    return node.get(key) if hasattr(node, "get") and not isinstance(node, str) else None


def _items(node) -> list:
    return list(node.items()) if hasattr(node, "items") and not isinstance(node, str) else []


def _list(node) -> list:
    return list(node) if node is not None and not isinstance(node, (str, bytes)) and \
        not hasattr(node, "items") and hasattr(node, "__iter__") else []


_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]{2,}|[A-Z]{2,}(?![a-z])")


def _identifier_like(token: str) -> bool:
    """Made of words, as identifiers and type tokens are ("s3/bucketPublicAccessBlock",
    "PodDisruptionBudget"): at most two digits and nine letters in ten inside camel-case
    words. About 1% of random 20-48 character base64 tokens pass this test; a random token
    rarely reads as words."""
    letters = sum(c.isalpha() for c in token)
    in_words = sum(len(m.group()) for m in _CAMEL_WORD.finditer(token))
    return sum(c.isdigit() for c in token) <= 2 and in_words >= 0.9 * max(1, letters)


def _random_looking(token: str) -> bool:
    if len(token) < MIN_ENTROPY_LENGTH or any(p.match(token) for p in _NOT_SECRET):
        return False
    if _identifier_like(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_upper = any(c.isupper() for c in token)
    has_lower = any(c.islower() for c in token)
    if re.fullmatch(r"[0-9a-fA-F]+", token):  # hex keys: long and dense
        return len(token) >= 32 and entropy(token) >= 3.0
    return has_digit and has_upper and has_lower and entropy(token) >= ENTROPY_BITS


def _pem_end(text: str, m: re.Match) -> int:
    # A PEM block: redact through its END line, whatever lies between.
    end = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----").search(text, m.end())
    return end.end() if end else len(text)


def redact_model(model):
    """A pydantic model with every string redacted (a new instance; the model is unchanged)."""
    data = model.model_dump(mode="json")
    clean = redact_data(data)
    return model if clean == data else type(model).model_validate(clean)
