"""Commands are normalised in one place (agentops.textnorm), before anything reads them."""

from __future__ import annotations

import pytest

from agentops.errors import InterpretError
from agentops.interpret import check_command
from agentops.textnorm import latin_lookalike, normalize_command


@pytest.mark.parametrize("text,name", [
    ("scale api\u202e in prod to 3", "RIGHT-TO-LEFT OVERRIDE"),
    ("restart\u200b api in dev", "ZERO WIDTH SPACE"),
    ("restart api in dev\u2066", "LEFT-TO-RIGHT ISOLATE"),
    ("\ufeffrestart api in dev", "ZERO WIDTH NO-BREAK SPACE"),
])
def test_invisible_and_bidi_characters_are_refused_by_name(text, name):
    with pytest.raises(InterpretError, match=name):
        normalize_command(text)


@pytest.mark.parametrize("text,reads_as", [
    ("d\u0435l\u0435t\u0435 database orders in prod", "delete"),   # Cyrillic ie
    ("scale api in \u0440rod to 3", "prod"),                        # Cyrillic er
    ("r\u0435start api in dev", "restart"),
    ("\u0455cale api in dev to 2", "scale"),                        # Cyrillic dze
])
def test_homoglyph_words_are_refused_with_what_they_read_as(text, reads_as):
    with pytest.raises(InterpretError) as err:
        check_command(text)
    assert repr(reads_as) in str(err.value)
    assert "CYRILLIC" in str(err.value)


def test_compatibility_forms_are_folded():
    assert normalize_command("\uff53\uff43\uff41\uff4c\uff45 api in dev to 3") == "scale api in dev to 3"
    assert normalize_command("scale api\u00a0in dev") == "scale api in dev"


def test_genuine_words_pass():
    # accented Latin letters and text wholly in another script are not disguises
    assert latin_lookalike("café") is None
    assert latin_lookalike("データベース") is None
    assert normalize_command("  restart the café-api in dev  ") == "restart the café-api in dev"


@pytest.mark.parametrize("text,message", [
    ("", "empty"), ("   ", "empty"), ("x" * 1001, "1001 characters"),
    ("scale api\x00 in dev", "control characters"), ("scale\napi", "control characters"),
    ("scale \ud800 api", "lone surrogate"),
])
def test_bad_commands_get_a_clear_error(text, message):
    with pytest.raises(InterpretError, match=message):
        check_command(text)
