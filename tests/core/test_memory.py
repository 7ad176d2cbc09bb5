"""The story so far in a few lines, and lore chosen by trigger words: literals in, literals out."""

from __future__ import annotations

from glitchcart.core.cartridge import LoreEntry
from glitchcart.core.memory import (
    estimate_tokens,
    extractive_summary,
    select_lore,
    summary_lines,
)

TOWER = LoreEntry(("tower", "KVOX"), "The KVOX tower has been off the air since 1987.")
NUMBERS = LoreEntry(("numbers", "radio"), "The numbers are coordinates.")
DALE = LoreEntry(("Dale",), "Dale is the director; he never takes off his sunglasses.")
MOTEL = LoreEntry(("room nine", "neon sign"), "Room nine was never rented.")


def test_estimate_tokens_is_about_four_characters_each() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


def test_extractive_summary_keeps_everything_that_fits() -> None:
    assert extractive_summary((), ("arrived", "searched the shack"), 100) == (
        "arrived. searched the shack."
    )


def test_extractive_summary_keeps_the_beginning_and_the_newest_lines() -> None:
    events = ("arrived at the tower", "searched the shack", "fled the coyote", "found a key")
    expected = "arrived at the tower. … fled the coyote. found a key."
    assert len(expected) == 53
    assert extractive_summary((), events, 53) == expected
    assert extractive_summary((), events, 52) == "arrived at the tower. … found a key."


def test_extractive_summary_folds_into_a_previous_summary_without_repeats() -> None:
    previous = summary_lines("arrived. … fled the coyote. found a key.")
    assert previous == ("arrived", "fled the coyote", "found a key")
    assert extractive_summary(previous, ("found a key", "  climbed   the fence. "), 200) == (
        "arrived. fled the coyote. found a key. climbed the fence."
    )


def test_extractive_summary_never_exceeds_its_budget() -> None:
    events = tuple(f"event number {i} happened somewhere" for i in range(200))
    summary = extractive_summary((), events, 300)
    assert len(summary) <= 300
    assert summary.startswith("event number 0 happened somewhere. …")
    assert summary.endswith("event number 199 happened somewhere.")


def test_extractive_summary_of_nothing_is_empty() -> None:
    assert extractive_summary((), ("", "   "), 100) == ""


def test_lore_is_chosen_by_whole_trigger_words_case_insensitively() -> None:
    lore = (TOWER, NUMBERS, DALE, MOTEL)
    assert select_lore(lore, ["You climb the Tower."]) == (TOWER,)
    assert select_lore(lore, ["the towering cliffs"]) == ()
    assert select_lore(lore, ["Where is dale?"]) == (DALE,)


def test_lore_phrases_match_as_phrases() -> None:
    lore = (MOTEL,)
    assert select_lore(lore, ["the door of Room  Nine is open"]) == (MOTEL,)
    assert select_lore(lore, ["nine rooms, one door"]) == ()


def test_lore_with_more_matches_comes_first_then_cartridge_order() -> None:
    lore = (TOWER, NUMBERS, DALE)
    context = ["Dale hears numbers on the radio", "the tower hums"]
    assert select_lore(lore, context) == (NUMBERS, TOWER, DALE)


def test_lore_respects_the_limit_and_the_character_budget() -> None:
    lore = (TOWER, NUMBERS, DALE)
    context = ["tower numbers dale"]
    assert select_lore(lore, context, limit=2) == (TOWER, NUMBERS)
    assert select_lore(lore, context, max_chars=60) == (TOWER,)
    assert select_lore(lore, context, max_chars=30) == (NUMBERS,)


def test_no_context_no_lore() -> None:
    assert select_lore((TOWER,), []) == ()
    assert select_lore((), ["tower"]) == ()
