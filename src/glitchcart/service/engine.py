"""The game engine: the one service every surface talks to.

It combines the turn pipeline (:mod:`glitchcart.service.pipeline`), multiplayer
voting and the crown (:mod:`glitchcart.service.voting`) and the game lifecycle
(:mod:`glitchcart.service.lifecycle`), and adds the single-player moves.

Usage::

    engine = Engine(store=..., media=..., narrator=..., painter=..., cartridges=...,
                    clock=SystemClock(), settings=load_settings())
    key = SessionKey.parse("cli:alice")
    first = await engine.start(key, "dust-signal", seed=7)
    nxt = await engine.choose(key, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.crown import UNNAMED, Unnamed, holder_only, no_votes_lost
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.resolver import check_ref
from glitchcart.core.roster import Player, Tier, tier_of
from glitchcart.core.seeds import derive_seed
from glitchcart.core.session import Phase, SessionRecord
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.core.votes import VoteWindow, VotingMode
from glitchcart.errors import Conflict, PreconditionFailed, SessionNotFound, StaleVersion
from glitchcart.ports import NewEvent, SessionSummary
from glitchcart.service.lifecycle import Lifecycle
from glitchcart.service.voting import Voting


@dataclass(frozen=True, slots=True)
class PlayerView:
    id: str
    name: str
    tier: Tier


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a surface shows of a session right now."""

    key: SessionKey
    version: int
    phase: Phase
    cartridge: str | None
    title: str | None
    game_id: str | None
    seed: int | None
    state: WorldState | None
    choices: tuple[Choice, ...]
    last: TurnRecord | None
    mode: VotingMode = VotingMode.DEMOCRACY
    roster: tuple[PlayerView, ...] = ()
    crown: str | None = None
    window: VoteWindow | None = None
    vetoed: tuple[int, ...] = ()
    paused: bool = False
    idle_deadline: float | None = None
    options: SessionOptions = field(default_factory=SessionOptions)


