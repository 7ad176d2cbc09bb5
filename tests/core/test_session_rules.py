"""The session rules the service applies: the fate roll of a pending turn, the
checks before a move, clearing a closed turn. Literals in, literals out."""

from __future__ import annotations

import pytest

from glitchcart.core.cartridge import FateOdds
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import (
    GameRecord,
    PendingTurn,
    Phase,
    SessionRecord,
    check_turn,
    pending_turn,
)
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput
from glitchcart.core.votes import Tally, Vote, VoteWindow, VotingMode
from glitchcart.errors import GameOver, NoGameRunning, TurnResolving, WrongTurn

KEY = SessionKey.parse("cli:alice")
STATE = WorldState(
    turn=3,
    location="gate",
    time_of_day="dusk",
    chaos=0,
    chaos_phase="calm",
    health=3,
    max_health=3,
    injuries=(),
    inventory=(),
)
GAME = GameRecord("g1", "mini", 7, 0, STATE, (Choice("left"), Choice("right")), 0, 0.0, 0.0)
ALWAYS_LUCKY = FateOdds(1.0, 0.0, 0.0, 0.0)
ALWAYS_UNLUCKY = FateOdds(0.0, 0.0, 1.0, 0.0)
LEFT = TurnInput(InputKind.CHOICE, "left", "ann", Choice("left"))


def test_a_pending_turn_is_the_next_turn_with_its_derived_seed_and_a_fate() -> None:
    pending = pending_turn(GAME, ALWAYS_LUCKY, LEFT, 100.0)
    assert pending == PendingTurn(4, LEFT, Fate.LUCKY, 4401774253131448879, 100.0)


def test_the_fate_follows_the_odds() -> None:
    assert pending_turn(GAME, ALWAYS_UNLUCKY, LEFT, 100.0).fate is Fate.UNLUCKY


def test_a_tick_rolls_no_fate() -> None:
    tick = TurnInput(InputKind.TICK, "(time passes)")
    assert pending_turn(GAME, ALWAYS_UNLUCKY, tick, 100.0).fate is None


def test_the_same_game_rolls_the_same_fate() -> None:
    even = FateOdds(0.5, 0.0, 0.5, 0.0)
    rolls = {pending_turn(GAME, even, LEFT, t).fate for t in (1.0, 2.0, 3.0)}
    assert len(rolls) == 1  # the roll derives from the seed and the turn, not the time


def test_a_pending_turn_carries_the_tally_and_the_twist() -> None:
    tally = Tally(VotingMode.DEMOCRACY, "deadline", "choice:1", (("choice:1", 1),), ())
    pending = pending_turn(GAME, ALWAYS_LUCKY, LEFT, 1.0, tally, "a storm")
    assert (pending.tally, pending.twist) == (tally, "a storm")


READY = SessionRecord(KEY, 5, Phase.READY, game=GAME)


def test_a_ready_game_takes_a_move() -> None:
    READY.check_ready()
    READY.check_not_resolving()


@pytest.mark.parametrize(
    ("record", "error"),
    [
        (SessionRecord(KEY, 0, Phase.EMPTY), NoGameRunning),
        (SessionRecord(KEY, 5, Phase.RESOLVING, game=GAME), TurnResolving),
        (SessionRecord(KEY, 5, Phase.OVER, game=GAME), GameOver),
    ],
)
def test_a_move_is_refused_unless_a_live_game_waits(
    record: SessionRecord, error: type[Exception]
) -> None:
    with pytest.raises(error):
        record.check_ready()


def test_only_a_resolving_turn_is_resolving() -> None:
    SessionRecord(KEY, 0, Phase.EMPTY).check_not_resolving()
    with pytest.raises(TurnResolving, match="the turn is resolving"):
        SessionRecord(KEY, 5, Phase.RESOLVING, game=GAME).check_not_resolving()


def test_clearing_a_turn_drops_its_window_vetoes_twist_and_idle_deadline() -> None:
    window = VoteWindow(4, 1.0, 31.0, (Vote("ann", 1, None, 1.0),))
    busy = READY.evolve(window=window, vetoed=(2,), twist="a storm", idle_deadline=90.0)
    cleared = busy.cleared_turn(phase=Phase.RESOLVING)
    assert cleared == READY.evolve(phase=Phase.RESOLVING)


def test_changes_win_over_what_clearing_drops() -> None:
    cleared = READY.evolve(twist="a storm").cleared_turn(idle_deadline=60.0, paused=True)
    assert (cleared.twist, cleared.idle_deadline, cleared.paused) == (None, 60.0, True)


def test_a_move_for_the_turn_open_now_passes() -> None:
    check_turn(READY, None, None)
    check_turn(READY, 4, None)
    check_turn(READY, 4, "g1")


@pytest.mark.parametrize(("turn", "game_id"), [(3, None), (5, None), (4, "g2"), (None, "g2")])
def test_a_move_for_another_turn_or_game_is_refused(turn: int | None, game_id: str | None) -> None:
    with pytest.raises(WrongTurn, match="the vote open now is for turn 4 of game g1") as refused:
        check_turn(READY, turn, game_id)
    assert (refused.value.turn, refused.value.game_id) == (4, "g1")
