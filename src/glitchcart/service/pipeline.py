"""The turn pipeline every kind of turn goes through.

1. **close** — under the session lock: validate the input, roll fate, derive the
   turn seed, and commit the session as RESOLVING with the pending turn (and the
   vote tally, if the turn was voted). Late votes get a clear "resolving" answer.
2. **narrate** — no lock: the narrator writes the consequence and a state delta;
   the rules (:func:`apply_delta`) decide the new state. Published at once.
3. **paint** — no lock, concurrently with writing the next choices.
4. **commit** — under the lock, version-checked: the new state, the turn record,
   the frame ref and the choices are committed together; the next turn opens.

Stages 1-4 run under the session's lease (:mod:`glitchcart.service.runtime`),
taken before the turn closes: one process does a turn's work once. A session
found RESOLVING whose lease nobody holds (its holder died) is taken over and
finished from its stored pending turn, so a turn is never lost; the fence and
the version check make a stale resolution harmless, so it is never doubled.
Each stage's events are written with its commit, in commit order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
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
    LeaseLost,
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
    Lease,
    MediaStore,
    Narrator,
    NewEvent,
    Painter,
    PrologueRequest,
    SessionLease,
    SessionStore,
)
from glitchcart.service.aftermath import Aftermath
from glitchcart.service.films import FilmService
from glitchcart.service.runtime import DeadlineListener, SessionRuntime
from glitchcart.service.stages import ProviderStages
from glitchcart.service.tapes import TapeService
from glitchcart.settings import Settings

log = logging.getLogger(__name__)
COMMIT_TRIES = 50  # a turn's commit, retried over small changes made by other processes


class TurnPipeline(ProviderStages, Aftermath):
    """Owns the locks and the four stages; holds no session state between calls."""

    def __init__(
        self,
        *,
        store: SessionStore,
        lease: SessionLease,
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
        self.media = media
        self.narrator = narrator
        self.painter = painter
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings
        self.tapes = tapes
        self.films = films
        self._notices = notices
        self.providers = dict(providers or {})  # configured model providers: name -> "chat"|"image"
        self._new_id = new_id
        self._new_seed = new_seed
        self.runtime = SessionRuntime(
            store=store, lease=lease, ttl=settings.lease_seconds, events=events
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self.deadline_listeners: list[DeadlineListener] = self.runtime.deadline_listeners
        self.tiers = TierThresholds(
            active_turns=settings.active_turns,
            active_seconds=settings.active_seconds,
            idle_turns=settings.idle_turns,
            idle_seconds=settings.idle_seconds_tier,
        )

    @property
    def store(self) -> SessionStore:
        return self.runtime.store

    @store.setter
    def store(self, store: SessionStore) -> None:
        self.runtime.store = store

    @property
    def events(self) -> EventBus | None:
        """The bus surfaces subscribe to (it reads the store's event log)."""
        return self.runtime.events

    @events.setter
    def events(self, bus: EventBus | None) -> None:
        self.runtime.events = bus

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
        return self.runtime.lock(key)

    async def _load(self, key: SessionKey) -> SessionRecord:
        record = await self.store.load(key)
        if record is None:
            raise SessionNotFound(f"no session {key}; boot a cartridge into it first")
        return record

    async def _load_live(self, key: SessionKey) -> SessionRecord:
        """Load under the lock; a turn orphaned in RESOLVING (nobody holds its lease)
        is taken over and finished in the background."""
        record = await self._load(key)
        if record.phase is Phase.RESOLVING:
            lease = await self.runtime.take_over(record)
            if lease is not None:
                self.background(self._resolve_held(record, lease))
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
        events: tuple[NewEvent, ...] = (),
        fence: int | None = None,
    ) -> SessionRecord:
        """Commit ``record`` over the version it was loaded at, with its events."""
        return await self.runtime.commit(record, turns=turns, events=events, fence=fence)

    async def _publish(self, key: SessionKey, kind: str, data: dict[str, Any]) -> None:
        """An event that changes no state (see :meth:`SessionRuntime.publish`)."""
        await self.runtime.publish(key, kind, data)

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

    async def _close(
        self,
        record: SessionRecord,
        pending: PendingTurn,
        lease: Lease,
        events: tuple[NewEvent, ...] = (),
    ) -> SessionRecord:
        """Commit the session as RESOLVING with ``pending`` under ``lease``, with
        ``events`` then ``turn_resolving`` (caller holds the lock). The lease is
        given back if the commit fails."""
        resolving = NewEvent(
            "turn_resolving",
            {
                "turn": pending.turn,
                "input": pending.input.to_dict(),
                "fate": pending.fate.value if pending.fate else None,
                "tally": pending.tally.to_dict() if pending.tally else None,
            },
        )
        try:
            return await self._commit(
                record.evolve(
                    phase=Phase.RESOLVING,
                    pending=pending,
                    window=None,
                    vetoed=(),
                    twist=None,
                    idle_deadline=None,
                ),
                events=(*events, resolving),
                fence=lease.fence,
            )
        except BaseException:
            await self.runtime.give_back(lease)
            raise

    # ------------------------------------------------------------ stages 2-4

    async def recover(self, key: SessionKey) -> TurnRecord | None:
        """Finish a turn left RESOLVING by a process that died; None if there was none
        or its lease is held (here or elsewhere: that holder finishes it)."""
        record = await self.store.load(key)
        if record is None or record.phase is not Phase.RESOLVING:
            return None
        lease = await self.runtime.take_over(record)
        if lease is None:
            return None
        return await self._resolve_held(record, lease)

    async def _resolve_held(self, record: SessionRecord, lease: Lease) -> TurnRecord:
        """Resolve a closed turn under ``lease``, renewing it, and give it back.

        If the lease is lost on the way (this process paused past its TTL), the
        successor finishes the turn; this waits for its commit and returns it.
        """
        try:
            async with self.runtime.renewing(lease):
                return await self._resolve(record, lease)
        except LeaseLost:
            assert record.game is not None and record.pending is not None
            until = self.clock.now() + 4 * self.runtime.ttl + 60.0
            return await self.runtime.committed_turn(record, until, self.clock)
        finally:
            await self.runtime.give_back(lease)

    async def _resolve(self, record: SessionRecord, lease: Lease) -> TurnRecord:
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
        events = self._turn_events(turn_record)
        for _ in range(COMMIT_TRIES):
            async with self._lock(key):
                # Commit over the record as it is now: players may have joined, or the
                # crown changed hands, here or in another process, while the providers
                # worked. Only the lease holder commits this turn, so a lost race to
                # such a small change is retried over the newer record.
                current = await self.store.load(key)
                if current is None or not current.awaits(game.game_id, pending):
                    return await self.runtime.stored_turn(key, game.game_id, pending.turn)
                try:
                    await self._commit(
                        current.evolve(
                            phase=Phase.READY if new_state.alive else Phase.OVER,
                            game=new_game,
                            pending=None,
                            turn_counter=current.turn_counter
                            + (turn_input.kind is not InputKind.START),
                            idle_deadline=now + idle
                            if current.roster and new_state.alive
                            else None,
                        ),
                        turns=(turn_record,),
                        events=events,
                        fence=lease.fence,
                    )
                except LeaseLost:
                    raise
                except StaleVersion:
                    # the turn is stored already (another resolver), or a small change
                    # won the race: then go again over the newer record
                    with contextlib.suppress(StaleVersion):
                        return await self.runtime.stored_turn(key, game.game_id, pending.turn)
                    continue
            break
        else:
            raise StaleVersion(f"turn {pending.turn} of {key} lost {COMMIT_TRIES} commit races")
        video = options.wants_video(default=self.settings.video)
        await self._aftermath(key, game.cartridge, turn_record, video=video)
        return turn_record


async def _no_choices() -> tuple[Choice, ...]:
    return ()
