"""Multiplayer turns: votes in a countdown window, deadlines, the crown.

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

from glitchcart.core.crown import holder_only
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import Player, active_ids, check_player_id, find, touch
from glitchcart.core.seeds import rng_for
from glitchcart.core.session import Phase, Receipt, SessionRecord
from glitchcart.core.turn import InputKind, TurnInput
from glitchcart.core.votes import (
    Tally,
    Vote,
    VoteWindow,
    VotingMode,
    all_active_voted,
    cast,
    drop_choice,
    tally,
    winning_vote,
)
from glitchcart.errors import (
    Forbidden,
    IdempotencyMismatch,
    InvalidAction,
    InvalidInput,
    WrongTurn,
)
from glitchcart.ports import Lease, NewEvent
from glitchcart.service.pipeline import TurnPipeline


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


def _joined(player: str, name: str | None) -> NewEvent:
    return NewEvent("player_joined", {"player": player, "name": name or player})


def check_turn(record: SessionRecord, turn: int | None, game_id: str | None) -> None:
    """Refuse a move made for another turn (or game) than the vote open now."""
    assert record.game is not None
    current, running = record.game.state.turn + 1, record.game.game_id
    if (turn is not None and turn != current) or (game_id is not None and game_id != running):
        asked = f"turn {turn}" if game_id is None else f"turn {turn} of game {game_id}"
        raise WrongTurn(
            f"this move was made for {asked}; the vote open now is for turn {current} "
            f"of game {running}",
            turn=current,
            game_id=running,
        )


def fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Voting(TurnPipeline):
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
        check_player_id(player)
        if (choice is None) == (action is None):
            raise InvalidAction("a vote is either a choice number or an action")
        if action is not None:
            action = self.check_action(action)
        if idempotency_key is not None and not (
            isinstance(idempotency_key, str) and 0 < len(idempotency_key) <= 128
        ):
            raise InvalidInput("an idempotency key is 1-128 characters")
        payload = {"player": player, "choice": choice, "action": action, "name": name}
        async with self._lock(key):
            record = await self._load_live(key)
            if idempotency_key is not None:
                earlier = record.receipt(idempotency_key)
                if earlier is not None:
                    if earlier.fingerprint != fingerprint(payload):
                        raise IdempotencyMismatch(
                            "this idempotency key was used with a different vote"
                        )
                    return VoteReceipt.from_dict(earlier.response)
            self._check_ready(record)
            assert record.game is not None
            if turn is not None or game_id is not None:
                check_turn(record, turn, game_id)
            if choice is not None:
                self._offered(record, choice)
                if choice in record.vetoed:
                    raise InvalidAction(f"choice {choice} was vetoed by the crown this turn")
            now = self.clock.now()
            cartridge = self.cartridges.get(record.game.cartridge)
            seated = find(record.roster, player) is not None
            roster = self._seat(record, player, name, now)
            opened = record.window is None
            window = record.window or VoteWindow(
                turn=record.game.state.turn + 1,
                opened_at=now,
                deadline=now + cartridge.timing.countdown_seconds,
            )
            ballot = Vote(player, choice, action, now)
            window = cast(window, ballot)
            record = record.evolve(roster=roster, window=window, paused=False)
            reason = self._early_close(record, window, player, now)
            receipt = VoteReceipt(
                turn=window.turn,
                player=player,
                candidate=ballot.candidate,
                closed=reason is not None,
                deadline=None if reason else window.deadline,
                voters=len(window.votes),
            )
            if idempotency_key is not None:
                record = record.with_receipt(
                    Receipt(idempotency_key, fingerprint(payload), receipt.to_dict(), now),
                    keep_seconds=self.settings.receipt_seconds,
                    max_receipts=self.settings.max_receipts,
                )
            events: list[NewEvent] = []
            if not seated:
                events.append(_joined(player, name))
            if opened:
                events.append(
                    NewEvent("window_opened", {"turn": window.turn, "deadline": window.deadline})
                )
            events.append(
                NewEvent(
                    "vote_cast",
                    {"turn": window.turn, "player": player, "candidate": ballot.candidate},
                )
            )
            if reason is None:
                await self._commit(record, events=tuple(events))
            else:
                lease = await self.runtime.lease_for_turn(key)
                closed = await self._close_window(
                    record, window, reason, lease, events=tuple(events)
                )
        if reason is not None:
            self.background(self._resolve_held(closed, lease))
        return receipt

    def _early_close(
        self, record: SessionRecord, window: VoteWindow, voter: str, now: float
    ) -> str | None:
        if record.mode is VotingMode.ANARCHY:
            return "anarchy"
        if record.mode is VotingMode.LEADER and record.crown == voter:
            return "leader"
        if all_active_voted(
            window, active_ids(record.roster, record.turn_counter, now, self.tiers)
        ):
            return "all-voted"
        return None

    async def _close_window(
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
        cartridge = self.cartridges.get(record.game.cartridge)
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
        pending = self._pending(record, cartridge, turn_input, result)
        window_closed = NewEvent("window_closed", {"turn": window.turn, "tally": result.to_dict()})
        return await self._close(record, pending, lease, (*events, window_closed))

    # ------------------------------------------------------------ deadlines

    async def fire_deadline(self, key: SessionKey) -> str:
        """Act on the session's stored deadline if it has passed.

        Returns what happened: ``closed`` (the window), ``hesitated`` (nobody
        voted in time), ``paused`` (nobody active to wait for) or ``nothing``.
        Safe to call any number of times, from any process.
        """
        async with self._lock(key):
            record = await self.store.load(key)
            if record is not None and record.phase is Phase.RESOLVING:
                record = await self._load_live(key)
            if record is None or record.phase is not Phase.READY or record.game is None:
                return "nothing"
            now = self.clock.now()
            window = record.window
            if window is not None:
                if window.deadline > now:
                    return "nothing"
                if not window.votes:
                    emptied = {"turn": window.turn, "tally": None}
                    await self._commit(
                        record.evolve(window=None), events=(NewEvent("window_closed", emptied),)
                    )
                    return "nothing"
                lease = await self.runtime.lease_for_turn(key)
                closed = await self._close_window(record, window, "deadline", lease)
                outcome = "closed"
            elif record.paused or record.idle_deadline is None or record.idle_deadline > now:
                return "nothing"
            elif not active_ids(record.roster, record.turn_counter, now, self.tiers):
                paused = NewEvent("paused", {"reason": "no active players"})
                await self._commit(record.evolve(paused=True, idle_deadline=None), events=(paused,))
                return "paused"
            else:
                cartridge = self.cartridges.get(record.game.cartridge)
                hesitation = TurnInput(InputKind.HESITATE, "(nobody moved in time)")
                lease = await self.runtime.lease_for_turn(key)
                pending = self._pending(record, cartridge, hesitation)
                closed = await self._close(record, pending, lease)
                outcome = "hesitated"
        self.background(self._resolve_held(closed, lease))
        return outcome

    async def join(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Seat a player without a vote (joining is otherwise implicit on first action)."""
        check_player_id(player)

        def change(record: SessionRecord) -> SessionRecord:
            roster = self._seat(record, player, name)
            return record.evolve(roster=roster, paused=False)

        await self._update(key, None, change, _joined(player, name))

    def _seat(
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

    # ------------------------------------------------------------ crown

    async def _update(
        self, key: SessionKey, holder: str | None, change: Any, *events: NewEvent
    ) -> SessionRecord:
        """Run ``change(record)`` under the lock and commit it with ``events``;
        ``holder`` must hold the crown if given."""
        async with self._lock(key):
            record = await self._load(key)
            if holder is not None and record.crown != holder:
                raise Forbidden("only the crown holder can do that")
            updated: SessionRecord = change(record)
            if updated is not record:
                await self._commit(updated, events=events)
        return updated

    async def take_crown(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Take a free crown, if the session lets players take it."""
        check_player_id(player)

        def change(record: SessionRecord) -> SessionRecord:
            if record.crown is not None:
                raise Forbidden("the crown is already held")
            if not record.crown_open:
                raise Forbidden("the crown can't be taken in this session")
            roster = self._seat(record, player, name)
            return record.evolve(crown=player, roster=roster)

        await self._update(key, None, change, NewEvent("crown_moved", {"holder": player}))

    async def pass_crown(self, key: SessionKey, holder: str, to: str) -> None:
        def change(record: SessionRecord) -> SessionRecord:
            if find(record.roster, to) is None:
                raise InvalidInput(f"{to} is not a player of this session")
            return record.evolve(crown=to)

        await self._update(
            key, holder, change, NewEvent("crown_moved", {"holder": to, "from": holder})
        )

    async def drop_crown(self, key: SessionKey, holder: str) -> None:
        moved = NewEvent("crown_moved", {"holder": None, "from": holder})
        await self._update(key, holder, lambda r: r.evolve(crown=None), moved)

    async def grant_crown(
        self, key: SessionKey, player: str | None, *, crown_open: bool | None = None
    ) -> None:
        """An admin sets the holder (or none) and whether a free crown may be taken."""

        def change(record: SessionRecord) -> SessionRecord:
            if player is not None and find(record.roster, player) is None:
                raise InvalidInput(f"{player} is not a player of this session")
            open_ = record.crown_open if crown_open is None else crown_open
            return record.evolve(crown=player, crown_open=open_)

        await self._update(key, None, change, NewEvent("crown_moved", {"holder": player}))

    async def twist(self, key: SessionKey, holder: str, text: str) -> None:
        """A line the narrator must weave into the next consequence."""
        cleaned = self.check_action(text)
        # the twist's text stays a surprise: the others learn only that one is coming
        twisted = NewEvent("twist_set", {"holder": holder})
        await self._update(key, holder, lambda r: r.evolve(twist=cleaned), twisted)

    async def set_mode(self, key: SessionKey, mode: VotingMode, *, player: str | None) -> None:
        """Change the voting mode; with a crown held, only its holder may."""

        def change(record: SessionRecord) -> SessionRecord:
            holder_only(record, player, "change the voting mode")
            return record.evolve(mode=VotingMode(mode))

        changed = NewEvent("mode_changed", {"mode": VotingMode(mode).value, "by": player})
        await self._update(key, None, change, changed)

    async def veto(
        self,
        key: SessionKey,
        holder: str,
        choice: int,
        *,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> None:
        """Strike a listed choice for this turn (``turn`` of ``game_id``, if named:
        :class:`WrongTurn` otherwise); votes for it are discarded."""

        def change(record: SessionRecord) -> SessionRecord:
            self._check_ready(record)
            if turn is not None or game_id is not None:
                check_turn(record, turn, game_id)
            self._offered(record, choice)
            assert record.game is not None
            vetoed = tuple(sorted({*record.vetoed, choice}))
            if len(vetoed) >= len(record.game.choices):
                raise InvalidAction("at least one choice must stay open")
            window = drop_choice(record.window, choice) if record.window else None
            return record.evolve(vetoed=vetoed, window=window)

        await self._update(key, holder, change, NewEvent("vetoed", {"choice": choice}))

    async def force(
        self,
        key: SessionKey,
        holder: str,
        *,
        choice: int | None = None,
        action: str | None = None,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> VoteReceipt:
        """The crown closes the window now with its own pick (for ``turn`` of
        ``game_id``, if named: :class:`WrongTurn` otherwise)."""
        if (choice is None) == (action is None):
            raise InvalidAction("force either a choice number or an action")
        if action is not None:
            action = self.check_action(action)
        async with self._lock(key):
            record = await self._load(key)
            if record.crown != holder:
                raise Forbidden("only the crown holder can do that")
            self._check_ready(record)
            assert record.game is not None
            if turn is not None or game_id is not None:
                check_turn(record, turn, game_id)
            if choice is not None:
                self._offered(record, choice)
            now = self.clock.now()
            ballot = Vote(holder, choice, action, now)
            window = cast(record.window or VoteWindow(record.game.state.turn + 1, now, now), ballot)
            lease = await self.runtime.lease_for_turn(key)
            closed = await self._close_window(
                record.evolve(window=window), window, "forced", lease, ballot
            )
        self.background(self._resolve_held(closed, lease))
        return VoteReceipt(window.turn, holder, ballot.candidate, True, None, len(window.votes))
