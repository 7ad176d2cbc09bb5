"""Vote windows and the tally.

The first vote of a turn opens a window with an absolute deadline. A player may
change their vote until it closes. A vote is a listed choice (``choice:N``) or a
free action (``action:<text>``; identical texts, ignoring case and spacing,
pool their votes). The tally is kept in the turn record as an audit trail.

Tie-break (published): the tied candidates are sorted by label and one is
picked by ``random.Random(seed).random()`` scaled over the list, where the seed
derives from the session seed and the turn; the roll and candidates are recorded.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from glitchcart.errors import InvalidInput


class VotingMode(StrEnum):
    DEMOCRACY = "democracy"  # plurality; ties broken by a seeded, recorded roll
    ANARCHY = "anarchy"  # the first vote resolves at once
    LEADER = "leader"  # the crown holder's vote decides; others advise


@dataclass(frozen=True, slots=True)
class Vote:
    player: str
    choice: int | None  # 1-based
    action: str | None
    cast_at: float

    @property
    def candidate(self) -> str:
        if self.choice is not None:
            return f"choice:{self.choice}"
        return "action:" + " ".join((self.action or "").lower().split())

    def to_dict(self) -> dict[str, Any]:
        return {
            "player": self.player,
            "choice": self.choice,
            "action": self.action,
            "cast_at": self.cast_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Vote:
        return cls(
            player=str(d["player"]),
            choice=None if d.get("choice") is None else int(d["choice"]),
            action=d.get("action"),
            cast_at=float(d["cast_at"]),
        )


@dataclass(frozen=True, slots=True)
class VoteWindow:
    turn: int  # the turn this window decides
    opened_at: float
    deadline: float  # absolute UTC seconds
    votes: tuple[Vote, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "opened_at": self.opened_at,
            "deadline": self.deadline,
            "votes": [v.to_dict() for v in self.votes],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VoteWindow:
        return cls(
            turn=int(d["turn"]),
            opened_at=float(d["opened_at"]),
            deadline=float(d["deadline"]),
            votes=tuple(Vote.from_dict(v) for v in d.get("votes", ())),
        )

    def voters(self) -> frozenset[str]:
        return frozenset(v.player for v in self.votes)


@dataclass(frozen=True, slots=True)
class Tally:
    mode: VotingMode
    reason: str  # deadline | all-voted | anarchy | leader | forced
    winner: str  # a candidate label
    counts: tuple[tuple[str, int], ...]
    ballots: tuple[tuple[str, str], ...]  # (player, candidate)
    tied: tuple[str, ...] = ()
    roll: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "reason": self.reason,
            "winner": self.winner,
            "counts": [list(c) for c in self.counts],
            "ballots": [list(b) for b in self.ballots],
            "tied": list(self.tied),
            "roll": self.roll,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Tally:
        return cls(
            mode=VotingMode(d["mode"]),
            reason=str(d["reason"]),
            winner=str(d["winner"]),
            counts=tuple((str(a), int(b)) for a, b in d["counts"]),
            ballots=tuple((str(a), str(b)) for a, b in d["ballots"]),
            tied=tuple(d.get("tied", ())),
            roll=d.get("roll"),
        )


def cast(window: VoteWindow, vote: Vote) -> VoteWindow:
    """Add ``vote``, replacing the player's earlier vote in this window."""
    kept = tuple(v for v in window.votes if v.player != vote.player)
    return replace(window, votes=(*kept, vote))


def drop_choice(window: VoteWindow, choice: int) -> VoteWindow:
    """Discard the votes for a vetoed choice; their voters may vote again."""
    return replace(window, votes=tuple(v for v in window.votes if v.choice != choice))


def all_active_voted(window: VoteWindow, active: frozenset[str]) -> bool:
    """True when every active player has a vote in (and at least one exists)."""
    return bool(active) and active <= window.voters()


def early_close(
    mode: VotingMode,
    crown: str | None,
    voter: str,
    window: VoteWindow,
    active: frozenset[str],
) -> str | None:
    """Why ``voter``'s vote closes ``window`` at once, or None while it stays open:
    any vote in anarchy, the crown's vote in leader mode, the last active voter."""
    if mode is VotingMode.ANARCHY:
        return "anarchy"
    if mode is VotingMode.LEADER and crown == voter:
        return "leader"
    if all_active_voted(window, active):
        return "all-voted"
    return None


def tally(
    window: VoteWindow,
    mode: VotingMode,
    *,
    reason: str,
    crown: str | None,
    rng: random.Random,
) -> Tally:
    """Decide the window. Raises :class:`InvalidInput` on an empty window."""
    if not window.votes:
        raise InvalidInput("cannot tally a window with no votes")
    ordered = sorted(window.votes, key=lambda v: (v.cast_at, v.player))
    ballots = tuple((v.player, v.candidate) for v in ordered)
    counts = Counter(c for _, c in ballots)
    count_rows = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    if mode is VotingMode.ANARCHY:
        return Tally(mode, "anarchy", ordered[0].candidate, count_rows, ballots)
    if mode is VotingMode.LEADER and crown is not None:
        leader_vote = next((v for v in ordered if v.player == crown), None)
        if leader_vote is not None:
            return Tally(mode, "leader", leader_vote.candidate, count_rows, ballots)

    top = count_rows[0][1]
    tied = tuple(sorted(c for c, n in counts.items() if n == top))
    if len(tied) == 1:
        return Tally(mode, reason, tied[0], count_rows, ballots)
    roll = rng.random()
    winner = tied[min(int(roll * len(tied)), len(tied) - 1)]
    return Tally(mode, reason, winner, count_rows, ballots, tied, round(roll, 12))


def winning_vote(window: VoteWindow, result: Tally) -> Vote:
    """The earliest vote for the winning candidate (its text and player are used)."""
    ordered = sorted(window.votes, key=lambda v: (v.cast_at, v.player))
    return next(v for v in ordered if v.candidate == result.winner)