class Engine(Voting, Lifecycle):
    """Runs every session of one process. Holds no session state between calls."""

    # ------------------------------------------------------------ single player

    async def choose(
        self,
        key: SessionKey,
        number: int,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        """Take offered choice ``number`` (1-based) at once, without a vote.

        With ``expected_version`` (HTTP If-Match) the turn is refused with
        :class:`PreconditionFailed` unless the session is still at that version;
        the same holds for :meth:`act`, :meth:`hesitate` and :meth:`tick`.
        """

        def make(record: SessionRecord, cartridge: Cartridge) -> TurnInput:
            assert record.game is not None
            choice = self._offered(record, number)
            return TurnInput(InputKind.CHOICE, choice.text, player, choice)

        return await self._direct(key, make, expected_version, player=player)

    async def act(
        self,
        key: SessionKey,
        text: str,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        """Take a free action at once, treated as the player's intent."""
        cleaned = self.check_action(text)
        return await self._direct(
            key,
            lambda r, c: TurnInput(InputKind.ACTION, cleaned, player),
            expected_version,
            player=player,
        )

    async def hesitate(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        """The timeout penalty: a fate roll, a consequence in place, a real death check."""
        return await self._direct(
            key, lambda r, c: TurnInput(InputKind.HESITATE, "(hesitated)"), expected_version
        )

    async def tick(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        """Time advances: a short situation report and fresh choices."""
        return await self._direct(
            key, lambda r, c: TurnInput(InputKind.TICK, "(time passes)"), expected_version
        )

    async def _direct(
        self,
        key: SessionKey,
        make: Callable[[SessionRecord, Cartridge], TurnInput],
        expected_version: int | None = None,
        *,
        player: str | Unnamed | None = UNNAMED,
    ) -> TurnRecord:
        """Close a turn with ``make``'s input under the lock, then resolve it. A move by
        ``player`` (a choice, an action) is the crown holder's while a crown is held;
        the timers' moves (hesitation, a tick) name nobody."""
        async with self._lock(key):
            record = await self._load_live(key)
            if expected_version is not None and record.version != expected_version:
                raise PreconditionFailed(
                    f"the session is at version {record.version}, not {expected_version}"
                )
            if not isinstance(player, Unnamed):
                holder_only(record, player, "take a direct turn")
            self._check_ready(record)
            if record.window is not None:
                raise Conflict("a vote is open this turn; cast a vote instead")
            assert record.game is not None
            cartridge = self.cartridges.get(record.game.cartridge)
            pending = self._pending(record, cartridge, make(record, cartridge))
            lease = await self.runtime.lease_for_turn(key)
            closed = await self._close(record, pending, lease)
        return await self._resolve_held(closed, lease)

    async def regenerate(self, key: SessionKey, *, player: str | None = None) -> Snapshot:
        """New choices for the same state. Runs the model outside the lock.

        While a crown is held only its holder may. Refused while the open window holds
        votes: new choices would void them (the players would have voted for choices
        that are gone), so the votes are never dropped silently."""
        await self.recover(key)
        record = await self._load(key)
        holder_only(record, player, "ask for new choices")
        self._check_ready(record)
        no_votes_lost(record)
        assert record.game is not None
        game = record.game
        cartridge = self.cartridges.get(game.cartridge)
        regen = game.regenerations + 1
        seed = derive_seed(derive_seed(game.seed, "turn", game.state.turn), "choices", regen)
        choices = await self._choices(
            cartridge,
            game.state,
            seed,
            "",
            game.choices,
            key,
            game.game_id,
            record.options.providers,
        )
        async with self._lock(key):
            current = await self._load(key)
            no_votes_lost(current)
            if current.version != record.version:
                raise StaleVersion("the turn moved on while new choices were written; try again")
            new_game = replace(
                game, choices=choices, regenerations=regen, updated_at=self.clock.now()
            )
            shown = {"turn": game.state.turn, "choices": [c.to_dict() for c in choices]}
            await self._commit(
                current.evolve(game=new_game, window=None, vetoed=()),
                events=(NewEvent("choices", shown),),
            )
        return await self.snapshot(key)

    # ------------------------------------------------------------ reading

    async def snapshot(self, key: SessionKey) -> Snapshot:
        record = await self._load(key)
        game = record.game
        last = None
        if game is not None:
            found = await self.store.history(game.game_id, start=game.state.turn, limit=1)
            last = found[0] if found else None
        now = self.clock.now()
        return Snapshot(
            key=record.key,
            version=record.version,
            phase=record.phase,
            cartridge=game.cartridge if game else None,
            title=self.cartridges.get(game.cartridge).title if game else None,
            game_id=game.game_id if game else None,
            seed=game.seed if game else None,
            state=game.state if game else None,
            choices=game.choices if game else (),
            last=last,
            mode=record.mode,
            roster=tuple(self._view(p, record, now) for p in record.roster),
            crown=record.crown,
            window=record.window,
            vetoed=record.vetoed,
            paused=record.paused,
            idle_deadline=record.idle_deadline,
            options=record.options,
        )

    def _view(self, player: Player, record: SessionRecord, now: float) -> PlayerView:
        return PlayerView(
            player.id, player.name, tier_of(player, record.turn_counter, now, self.tiers)
        )

    async def exists(self, key: SessionKey) -> bool:
        return await self.store.load(key) is not None

    async def history(
        self, key: SessionKey, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        record = await self._load(key)
        if record.game is None:
            return []
        return await self.store.history(record.game.game_id, start=start, limit=limit)

    async def list_sessions(self) -> list[SessionSummary]:
        return await self.store.list_sessions()

    async def delete_session(self, key: SessionKey) -> None:
        """Delete a session, its history, its saved games and its media."""
        async with self._lock(key):
            if not await self.store.delete(key):
                raise SessionNotFound(f"no session {key}")
            await self.media.delete_session(key)
        for listener in self.deadline_listeners:
            listener(key, None)

    async def frame(self, key: SessionKey, ref: MediaRef) -> bytes:
        """The bytes of a frame, refusing a ref of another session."""
        check_ref(ref, key)
        return await self.media.get(ref)
