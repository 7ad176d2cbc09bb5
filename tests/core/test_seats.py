"""Issue 11, finding 4: a full roster frees the seats of players who are gone."""

import pytest

from glitchcart.core.roster import Player, TierThresholds, present, touch
from glitchcart.errors import SessionFull

T = TierThresholds()  # active: 2 turns or 15 min; idle: 5 turns or 1 h
HOUR = 3600.0


def seated(*ids: str, seen: float = 0.0, turn: int = 0) -> tuple[Player, ...]:
    return tuple(Player(i, i, 0.0, turn, seen) for i in ids)


def test_a_newcomer_takes_the_seat_of_the_longest_gone_dormant_player() -> None:
    roster = (*seated("a", seen=100.0), *seated("b", seen=50.0), *seated("c", seen=5000.0))
    after = touch(roster, "new", None, 10, 50.0 + HOUR + 1, max_players=3, tiers=T)
    assert [p.id for p in after] == ["a", "c", "new"]


def test_an_hour_away_frees_a_seat_even_when_no_turn_was_played() -> None:
    roster = seated("a", "b", seen=0.0)
    after = touch(roster, "new", None, 0, HOUR + 1, max_players=2, tiers=T)
    assert [p.id for p in after] == ["b", "new"]


def test_a_full_roster_of_present_players_says_when_a_seat_frees() -> None:
    roster = (*seated("a", seen=600.0), *seated("b", seen=0.0))
    with pytest.raises(SessionFull) as refused:
        touch(roster, "new", None, 0, 1200.0, max_players=2, tiers=T)
    assert refused.value.retry_after == HOUR - 1200.0  # b's seat frees first
    assert "full (2 players)" in str(refused.value)


def test_kept_players_never_lose_their_seat() -> None:
    roster = seated("crown", "b", seen=0.0)
    after = touch(roster, "new", None, 0, HOUR + 1, max_players=2, tiers=T, keep={"crown"})
    assert [p.id for p in after] == ["crown", "new"]
    with pytest.raises(SessionFull):
        touch(seated("crown"), "x", None, 0, 10 * HOUR, max_players=1, tiers=T, keep={"crown"})


def test_present_keeps_recent_players_and_the_kept_ones() -> None:
    roster = (*seated("old", seen=0.0), *seated("recent", seen=HOUR), *seated("crown", seen=0.0))
    kept = present(roster, HOUR + 60, T, keep={"crown"})
    assert [p.id for p in kept] == ["recent", "crown"]
