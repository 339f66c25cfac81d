"""The one way spec bytes become spec text: strict UTF-8, no NUL or control characters.

A stack spec read from the work tree, from a git revision or from a caller goes through
`decode()` (bytes) or `check_text()` (text already decoded), so a binary file, a truncated
multi-byte character or a stray control byte is a `file:line:column` SpecError from every
command alike (check, plan, cost, scan, propose), never a UnicodeDecodeError or a YAML
reader traceback.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from agentops.errors import SpecError

# YAML's printable set (1.2, 5.1) less what no spec needs: tab, LF and CR are the only C0
# characters allowed; DEL, the C1 block, surrogates and U+FFFE/U+FFFF are refused.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_HINT = ("a stack spec is a UTF-8 text file: open it in an editor, remove the character (or "
         "restore the file with `git checkout -- FILE`)")


def decode(data: bytes, source: str) -> str:
    """Spec bytes -> text (a UTF-8 byte-order mark is dropped); SpecError naming
    source:line:column for anything that is not UTF-8 text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data[: exc.start].decode("utf-8", errors="replace"))
        raise SpecError(
            f"{source}:{line}:{col}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}): a stack spec must be a UTF-8 YAML file",
            hint=_HINT,
        ) from None
    return check_text(text, source)


MAX_SPEC_CHARS = 2_000_000
MAX_FLOW_DEPTH = 64  # ruamel's parser is quadratic in nesting: 5000 '[' took 23 s


def check_text(text: str, source: str) -> str:
    """`text` unchanged when it holds only characters a spec may, is not absurdly large and
    not nested absurdly deep; else a SpecError naming source:line:column."""
    if len(text) > MAX_SPEC_CHARS:
        raise SpecError(f"{source}:1:1: the spec is {len(text):,} characters long; the limit is "
                        f"{MAX_SPEC_CHARS:,}", hint="split the stack, or check what wrote this file")
    _check_depth(text, source)
    bad = _FORBIDDEN.search(text)
    if bad:
        line, col = _line_col(text[: bad.start()])
        raise SpecError(
            f"{source}:{line}:{col}: control character {bad.group()!r} "
            f"(U+{ord(bad.group()):04X}) in a stack spec",
            hint=_HINT,
        )
    return text


def _check_depth(text: str, source: str) -> None:
    # Counts brackets inside quoted strings too: a real spec never gets near the limit either way.
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return
    depth = 0
    for at, ch in enumerate(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                line, col = _line_col(text[:at])
                raise SpecError(f"{source}:{line}:{col}: brackets nested more than "
                                f"{MAX_FLOW_DEPTH} deep", hint="a stack spec is a few levels deep")
        elif ch in "]}" and depth:
            depth -= 1


def read(path: Path, source: str) -> str:
    """The text of the spec file at `path` (see decode())."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError(f"{source}: cannot read the spec: {exc.strerror}") from None
    return decode(data, source)


def _line_col(before: str) -> tuple[int, int]:
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def yaml_failure(exc: BaseException, source: str) -> SpecError:
    """A YAML reader failure that carries no position (a reader or composer error, nesting too
    deep for the parser) as a SpecError naming the file, never a traceback."""
    if isinstance(exc, RecursionError):
        return SpecError(f"{source}:1:1: the YAML is nested too deeply to read",
                         hint="a stack spec is a few levels of mappings: fix the file")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else f"{source}:1:1"
    problem = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return SpecError(f"{where}: not readable as YAML: {problem}",
                     hint="fix the YAML at that position (`git diff` shows what changed)")


def decode_blob(blob, source: str) -> str:
    """A spec committed in git (a GitPython Blob) -> text; a committed symlink is refused."""
    if blob.mode == 0o120000:
        raise SpecError(f"{source}: the committed spec is a symbolic link, not a file",
                        hint="commit the spec itself in place of the link")
    return decode(blob.data_stream.read(), source)


MAX_NODES = 100_000  # a big stack has a few thousand; YAML aliases can multiply without end


def check_size(doc, source: str) -> None:
    """Refuse a document that expands (through aliases: "billion laughs") to more than
    MAX_NODES values, before anything walks it whole; the walk stops at the budget."""
    budget = MAX_NODES
    stack = [doc]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise SpecError(f"{source}:1:1: the YAML expands to more than {MAX_NODES} values "
                            f"(anchors and aliases repeating each other?)",
                            hint="a stack spec is a few levels of plain mappings: write it out")
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
