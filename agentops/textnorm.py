"""One place where a typed command becomes text the rest of agentops may trust.

Used by every way in (CLI, `--plan-file`, the HTTP API): `agentops.interpret.check_command`
calls `normalize_command`, and nothing downstream sees the raw string.

What it refuses, and why:
- bidirectional controls (U+202A-U+202E, U+2066-U+2069, ...) and zero-width or other format
  characters: they make the text a reviewer reads in a PR or a commit subject differ from the
  text the interpreter and git see ("Trojan Source");
- control characters (NUL, escapes, newlines): a command is one line of plain text;
- words written with letters of another script that look like Latin ones ("dеlеtе" with
  Cyrillic "е", "рrod"): a homoglyph can make a destructive or targeted word invisible to the
  guard while a person reads it as the real word. Refusing is safer than guessing either way.
  Text entirely in another script (a command in Greek or Japanese) is left alone: it cannot
  pass for an English command word, and the interpreter answers that it does not understand.

What it changes: NFKC compatibility folding (full-width "ｓｃａｌｅ" -> "scale", ligatures,
non-breaking spaces -> spaces), then surrounding whitespace is stripped.

The homoglyph table is Unicode's confusables data as shipped by the confusable-homoglyphs
package (no download at run time).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from agentops.errors import InterpretError

# Numbers people write as words ("two replicas", "every five minutes"), for every reader of
# commands (the guard's facts, a kind's reader of words).
_SAID = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "dozen": 12}
# Longest first: readers join the words into one alternation, where "six" must not match the
# start of "sixteen" or "sixty".
NUMBER_WORDS = dict(sorted(_SAID.items(), key=lambda item: -len(item[0])))

MAX_COMMAND_CHARS = 1000

_WORD = re.compile(r"\w+", re.UNICODE)


def _char_name(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}"


def normalize_command(command: str) -> str:
    """The command as agentops will read it, or an InterpretError naming what is wrong."""
    if not isinstance(command, str):
        raise InterpretError("the command must be text", hint="pass the command as a string")
    try:
        command.encode("utf-8")
    except UnicodeEncodeError:
        raise InterpretError(
            "the command contains characters that are not valid Unicode (a lone surrogate)",
            hint="type the command as plain text",
        ) from None
    invisible = sorted({c for c in command if unicodedata.category(c) == "Cf"})
    if invisible:
        raise InterpretError(
            "the command contains invisible or text-direction characters "
            f"({', '.join(_char_name(c) for c in invisible)}): what a reviewer reads could "
            "differ from what agentops reads",
            hint="retype the command as plain text (copying from chat or documents can carry them)",
        )
    text = unicodedata.normalize("NFKC", command).strip()
    if not text:
        raise InterpretError("the command is empty",
                             hint='say what to change, e.g. "scale api in prod to 4 replicas"')
    if len(text) > MAX_COMMAND_CHARS:
        raise InterpretError(
            f"the command is {len(text)} characters long; the limit is {MAX_COMMAND_CHARS}",
            hint="split it into shorter commands",
        )
    control = sorted({c for c in text if unicodedata.category(c) == "Cc"})
    if control:
        raise InterpretError(
            f"the command contains control characters ({', '.join(repr(c) for c in control)})",
            hint="type the command as one line of plain text",
        )
    for word in _WORD.findall(text):
        lookalike = latin_lookalike(word)
        if lookalike is not None:
            foreign = sorted({c for c in word if not c.isascii()})
            raise InterpretError(
                f"the word {word!r} mixes in letters from another script that look like Latin "
                f"ones ({', '.join(_char_name(c) for c in foreign)}); it reads as {lookalike!r}",
                hint=f"retype it as {lookalike!r} in plain letters if that is what you mean",
            )
    return text


def latin_lookalike(word: str) -> str | None:
    """The ASCII word `word` passes for, when it is written partly or wholly with non-Latin
    letters that look like Latin ones; None for plain ASCII and for genuine other-script words."""
    if word.isascii():
        return None
    table = _latin_homoglyphs()
    skeleton = []
    changed = False
    for c in word:
        if c.isascii():
            skeleton.append(c)
        elif c in table:
            skeleton.append(table[c])
            changed = True
        else:
            return None  # a letter with no Latin twin: a word of another language, not a disguise
    return "".join(skeleton) if changed else None


@lru_cache(maxsize=1)
def _latin_homoglyphs() -> dict[str, str]:
    """Non-ASCII character -> the ASCII letter or digit it is confusable with."""
    from confusable_homoglyphs import confusables

    table: dict[str, str] = {}
    for char, entries in confusables.confusables_data.items():  # public module data
        # Accented and other genuine Latin letters ("é" in "café") are not disguises.
        if len(char) != 1 or char.isascii() or unicodedata.name(char, "").startswith("LATIN"):
            continue
        for entry in entries:
            glyph = entry.get("c", "")
            if len(glyph) == 1 and glyph.isascii() and glyph.isalnum():
                table[char] = glyph.lower()
                break
    return table
