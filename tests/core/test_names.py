"""Finding 8 of issue 11: player ids and display names are checked, not trusted."""

from __future__ import annotations

import pytest

from glitchcart.core.names import MAX_DISPLAY_NAME, check_name, check_player_id, same_id
from glitchcart.errors import InvalidInput


@pytest.mark.parametrize("bad", [".", "..", "...", ".hidden", "-rf", "", "a/b", "a b"])
def test_path_and_option_like_player_ids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        check_player_id(bad)


@pytest.mark.parametrize(
    "good", ["alice", "1234567890", "a.b", "_x", "x_y-z.", "nullable", "none1"]
)
def test_ordinary_player_ids_pass(good: str) -> None:
    assert check_player_id(good) == good


@pytest.mark.parametrize(
    "reserved", ["null", "NULL", "Null", "undefined", "UNDEFINED", "none", "None", "nil", "NaN"]
)
def test_words_read_as_no_value_are_refused_as_player_ids(reserved: str) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        check_player_id(reserved)


def test_ids_that_differ_only_in_case_are_the_same_player() -> None:
    assert same_id("alice", "ALICE") and same_id("Straße", "STRASSE")
    assert not same_id("alice", "alice2")


@pytest.mark.parametrize(
    "bad",
    [
        "evil\u202egnp.exe",  # right-to-left override
        "a\u2066b",  # left-to-right isolate
        "zero\u200bwidth",  # zero-width space (format)
        "bell\x07",
        "new\nline",
        "x" * (MAX_DISPLAY_NAME + 1),
        "   ",
    ],
)
def test_hostile_display_names_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput):
        check_name(bad)


def test_markup_in_a_name_is_kept_as_text() -> None:
    """Stored as given; every surface escapes it where shown (tests per surface)."""
    hostile = "<img src=x onerror=alert(1)>"
    assert check_name(hostile) == hostile
    assert check_name("  Ann   Lee ") == "Ann Lee"
    assert check_name("Zoë 🦊") == "Zoë 🦊"
