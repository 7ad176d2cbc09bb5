import pytest

from glitchcart.core.roster import (
    Player,
    Tier,
    TierThresholds,
    active_ids,
    tier_of,
    touch,
)
from glitchcart.errors import Conflict, InvalidInput, LimitExceeded

T = TierThresholds()  # active: 2 turns or 15 min; idle: 5 turns or 1 h
P = Player("u1", "Ann", joined_at=0.0, last_turn=10, last_seen=1000.0)


@pytest.mark.parametrize(
    ("turn", "now", "tier"),
    [
        (10, 1000.0, Tier.ACTIVE),
        (12, 99_999.0, Tier.ACTIVE),  # within 2 turns
        (20, 1000.0 + 900, Tier.ACTIVE),  # within 15 minutes
        (13, 1000.0 + 901, Tier.IDLE),
        (15, 99_999.0, Tier.IDLE),  # within 5 turns
        (40, 1000.0 + 3600, Tier.IDLE),  # within an hour
        (16, 1000.0 + 3601, Tier.DORMANT),
    ],
)
def test_tiers_by_turns_or_time(turn: int, now: float, tier: Tier) -> None:
    assert tier_of(P, turn, now, T) is tier


def test_touch_joins_a_new_player_implicitly() -> None:
    roster = touch((), "u1", "Ann", 3, 50.0, max_players=5)
    assert roster == (Player("u1", "Ann", 50.0, 3, 50.0),)


def test_touch_updates_an_existing_player_and_keeps_order() -> None:
    roster = (P, Player("u2", "Bo", 0.0, 1, 1.0))
    after = touch(roster, "u1", None, 20, 2000.0, max_players=5)
    assert after == (Player("u1", "Ann", 0.0, 20, 2000.0), roster[1])


def test_full_session_refuses_a_new_player_but_not_a_known_one() -> None:
    with pytest.raises(LimitExceeded):
        touch((P,), "u9", "X", 0, 0.0, max_players=1)
    assert touch((P,), "u1", "Ann", 11, 0.0, max_players=1)[0].last_turn == 11


@pytest.mark.parametrize("bad", ["", "a b", "x/y", "é", "a" * 65, None, ".", "..", "-x"])
def test_bad_player_ids_are_refused(bad: object) -> None:
    with pytest.raises(InvalidInput):
        touch((), bad, "n", 0, 0.0, max_players=5)  # type: ignore[arg-type]


def test_a_player_joins_once_per_case_folded_id() -> None:
    roster = touch((), "alice", "Alice", 0, 0.0, max_players=5)
    with pytest.raises(Conflict, match="taken"):
        touch(roster, "ALICE", "Mallory", 0, 0.0, max_players=5)
    assert touch(roster, "alice", None, 1, 1.0, max_players=5)[0].name == "Alice"


def test_dormant_players_drop_out_of_the_quorum_but_stay_listed() -> None:
    roster = (P, Player("u2", "Bo", 0.0, 1, 1.0))
    assert active_ids(roster, 11, 1100.0, T) == frozenset({"u1"})
