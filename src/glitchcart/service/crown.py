"""The crown: the co-game-master role one player may hold, and its powers
(pass it on, set a twist, change the voting mode, veto a choice, force the turn).

Each power is a change of the record, committed under the session lock with a
version check; forcing closes the window through :class:`Voting`.
"""

from __future__ import annotations

from collections.abc import Callable

from glitchcart.core.actions import check_action, offered
from glitchcart.core.crown import holder_only
from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import check_player_id, find
from glitchcart.core.session import SessionRecord, check_turn
from glitchcart.core.votes import Vote, VoteWindow, VotingMode, cast, drop_choice
from glitchcart.errors import Forbidden, InvalidAction, InvalidInput
from glitchcart.ports import Clock, NewEvent
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.voting import VoteReceipt, Voting
from glitchcart.settings import Settings


class Crown:
    """Who holds the crown, and what the holder may do."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        pipeline: TurnPipeline,
        voting: Voting,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.voting = voting
        self.clock = clock
        self.settings = settings

    async def _update(
        self,
        key: SessionKey,
        holder: str | None,
        change: Callable[[SessionRecord], SessionRecord],
        *events: NewEvent,
    ) -> SessionRecord:
        """Commit ``change(record)`` with ``events``; ``holder`` must hold the crown if given."""

        def guarded(record: SessionRecord) -> SessionRecord:
            if holder is not None and record.crown != holder:
                raise Forbidden("only the crown holder can do that")
            return change(record)

        return await self.runtime.update(key, guarded, events)

    async def take_crown(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Take a free crown, if the session lets players take it."""
        check_player_id(player)

        def change(record: SessionRecord) -> SessionRecord:
            if record.crown is not None:
                raise Forbidden("the crown is already held")
            if not record.crown_open:
                raise Forbidden("the crown can't be taken in this session")
            roster = self.voting.seat(record, player, name)
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
        cleaned = check_action(text, self.settings.max_action_length)
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
            record.check_ready()
            assert record.game is not None
            if turn is not None or game_id is not None:
                check_turn(record, turn, game_id)
            offered(record.game.choices, choice)
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
            action = check_action(action, self.settings.max_action_length)
        async with self.runtime.lock(key):
            record = await self.runtime.load(key)
            if record.crown != holder:
                raise Forbidden("only the crown holder can do that")
            record.check_ready()
            assert record.game is not None
            if turn is not None or game_id is not None:
                check_turn(record, turn, game_id)
            if choice is not None:
                offered(record.game.choices, choice)
            now = self.clock.now()
            ballot = Vote(holder, choice, action, now)
            window = cast(record.window or VoteWindow(record.game.state.turn + 1, now, now), ballot)
            lease = await self.runtime.lease_for_turn(key)
            closed = await self.voting.close_window(
                record.evolve(window=window), window, "forced", lease, ballot
            )
        self.pipeline.resolve_later(closed, lease)
        return VoteReceipt(window.turn, holder, ballot.candidate, True, None, len(window.votes))
