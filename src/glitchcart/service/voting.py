"""Multiplayer turns: votes in a countdown window, and seats at the table.

Every operation runs its state transition under the session lock and commits it
with a version check. A window closes exactly once: whichever of the deadline,
the last active voter, an anarchy vote, the leader or the crown's force gets the
lock first closes it, and everyone after finds it closed (the turn resolving).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from glitchcart.core.actions import check_action, offered
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import Player, TierThresholds, active_ids, check_player_id, find, touch
from glitchcart.core.seeds import rng_for
from glitchcart.core.session import Receipt, SessionRecord, check_turn
from glitchcart.core.turn import InputKind, TurnInput
from glitchcart.core.votes import Tally, Vote, VoteWindow, cast, early_close, tally, winning_vote
from glitchcart.errors import IdempotencyMismatch, InvalidAction, InvalidInput
from glitchcart.ports import CartridgeSource, Clock, Lease, NewEvent
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.settings import Settings


@dataclass(frozen=True, slots=True)
class VoteReceipt:
    """The answer to a vote: where the window stands after it."""

    turn: int
    player: str
    candidate: str
    closed: bool  # this vote closed the window; the turn is resolving
    deadline: float | None  # of the window, while open
    voters: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "player": self.player,
            "candidate": self.candidate,
            "closed": self.closed,
            "deadline": self.deadline,
            "voters": self.voters,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> VoteReceipt:
        return cls(
            turn=int(d["turn"]),
            player=str(d["player"]),
            candidate=str(d["candidate"]),
            closed=bool(d["closed"]),
            deadline=d.get("deadline"),
            voters=int(d["voters"]),
        )


def joined(player: str, name: str | None) -> NewEvent:
    return NewEvent("player_joined", {"player": player, "name": name or player})


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Ballot:
    """A vote applied to the record under the lock, before it is committed."""

    record: SessionRecord  # with the voter seated, the window holding the vote
    window: VoteWindow
    vote: Vote
    events: tuple[NewEvent, ...]  # joined, window opened, vote cast
    close: str | None  # why the vote closes the window, if it does


class Voting:
    """Votes, the window they open and close, and the roster they seat players in."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        pipeline: TurnPipeline,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
        tiers: TierThresholds,
    ) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings
        self.tiers = tiers

    # ------------------------------------------------------------ votes

    async def vote(
        self,
        key: SessionKey,
        player: str,
        *,
        choice: int | None = None,
        action: str | None = None,
        name: str | None = None,
        idempotency_key: str | None = None,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> VoteReceipt:
        """Cast or change ``player``'s vote for a listed choice or a free action.

        Opens the window on the first vote; closes it early when every active
        player has voted (or at once in anarchy mode, or when the leader votes in
        leader mode). A repeat with the same ``idempotency_key`` and payload is
        answered the same and applied once. ``turn`` (and ``game_id``) name the
        turn the vote was cast for: a vote for another is :class:`WrongTurn`, never
        counted toward the one open now. Every surface sends them; only callers
        inside the process that hold the lock's view (tests, the timers) may not.
        """
        action = self._checked_vote(player, choice, action, idempotency_key)
        payload = {"player": player, "choice": choice, "action": action, "name": name}
        async with self.runtime.lock(key):
            record = await self.pipeline.load_live(key)
            earlier = _replayed(record, idempotency_key, payload)
            if earlier is not None:
                return earlier
            ballot = self._ballot(record, player, choice, action, name, turn, game_id)
            receipt = VoteReceipt(
                turn=ballot.window.turn,
                player=player,
                candidate=ballot.vote.candidate,
                closed=ballot.close is not None,
                deadline=None if ballot.close else ballot.window.deadline,
                voters=len(ballot.window.votes),
            )
            record = ballot.record
            if idempotency_key is not None:
                record = record.with_receipt(
                    Receipt(
                        idempotency_key,
                        fingerprint(payload),
                        receipt.to_dict(),
                        ballot.vote.cast_at,
                    ),
                    keep_seconds=self.settings.receipt_seconds,
                    max_receipts=self.settings.max_receipts,
                )
            if ballot.close is None:
                await self.runtime.commit(record, events=ballot.events)
                return receipt
            lease = await self.runtime.lease_for_turn(key)
            closed = await self.close_window(
                record, ballot.window, ballot.close, lease, events=ballot.events
            )
        self.pipeline.resolve_later(closed, lease)
        return receipt

    def _checked_vote(
        self, player: str, choice: int | None, action: str | None, idempotency_key: str | None
    ) -> str | None:
        """Refuse a malformed vote before anything is loaded; returns the action cleaned."""
        check_player_id(player)
        if (choice is None) == (action is None):
            raise InvalidAction("a vote is either a choice number or an action")
        if action is not None:
            action = check_action(action, self.settings.max_action_length)
        if idempotency_key is not None and not (
            isinstance(idempotency_key, str) and 0 < len(idempotency_key) <= 128
        ):
            raise InvalidInput("an idempotency key is 1-128 characters")
        return action

    def _ballot(
        self,
        record: SessionRecord,
        player: str,
        choice: int | None,
        action: str | None,
        name: str | None,
        turn: int | None,
        game_id: str | None,
    ) -> _Ballot:
        """``player``'s vote cast into the window (opened if it is the first), the voter
        seated, and whether the window closes now."""
        record.check_ready()
        assert record.game is not None
        if turn is not None or game_id is not None:
            check_turn(record, turn, game_id)
        if choice is not None:
            offered(record.game.choices, choice)
            if choice in record.vetoed:
                raise InvalidAction(f"choice {choice} was vetoed by the crown this turn")
        now = self.clock.now()
        countdown = self.cartridges.get(record.game.cartridge).timing.countdown_seconds
        seated = find(record.roster, player) is not None
        opened = record.window is None
        window = record.window or VoteWindow(
            turn=record.game.state.turn + 1, opened_at=now, deadline=now + countdown
        )
        vote = Vote(player, choice, action, now)
        window = cast(window, vote)
        roster = self.seat(record, player, name, now)
        record = record.evolve(roster=roster, window=window, paused=False)
        active = active_ids(record.roster, record.turn_counter, now, self.tiers)
        close = early_close(record.mode, record.crown, player, window, active)
        events: list[NewEvent] = []
        if not seated:
            events.append(joined(player, name))
        if opened:
            events.append(
                NewEvent("window_opened", {"turn": window.turn, "deadline": window.deadline})
            )
        events.append(
            NewEvent(
                "vote_cast", {"turn": window.turn, "player": player, "candidate": vote.candidate}
            )
        )
        return _Ballot(record, window, vote, tuple(events), close)

    async def close_window(
        self,
        record: SessionRecord,
        window: VoteWindow,
        reason: str,
        lease: Lease,
        forced: Vote | None = None,
        events: tuple[NewEvent, ...] = (),
    ) -> SessionRecord:
        """Tally ``window`` and close the turn under ``lease`` (caller holds the lock),
        committing ``events`` then ``window_closed`` and ``turn_resolving``."""
        assert record.game is not None
        seed = rng_for(record.game.seed, "tiebreak", window.turn)
        result = tally(window, record.mode, reason=reason, crown=record.crown, rng=seed)
        if forced is not None:
            result = Tally(result.mode, "forced", forced.candidate, result.counts, result.ballots)
        winner = forced or winning_vote(window, result)
        if winner.choice is not None:
            chosen = record.game.choices[winner.choice - 1]
            turn_input = TurnInput(InputKind.CHOICE, chosen.text, winner.player, chosen)
        else:
            turn_input = TurnInput(InputKind.ACTION, winner.action or "", winner.player)
        pending = self.pipeline.pending(record, turn_input, result)
        window_closed = NewEvent("window_closed", {"turn": window.turn, "tally": result.to_dict()})
        return await self.pipeline.close(record, pending, lease, (*events, window_closed))

    # ------------------------------------------------------------ seats

    async def join(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Seat a player without a vote (joining is otherwise implicit on first action)."""
        check_player_id(player)

        def change(record: SessionRecord) -> SessionRecord:
            roster = self.seat(record, player, name)
            return record.evolve(roster=roster, paused=False)

        await self.runtime.update(key, change, (joined(player, name),))

    def seat(
        self, record: SessionRecord, player: str, name: str | None, now: float | None = None
    ) -> tuple[Player, ...]:
        """The roster with ``player`` seated (or seen again) now; refused when full."""
        when = self.clock.now() if now is None else now
        return touch(
            record.roster,
            player,
            name,
            record.turn_counter,
            when,
            max_players=self.settings.max_players,
            tiers=self.tiers,
            keep={record.crown} if record.crown else (),
        )


def _replayed(
    record: SessionRecord, idempotency_key: str | None, payload: dict[str, Any]
) -> VoteReceipt | None:
    """The answer given to an earlier vote with ``idempotency_key``, if there was one;
    refused if that vote was a different one."""
    if idempotency_key is None:
        return None
    earlier = record.receipt(idempotency_key)
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint(payload):
        raise IdempotencyMismatch("this idempotency key was used with a different vote")
    return VoteReceipt.from_dict(earlier.response)
