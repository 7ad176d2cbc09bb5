"""The free-action check and the listed-choice check: literals in, literals out."""

from __future__ import annotations

import pytest

from glitchcart.core.actions import check_action, offered
from glitchcart.core.turn import Choice
from glitchcart.errors import InvalidAction


def test_an_action_has_its_spacing_folded() -> None:
    assert check_action("  open \t the   door\n", 20) == "open the door"


def test_an_action_at_the_limit_passes_and_one_over_is_refused() -> None:
    assert check_action("x" * 5, 5) == "xxxxx"
    with pytest.raises(InvalidAction, match="at most 5 characters \\(got 6\\)"):
        check_action("x" * 6, 5)


def test_the_limit_counts_the_folded_text() -> None:
    assert check_action("a     b", 3) == "a b"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "must be text"),
        (42, "must be text"),
        ("", "cannot be empty"),
        ("   \n\t ", "cannot be empty"),
        ("ring\x07 the bell", "control characters"),
        ("go\u200bnorth", "control characters"),
    ],
)
def test_bad_actions_are_refused(text: object, message: str) -> None:
    with pytest.raises(InvalidAction, match=message):
        check_action(text, 100)


CHOICES = (Choice("left"), Choice("right"), Choice("wait", "wait"))


def test_a_listed_choice_is_found_by_its_number() -> None:
    assert offered(CHOICES, 1) == Choice("left")
    assert offered(CHOICES, 3) == Choice("wait", "wait")


@pytest.mark.parametrize("number", [0, 4, -1, True, "1", 1.0, None])
def test_a_number_off_the_list_is_refused(number: object) -> None:
    with pytest.raises(InvalidAction, match="from 1 to 3"):
        offered(CHOICES, number)
