"""The game engine: boots cartridges into sessions and runs the turn pipeline.

A turn goes through four stages (DESIGN.md, "The turn pipeline"):

1. **close** — under the session lock: validate the input, roll fate, derive the
   turn seed, and commit the session as RESOLVING with the pending turn.
2. **narrate** — no lock: the narrator writes the consequence and a state delta;
   the rules (:func:`apply_delta`) decide the new state.
3. **paint** — no lock, concurrently with writing the next choices.
4. **commit** — under the lock, version-checked: the new state, the turn record,
   the frame ref and the choices are committed together.

A session found RESOLVING that no task of this engine is working on (the process
died mid-turn) is resumed from its stored pending turn, so a turn is never lost;
the version check makes a duplicate resolution harmless, so it is never doubled.

Usage::

    engine = Engine(store=..., media=..., narrator=..., painter=..., cartridges=...,
                    clock=SystemClock(), settings=load_settings())
    key = SessionKey.parse("cli:alice")
    first = await engine.start(key, "dust-signal", seed=7)
    nxt = await engine.choose(key, 1)
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fallback import fallback_choices, fallback_delta, fallback_narration
from glitchcart.core.fate import Fate, roll_fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.resolver import check_ref
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.core.session import GameRecord, PendingTurn, Phase, SessionRecord, empty_session
from glitchcart.core.state import (
    DeathRuleContext,
    StateDelta,
    WorldState,
    apply_delta,
    initial_state,
)
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.errors import (
    GameOver,
    InvalidAction,
    NoGameRunning,
    ProviderError,
    SessionNotFound,
    StaleVersion,
    TurnResolving,
)
from glitchcart.ports import (
    CartridgeSource,
    ChoiceRequest,
    Clock,
    MediaStore,
    Narration,
    NarrationRequest,
    Narrator,
    Painter,
    PaintRequest,
    SessionStore,
    SessionSummary,
)
from glitchcart.settings import Settings


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


class Engine:
    """Runs every session of one process. Holds no session state between calls."""

    def __init__(
        self,
        *,
        store: SessionStore,
        media: MediaStore,
        narrator: Narrator,
        painter: Painter,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
        new_id: Callable[[], str] = lambda: secrets.token_hex(6),
        new_seed: Callable[[], int] = lambda: secrets.randbits(48),
    ) -> None:
        self.store = store
        self.media = media
        self.narrator = narrator
        self.painter = painter
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings
        self._new_id = new_id
        self._new_seed = new_seed
        self._locks: weakref.WeakValueDictionary[SessionKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._inflight: set[SessionKey] = set()

    # ------------------------------------------------------------ public API

    async def start(
        self,
        key: SessionKey,
        cartridge_id: str,
        *,
        seed: int | None = None,
        player: str | None = None,
    ) -> TurnRecord:
        """Boot a cartridge into the session as a new game; returns the prologue turn."""
        cartridge = self.cartridges.get(cartridge_id)
        return await self._begin(key, cartridge, seed, player, require_game=False)

    async def reset(self, key: SessionKey, *, player: str | None = None) -> TurnRecord:
        """Start the session's cartridge over as a new game with a seed derived from the old."""
        record = await self._load(key)
        if record.game is None:
            raise NoGameRunning(f"session {key} has no game to reset")
        cartridge = self.cartridges.get(record.game.cartridge)
        seed = derive_seed(record.game.seed, "reset", record.game.game_id)
        return await self._begin(key, cartridge, seed, player, require_game=True)

    async def choose(
        self, key: SessionKey, number: int, *, player: str | None = None
    ) -> TurnRecord:
        """Take offered choice ``number`` (1-based)."""

        def make(record: SessionRecord, cartridge: Cartridge) -> TurnInput:
            assert record.game is not None
            choices = record.game.choices
            if (
                isinstance(number, bool)
                or not isinstance(number, int)
                or not 1 <= number <= len(choices)
            ):
                raise InvalidAction(f"choice must be a number from 1 to {len(choices)}")
            choice = choices[number - 1]
            return TurnInput(InputKind.CHOICE, choice.text, player, choice)

        return await self._turn(key, make)

    async def act(self, key: SessionKey, text: str, *, player: str | None = None) -> TurnRecord:
        """Take a free action, treated as the player's intent."""
        cleaned = self.check_action(text)

        def make(record: SessionRecord, cartridge: Cartridge) -> TurnInput:
            return TurnInput(InputKind.ACTION, cleaned, player)

        return await self._turn(key, make)

    async def hesitate(self, key: SessionKey) -> TurnRecord:
        """The timeout penalty: a fate roll, a consequence in place, a real death check."""
        return await self._turn(key, lambda r, c: TurnInput(InputKind.HESITATE, "(hesitated)"))

    async def tick(self, key: SessionKey) -> TurnRecord:
        """Time advances: a short situation report and fresh choices."""
        return await self._turn(key, lambda r, c: TurnInput(InputKind.TICK, "(time passes)"))

    async def regenerate(self, key: SessionKey) -> Snapshot:
        """New choices for the same state. Runs the model outside the lock."""
        record = await self._load_ready(key)
        assert record.game is not None
        game = record.game
        cartridge = self.cartridges.get(game.cartridge)
        regen = game.regenerations + 1
        turn_seed = derive_seed(game.seed, "turn", game.state.turn)
        choices = await self._choices(
            cartridge,
            game.state,
            derive_seed(turn_seed, "choices", regen),
            "",
            game.choices,
            key,
            game.game_id,
        )
        async with self._lock(key):
            current = await self._load(key)
            if current.version != record.version:
                raise StaleVersion("the turn moved on while new choices were written; try again")
            new_game = replace(
                game, choices=choices, regenerations=regen, updated_at=self.clock.now()
            )
            await self.store.commit(
                current.evolve(game=new_game, version=current.version + 1),
                expected_version=current.version,
            )
        return await self.snapshot(key)

    async def snapshot(self, key: SessionKey) -> Snapshot:
        record = await self._load(key)
        last = None
        if record.game is not None:
            turn = record.game.state.turn
            found = await self.store.history(record.game.game_id, start=turn, limit=1)
            last = found[0] if found else None
        title = None
        if record.game is not None:
            title = self.cartridges.get(record.game.cartridge).title
        return Snapshot(
            key=record.key,
            version=record.version,
            phase=record.phase,
            cartridge=record.game.cartridge if record.game else None,
            title=title,
            game_id=record.game.game_id if record.game else None,
            seed=record.game.seed if record.game else None,
            state=record.game.state if record.game else None,
            choices=record.game.choices if record.game else (),
            last=last,
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
        """Delete a session, its history and its media."""
        async with self._lock(key):
            if not await self.store.delete(key):
                raise SessionNotFound(f"no session {key}")
            await self.media.delete_session(key)

    async def frame(self, key: SessionKey, ref: MediaRef) -> bytes:
        """The bytes of a frame, refusing a ref of another session."""
        check_ref(ref, key)
        return await self.media.get(ref)

    async def recover(self, key: SessionKey) -> TurnRecord | None:
        """Finish a turn left RESOLVING by a process that died; None if there was none."""
        record = await self.store.load(key)
        if record is None or record.phase is not Phase.RESOLVING or key in self._inflight:
            return None
        return await self._resolve_tracked(record)

    def check_action(self, text: str) -> str:
        """Validate free-action text at the edge; returns it stripped."""
        if not isinstance(text, str):
            raise InvalidAction("an action must be text")
        cleaned = " ".join(text.split())
        if not cleaned:
            raise InvalidAction("an action cannot be empty")
        if len(cleaned) > self.settings.max_action_length:
            raise InvalidAction(
                f"an action is at most {self.settings.max_action_length} characters "
                f"(got {len(cleaned)})"
            )
        if any(ord(c) < 32 or c == "\x7f" for c in cleaned):
            raise InvalidAction("an action cannot contain control characters")
        return cleaned

    # ------------------------------------------------------------ stages

    def _lock(self, key: SessionKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _load(self, key: SessionKey) -> SessionRecord:
        record = await self.store.load(key)
        if record is None:
            raise SessionNotFound(f"no session {key}; start one with a cartridge")
        return record

    async def _load_ready(self, key: SessionKey) -> SessionRecord:
        await self.recover(key)
        record = await self._load(key)
        self._check_ready(record)
        return record

    def _check_ready(self, record: SessionRecord) -> None:
        if record.game is None or record.phase is Phase.EMPTY:
            raise NoGameRunning(f"session {record.key} has no game running")
        if record.phase is Phase.RESOLVING:
            raise TurnResolving("the turn is resolving; try again in a moment")
        if record.phase is Phase.OVER or not record.game.state.alive:
            raise GameOver("the character is dead; reset or start a new game")

    async def _begin(
        self,
        key: SessionKey,
        cartridge: Cartridge,
        seed: int | None,
        player: str | None,
        *,
        require_game: bool,
    ) -> TurnRecord:
        await self.recover(key)
        seed = self._new_seed() if seed is None else seed
        async with self._lock(key):
            record = await self.store.load(key) or empty_session(key)
            if require_game and record.game is None:
                raise NoGameRunning(f"session {key} has no game to reset")
            if record.phase is Phase.RESOLVING:
                raise TurnResolving("the turn is resolving; try again in a moment")
            opening_index = rng_for(seed, "opening").randrange(len(cartridge.openings))
            opening = cartridge.openings[opening_index]
            now = self.clock.now()
            game = GameRecord(
                game_id=self._new_id(),
                cartridge=cartridge.id,
                seed=seed,
                opening=opening_index,
                state=initial_state(cartridge, opening.location, opening.time_of_day),
                choices=(),
                regenerations=0,
                created_at=now,
                updated_at=now,
            )
            pending = PendingTurn(
                turn=0,
                input=TurnInput(InputKind.START, f"start {cartridge.id}", player),
                fate=None,
                turn_seed=derive_seed(seed, "turn", 0),
                closed_at=now,
            )
            closed = await self.store.commit(
                record.evolve(
                    phase=Phase.RESOLVING, game=game, pending=pending, version=record.version + 1
                ),
                expected_version=record.version,
            )
            self._inflight.add(key)
        return await self._resolve_tracked(closed, claimed=True)

    async def _turn(
        self, key: SessionKey, make: Callable[[SessionRecord, Cartridge], TurnInput]
    ) -> TurnRecord:
        """Stage 1 (close) under the lock, then resolve."""
        await self.recover(key)
        async with self._lock(key):
            record = await self._load(key)
            self._check_ready(record)
            assert record.game is not None
            cartridge = self.cartridges.get(record.game.cartridge)
            turn_input = make(record, cartridge)
            state = record.game.state
            turn = state.turn + 1
            turn_seed = derive_seed(record.game.seed, "turn", turn)
            fate = None
            if turn_input.kind is not InputKind.TICK:
                fate = roll_fate(cartridge.fate, state.chaos, rng_for(turn_seed, "fate"))
            pending = PendingTurn(turn, turn_input, fate, turn_seed, self.clock.now())
            closed = await self.store.commit(
                record.evolve(phase=Phase.RESOLVING, pending=pending, version=record.version + 1),
                expected_version=record.version,
            )
            self._inflight.add(key)
        return await self._resolve_tracked(closed, claimed=True)

    async def _resolve_tracked(self, record: SessionRecord, *, claimed: bool = False) -> TurnRecord:
        if not claimed:
            if record.key in self._inflight:
                raise TurnResolving("the turn is resolving; try again in a moment")
            self._inflight.add(record.key)
        try:
            return await self._resolve(record)
        finally:
            self._inflight.discard(record.key)

    async def _resolve(self, record: SessionRecord) -> TurnRecord:
        """Stages 2-4 for the pending turn of ``record`` (which is RESOLVING)."""
        assert record.game is not None and record.pending is not None
        game, pending = record.game, record.pending
        cartridge = self.cartridges.get(game.cartridge)
        turn_input = pending.input

        # 2. narrate (no lock)
        fallback = False
        if turn_input.kind is InputKind.START:
            new_state = game.state
            delta = StateDelta(event=f"arrived at {cartridge.location(new_state.location).name}")
            try:
                narration_text = await self.narrator.prologue(
                    cartridge, new_state, pending.turn_seed
                )
            except ProviderError:
                narration_text = cartridge.openings[game.opening].prologue
                fallback = True
        else:
            narration, fallback = await self._narrate(
                cartridge, game.state, pending, record.key, game.game_id
            )
            narration_text, delta = narration.text, narration.delta
            ctx = DeathRuleContext(pending.fate, hesitation=turn_input.kind is InputKind.HESITATE)
            new_state = apply_delta(cartridge, game.state, delta, ctx)

        # 3. paint, concurrently with writing the next choices (no lock)
        frame_ref = MediaRef(record.key, "frame", f"{game.game_id}-{pending.turn:05d}.png")
        choices_task = (
            self._choices(
                cartridge,
                new_state,
                derive_seed(pending.turn_seed, "choices", 0),
                narration_text,
                (),
                record.key,
                game.game_id,
            )
            if new_state.alive
            else _no_choices()
        )
        choices, frame = await asyncio.gather(
            choices_task,
            self._paint(cartridge, new_state, narration_text, pending, frame_ref, game.game_id),
        )

        # 4. commit (under the lock, version-checked)
        now = self.clock.now()
        turn_record = TurnRecord(
            game_id=game.game_id,
            turn=pending.turn,
            input=turn_input,
            fate=pending.fate,
            narration=narration_text,
            delta=delta,
            state=new_state,
            choices=choices,
            frame=frame,
            turn_seed=pending.turn_seed,
            created_at=now,
            fallback=fallback,
        )
        new_game = replace(game, state=new_state, choices=choices, regenerations=0, updated_at=now)
        async with self._lock(record.key):
            try:
                await self.store.commit(
                    record.evolve(
                        phase=Phase.READY if new_state.alive else Phase.OVER,
                        game=new_game,
                        pending=None,
                        version=record.version + 1,
                    ),
                    expected_version=record.version,
                    turns=[turn_record],
                )
            except StaleVersion:
                # Another resolver (a second process) committed this turn first.
                committed = await self.store.history(game.game_id, start=pending.turn, limit=1)
                if committed and committed[0].turn == pending.turn:
                    return committed[0]
                raise
        return turn_record

    async def _narrate(
        self,
        cartridge: Cartridge,
        state: WorldState,
        pending: PendingTurn,
        key: SessionKey,
        game_id: str,
    ) -> tuple[Narration, bool]:
        request = NarrationRequest(
            cartridge=cartridge,
            state=state,
            input=pending.input,
            fate=pending.fate,
            turn_seed=pending.turn_seed,
            recent=state.recent_events,
            session=key,
            game_id=game_id,
        )
        try:
            return await self.narrator.narrate(request), False
        except ProviderError:
            text = fallback_narration(cartridge, state, pending.input)
            return Narration(text, fallback_delta(pending.input)), True

    async def _choices(
        self,
        cartridge: Cartridge,
        state: WorldState,
        seed: int,
        narration: str,
        avoid: tuple[Choice, ...],
        key: SessionKey,
        game_id: str,
    ) -> tuple[Choice, ...]:
        request = ChoiceRequest(
            cartridge=cartridge,
            state=state,
            turn_seed=seed,
            count=cartridge.choice_count,
            narration=narration,
            avoid=tuple(c.text for c in avoid),
            session=key,
            game_id=game_id,
        )
        try:
            choices = await self.narrator.choices(request)
        except ProviderError:
            return fallback_choices(cartridge, state, cartridge.choice_count)
        return choices or fallback_choices(cartridge, state, cartridge.choice_count)

    async def _paint(
        self,
        cartridge: Cartridge,
        state: WorldState,
        narration: str,
        pending: PendingTurn,
        ref: MediaRef,
        game_id: str,
    ) -> MediaRef | None:
        """Paint and store the frame; a failed painter leaves the turn without one."""
        if not self.settings.pictures:
            return None
        if await self.media.exists(ref):
            return ref  # an earlier attempt at this turn already painted it
        scene = self.narrator.scene(cartridge, state, narration, pending.fate)
        request = PaintRequest(
            cartridge=cartridge,
            scene=scene,
            seed=derive_seed(pending.turn_seed, "paint"),
            width=self.settings.frame_width,
            height=self.settings.frame_height,
            session=ref.session,
            game_id=game_id,
        )
        try:
            png = await self.painter.paint(request)
        except ProviderError:
            return None
        await self.media.put(ref, png)
        return ref


async def _no_choices() -> tuple[Choice, ...]:
    return ()


__all__ = ["Engine", "Fate", "Snapshot"]
