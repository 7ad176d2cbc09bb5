"""The turn pipeline every kind of turn goes through.

1. **close** — under the session lock: validate the input, roll fate, derive the
   turn seed, and commit the session as RESOLVING with the pending turn (and the
   vote tally, if the turn was voted). Late votes get a clear "resolving" answer.
2. **narrate** — no lock: the narrator writes the consequence and a state delta;
   the rules (:func:`apply_delta`) decide the new state. Published at once.
3. **paint** — no lock, concurrently with writing the next choices.
4. **commit** — under the lock, version-checked: the new state, the turn record,
   the frame ref and the choices are committed together; the next turn opens.

A session found RESOLVING that no task of this process is working on (the
process died mid-turn) is resumed from its stored pending turn, so a turn is
never lost; the version check makes a duplicate resolution harmless, so it is
never doubled.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from typing import Any

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import roll_fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.roster import TierThresholds
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.core.session import PendingTurn, Phase, SessionRecord
from glitchcart.core.state import DeathRuleContext, StateDelta, apply_delta
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.core.votes import Tally
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
    Clock,
    EventBus,
    MediaStore,
    Narrator,
    Painter,
    PrologueRequest,
    SessionStore,
)
from glitchcart.service.aftermath import Aftermath
from glitchcart.service.films import FilmService
from glitchcart.service.stages import ProviderStages
from glitchcart.service.tapes import TapeService
from glitchcart.settings import Settings

DeadlineListener = Callable[[SessionKey, float | None], None]
log = logging.getLogger(__name__)


class TurnPipeline(ProviderStages, Aftermath):
    """Owns the locks and the four stages; holds no session state between calls."""

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
        events: EventBus | None = None,
        tapes: TapeService | None = None,
        films: FilmService | None = None,
        notices: Callable[[SessionKey], list[str]] | None = None,
        providers: Mapping[str, str] | None = None,
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
        self.events = events
        self.tapes = tapes
        self.films = films
        self._notices = notices
        self.providers = dict(providers or {})  # configured model providers: name -> "chat"|"image"
        self._new_id = new_id
        self._new_seed = new_seed
        self._locks: weakref.WeakValueDictionary[SessionKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._inflight: set[SessionKey] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.deadline_listeners: list[DeadlineListener] = []
        self.tiers = TierThresholds(
            active_turns=settings.active_turns,
            active_seconds=settings.active_seconds,
            idle_turns=settings.idle_turns,
            idle_seconds=settings.idle_seconds_tier,
        )

    # ------------------------------------------------------------ helpers

    def background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a turn resolution in the background. A failure is logged, never lost:
        the session stays RESOLVING and is recovered on next access or restart."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background turn failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until every background resolution has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _offered(self, record: SessionRecord, number: object) -> Choice:
        """The listed choice ``number`` (1-based), or a clear error."""
        assert record.game is not None
        choices = record.game.choices
        if (
            isinstance(number, bool)
            or not isinstance(number, int)
            or not 1 <= number <= len(choices)
        ):
            raise InvalidAction(f"choice must be a number from 1 to {len(choices)}")
        return choices[number - 1]

    def _lock(self, key: SessionKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _load(self, key: SessionKey) -> SessionRecord:
        record = await self.store.load(key)
        if record is None:
            raise SessionNotFound(f"no session {key}; boot a cartridge into it first")
        return record

    async def _load_live(self, key: SessionKey) -> SessionRecord:
        """Load under the lock; a turn orphaned in RESOLVING is resumed in the background."""
        record = await self._load(key)
        if record.phase is Phase.RESOLVING and key not in self._inflight:
            self._inflight.add(key)
            self.background(self._resolve_tracked(record))
        return record

    def _check_ready(self, record: SessionRecord) -> None:
        if record.game is None or record.phase is Phase.EMPTY:
            raise NoGameRunning(f"session {record.key} has no game running")
        if record.phase is Phase.RESOLVING:
            raise TurnResolving("the turn is resolving; try again in a moment")
        if record.phase is Phase.OVER or not record.game.state.alive:
            raise GameOver("the character is dead; reset or start a new game")

    async def _commit(
        self,
        record: SessionRecord,
        *,
        turns: tuple[TurnRecord, ...] = (),
    ) -> SessionRecord:
        """Commit ``record`` over the version it was loaded at; tell the timers."""
        committed = await self.store.commit(
            record.evolve(version=record.version + 1),
            expected_version=record.version,
            turns=turns,
        )
        for listener in self.deadline_listeners:
            listener(committed.key, committed.next_deadline())
        return committed

    async def _publish(self, key: SessionKey, kind: str, data: dict[str, Any]) -> None:
        if self.events is not None:
            await self.events.publish(key, kind, data)

    def check_action(self, text: str) -> str:
        """Validate free-action text at the edge; returns it with spacing folded."""
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
        if any(not c.isprintable() for c in cleaned):
            raise InvalidAction("an action cannot contain control characters")
        return cleaned

    # ------------------------------------------------------------ stage 1: close

    def _pending(
        self,
        record: SessionRecord,
        cartridge: Cartridge,
        turn_input: TurnInput,
        tally: Tally | None = None,
    ) -> PendingTurn:
        """The pending turn for ``turn_input``: turn number, seed, fate, tally, twist."""
        assert record.game is not None
        state = record.game.state
        turn = state.turn + 1
        turn_seed = derive_seed(record.game.seed, "turn", turn)
        fate = None
        if turn_input.kind is not InputKind.TICK:
            fate = roll_fate(cartridge.fate, state.chaos, rng_for(turn_seed, "fate"))
        return PendingTurn(turn, turn_input, fate, turn_seed, self.clock.now(), tally, record.twist)

    async def _close(self, record: SessionRecord, pending: PendingTurn) -> SessionRecord:
        """Commit the session as RESOLVING with ``pending`` (caller holds the lock)."""
        closed = await self._commit(
            record.evolve(
                phase=Phase.RESOLVING,
                pending=pending,
                window=None,
                vetoed=(),
                twist=None,
                idle_deadline=None,
            )
        )
        self._inflight.add(record.key)
        await self._publish(
            record.key,
            "turn_resolving",
            {
                "turn": pending.turn,
                "input": pending.input.to_dict(),
                "fate": pending.fate.value if pending.fate else None,
                "tally": pending.tally.to_dict() if pending.tally else None,
            },
        )
        return closed

    # ------------------------------------------------------------ stages 2-4

    async def recover(self, key: SessionKey) -> TurnRecord | None:
        """Finish a turn left RESOLVING by a process that died; None if there was none."""
        record = await self.store.load(key)
        if record is None or record.phase is not Phase.RESOLVING or key in self._inflight:
            return None
        self._inflight.add(key)
        return await self._resolve_tracked(record)

    async def _resolve_tracked(self, record: SessionRecord) -> TurnRecord:
        """Resolve a closed turn; the key must already be marked in flight."""
        try:
            return await self._resolve(record)
        finally:
            self._inflight.discard(record.key)

    async def _resolve(self, record: SessionRecord) -> TurnRecord:
        """Stages 2-4 for the pending turn of ``record`` (which is RESOLVING)."""
        assert record.game is not None and record.pending is not None
        game, pending, key, options = record.game, record.pending, record.key, record.options
        cartridge = self.cartridges.get(game.cartridge)
        turn_input = pending.input

        # 2. narrate (no lock)
        fallback = False
        if turn_input.kind is InputKind.START:
            new_state = game.state
            delta = StateDelta(event=f"arrived at {cartridge.location(new_state.location).name}")
            opening = PrologueRequest(
                cartridge, new_state, pending.turn_seed, key, game.game_id, options.providers
            )
            try:
                text = await self.narrator.prologue(opening)
            except ProviderError:
                text, fallback = cartridge.openings[game.opening].prologue, True
        else:
            narration, fallback = await self._narrate(
                cartridge, game.state, pending, key, game.game_id, options.providers
            )
            text, delta = narration.text, narration.delta
            ctx = DeathRuleContext(pending.fate, hesitation=turn_input.kind is InputKind.HESITATE)
            new_state = apply_delta(cartridge, game.state, delta, ctx)
        await self._publish(
            key, "narration", {"game_id": game.game_id, "turn": pending.turn, "text": text}
        )

        # 3. paint, concurrently with writing the next choices (no lock)
        ext = "gif" if options.wants_flipbook(default=self.settings.flipbook) else "png"
        frame_ref = MediaRef(key, "frame", f"{game.game_id}-{pending.turn:05d}.{ext}")
        seed = derive_seed(pending.turn_seed, "choices", 0)
        choices_task = (
            self._choices_shown(
                cartridge, new_state, seed, text, key, game.game_id, pending.turn, options
            )
            if new_state.alive
            else _no_choices()
        )
        choices, frame = await asyncio.gather(
            choices_task,
            self._paint(cartridge, new_state, text, pending, frame_ref, game.game_id, options),
        )

        # 4. commit (under the lock, version-checked)
        now = self.clock.now()
        turn_record = TurnRecord(
            game_id=game.game_id,
            turn=pending.turn,
            input=turn_input,
            fate=pending.fate,
            narration=text,
            delta=delta,
            state=new_state,
            choices=choices,
            frame=frame,
            turn_seed=pending.turn_seed,
            created_at=now,
            fallback=fallback,
            tally=pending.tally,
            twist=pending.twist,
        )
        new_game = replace(game, state=new_state, choices=choices, regenerations=0, updated_at=now)
        idle = cartridge.timing.idle_seconds
        async with self._lock(key):
            # Commit over the record as it is now: players may have joined, or the
            # crown changed hands, while the providers worked.
            current = await self.store.load(key)
            try:
                if current is None or not current.awaits(game.game_id, pending):
                    raise StaleVersion(f"turn {pending.turn} of {key} is no longer resolving")
                await self._commit(
                    current.evolve(
                        phase=Phase.READY if new_state.alive else Phase.OVER,
                        game=new_game,
                        pending=None,
                        turn_counter=current.turn_counter
                        + (turn_input.kind is not InputKind.START),
                        idle_deadline=now + idle if current.roster and new_state.alive else None,
                    ),
                    turns=(turn_record,),
                )
            except StaleVersion:
                # Another resolver (a second process) committed this turn first.
                committed = await self.store.history(game.game_id, start=pending.turn, limit=1)
                if committed and committed[0].turn == pending.turn:
                    return committed[0]
                raise
        video = options.wants_video(default=self.settings.video)
        await self._aftermath(key, game.cartridge, turn_record, video=video)
        return turn_record


async def _no_choices() -> tuple[Choice, ...]:
    return ()
