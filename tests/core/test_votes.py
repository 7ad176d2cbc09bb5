import random

import pytest

from glitchcart.core.votes import (
    Tally,
    Vote,
    VoteWindow,
    VotingMode,
    all_active_voted,
    cast,
    drop_choice,
    early_close,
    tally,
    winning_vote,
)
from glitchcart.errors import InvalidInput

W = VoteWindow(turn=4, opened_at=100.0, deadline=110.0)


def v(player: str, choice: int | None = None, action: str | None = None, at: float = 100.0) -> Vote:
    return Vote(player, choice, action, at)


def test_a_player_may_change_their_vote() -> None:
    w = cast(cast(W, v("a", 1)), v("a", 2, at=101.0))
    assert w.votes == (v("a", 2, at=101.0),)


def test_identical_actions_pool_their_votes() -> None:
    w = cast(cast(cast(W, v("a", action="Run  Away")), v("b", action="run away")), v("c", 1))
    result = tally(w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(0))
    assert result.winner == "action:run away"
    assert result.counts == (("action:run away", 2), ("choice:1", 1))


def test_plurality_wins_and_the_ballots_are_kept() -> None:
    w = W
    for p, c, t in [("a", 1, 1.0), ("b", 2, 2.0), ("c", 2, 3.0)]:
        w = cast(w, v(p, c, at=100.0 + t))
    assert tally(
        w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(0)
    ) == Tally(
        mode=VotingMode.DEMOCRACY,
        reason="deadline",
        winner="choice:2",
        counts=(("choice:2", 2), ("choice:1", 1)),
        ballots=(("a", "choice:1"), ("b", "choice:2"), ("c", "choice:2")),
    )


def test_ties_are_broken_by_a_recorded_seeded_roll() -> None:
    w = cast(cast(W, v("a", 3)), v("b", 1, at=101.0))
    first = tally(w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(5))
    again = tally(w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(5))
    assert first == again
    assert first.tied == ("choice:1", "choice:3")
    roll = random.Random(5).random()
    assert first.roll == round(roll, 12)
    assert first.winner == first.tied[int(roll * 2)]


def test_anarchy_takes_the_first_vote() -> None:
    w = cast(cast(W, v("b", 2, at=105.0)), v("a", 1, at=101.0))
    result = tally(w, VotingMode.ANARCHY, reason="x", crown=None, rng=random.Random(0))
    assert (result.winner, result.reason) == ("choice:1", "anarchy")


def test_leader_decides_when_they_voted_else_plurality() -> None:
    w = cast(cast(cast(W, v("a", 1)), v("b", 1)), v("king", 3))
    lead = tally(w, VotingMode.LEADER, reason="deadline", crown="king", rng=random.Random(0))
    assert (lead.winner, lead.reason) == ("choice:3", "leader")
    no_king = tally(w, VotingMode.LEADER, reason="deadline", crown="absent", rng=random.Random(0))
    assert no_king.winner == "choice:1"


def test_empty_window_cannot_be_tallied() -> None:
    with pytest.raises(InvalidInput):
        tally(W, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(0))


def test_early_close_needs_every_active_player() -> None:
    w = cast(W, v("a", 1))
    assert not all_active_voted(w, frozenset({"a", "b"}))
    assert all_active_voted(cast(w, v("b", 2)), frozenset({"a", "b"}))
    assert not all_active_voted(W, frozenset())


AB = frozenset({"a", "b"})
DEMOCRACY, ANARCHY, LEADER = VotingMode.DEMOCRACY, VotingMode.ANARCHY, VotingMode.LEADER


def test_a_democracy_window_closes_early_at_the_last_active_voter() -> None:
    one = cast(W, v("a", 1))
    assert early_close(DEMOCRACY, None, "a", one, AB) is None
    assert early_close(DEMOCRACY, None, "b", cast(one, v("b", 2)), AB) == "all-voted"


def test_an_anarchy_window_closes_at_the_first_vote() -> None:
    assert early_close(ANARCHY, None, "a", cast(W, v("a", 1)), AB) == "anarchy"


def test_a_leader_window_closes_when_the_crown_votes() -> None:
    assert early_close(LEADER, "b", "a", cast(W, v("a", 1)), AB) is None
    assert early_close(LEADER, "b", "b", cast(W, v("b", 1)), AB) == "leader"
    assert early_close(DEMOCRACY, "b", "b", cast(W, v("b", 1)), AB) is None


def test_a_leader_window_without_a_crown_closes_like_a_democracy() -> None:
    both = cast(cast(W, v("a", 1)), v("b", 1))
    assert early_close(LEADER, None, "b", both, AB) == "all-voted"


def test_a_window_nobody_active_waits_for_stays_open() -> None:
    assert early_close(DEMOCRACY, None, "a", cast(W, v("a", 1)), frozenset()) is None


def test_veto_drops_the_votes_for_a_choice() -> None:
    w = cast(cast(W, v("a", 1)), v("b", 2))
    assert drop_choice(w, 1).votes == (v("b", 2),)


def test_winning_vote_is_the_earliest_for_the_winner() -> None:
    w = cast(cast(W, v("late", 2, at=109.0)), v("early", 2, at=101.0))
    result = tally(w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(0))
    assert winning_vote(w, result).player == "early"


def test_round_trips() -> None:
    w = cast(cast(W, v("a", 1)), v("b", action="hide"))
    assert VoteWindow.from_dict(w.to_dict()) == w
    result = tally(w, VotingMode.DEMOCRACY, reason="deadline", crown=None, rng=random.Random(1))
    assert Tally.from_dict(result.to_dict()) == result
