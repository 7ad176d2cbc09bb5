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
from dataclasses import dataclass, replace

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.seeds import derive_seed
from glitchcart.core.session import GameRecord, PendingTurn, Phase, SessionRecord, pending_turn
from glitchcart.core.state import DeathRuleContext, StateDelta, WorldState, apply_delta
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord
from glitchcart.core.votes import Tally
from glitchcart.errors import LeaseLost, StaleVersion
from glitchcart.ports import CartridgeSource, Clock, Lease, NewEvent
from glitchcart.service.aftermath import Aftermath, turn_events
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.stages import ProviderStages
from glitchcart.settings import Settings

log = logging.getLogger(__name__)
COMMIT_TRIES = 50  # a turn's commit, retried over small changes made by other processes


@dataclass(frozen=True, slots=True)
class _Consequence:
    """What stage 2 decided: the words, the delta and the state they lead to."""

    text: str
    delta: StateDelta
    state: WorldState
    fallback: bool  # the narrator failed and a story-consistent line stands in


class TurnPipeline:
    """Closes turns and resolves them under the lease; holds no session state."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        stages: ProviderStages,
        aftermath: Aftermath,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self.runtime = runtime
        self.stages = stages
        self.aftermath = aftermath
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings

    # ------------------------------------------------------------ finding live turns

    async def load_live(self, key: SessionKey) -> SessionRecord:
        """Load under the lock; a turn orphaned in RESOLVING (nobody holds its lease)
        is taken over and finished in the background."""
        record = await self.runtime.load(key)
        if record.phase is Phase.RESOLVING:
            lease = await self.runtime.take_over(record)
            if lease is not None:
                self.runtime.background(self.resolve_held(record, lease))
        return record

    async def recover(self, key: SessionKey) -> TurnRecord | None:
        """Finish a turn left RESOLVING by a process that died; None if there was none
        or its lease is held (here or elsewhere: that holder finishes it)."""
        record = await self.runtime.store.load(key)
        if record is None or record.phase is not Phase.RESOLVING:
            return None
        lease = await self.runtime.take_over(record)
        if lease is None:
            return None
        return await self.resolve_held(record, lease)

    # ------------------------------------------------------------ stage 1: close

    def pending(
        self, record: SessionRecord, turn_input: TurnInput, tally: Tally | None = None
    ) -> PendingTurn:
        """The pending turn of ``record`` for ``turn_input``, closed now."""
        assert record.game is not None
        odds = self.cartridges.get(record.game.cartridge).fate
        return pending_turn(record.game, odds, turn_input, self.clock.now(), tally, record.twist)

    async def close(
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
            return await self.runtime.commit(
                record.cleared_turn(phase=Phase.RESOLVING, pending=pending),
                events=(*events, resolving),
                fence=lease.fence,
            )
        except BaseException:
            await self.runtime.give_back(lease)
            raise

    # ------------------------------------------------------------ stages 2-4

    def resolve_later(self, closed: SessionRecord, lease: Lease) -> None:
        """Resolve a closed turn in the background (a vote's answer does not wait)."""
        self.runtime.background(self.resolve_held(closed, lease))

    async def resolve_held(self, record: SessionRecord, lease: Lease) -> TurnRecord:
        """Resolve a closed turn under ``lease``, renewing it, and give it back.

        If the lease is lost on the way (this process paused past its TTL), the
        successor finishes the turn; this waits for its commit and returns it.
        """
        try:
            async with self.runtime.renewing(lease):
                return await self._resolve(record, lease)
        except LeaseLost:
            until = self.clock.now() + 4 * self.runtime.ttl + 60.0
            return await self.runtime.committed_turn(record, until, self.clock)
        finally:
            await self.runtime.give_back(lease)

    async def _resolve(self, record: SessionRecord, lease: Lease) -> TurnRecord:
        """Stages 2-4 for the pending turn of ``record`` (which is RESOLVING)."""
        assert record.game is not None and record.pending is not None
        game, pending = record.game, record.pending
        cartridge = self.cartridges.get(game.cartridge)
        consequence = await self._narrate(record, cartridge)
        choices, frame = await self._paint(record, cartridge, consequence)
        turn = self._turn_record(game, pending, consequence, choices, frame)
        committed = await self._commit(record.key, cartridge, pending, turn, lease)
        if committed is not turn:
            return committed  # another resolver's commit of this very turn
        video = record.options.wants_video(default=self.settings.video)
        await self.aftermath.follow(record.key, game.cartridge, turn, video=video)
        return turn

    async def _narrate(self, record: SessionRecord, cartridge: Cartridge) -> _Consequence:
        """Stage 2 (no lock): the consequence and the state the rules make of it,
        published as soon as it exists."""
        assert record.game is not None and record.pending is not None
        game, pending, key = record.game, record.pending, record.key
        providers = record.options.providers
        if pending.input.kind is InputKind.START:
            text, fallback = await self.stages.prologue(cartridge, game, pending, key, providers)
            arrived = f"arrived at {cartridge.location(game.state.location).name}"
            consequence = _Consequence(text, StateDelta(event=arrived), game.state, fallback)
        else:
            narration, fallback = await self.stages.narrate(
                cartridge, game.state, pending, key, game.game_id, providers
            )
            hesitated = pending.input.kind is InputKind.HESITATE
            ctx = DeathRuleContext(pending.fate, hesitation=hesitated)
            new_state = apply_delta(cartridge, game.state, narration.delta, ctx)
            consequence = _Consequence(narration.text, narration.delta, new_state, fallback)
        shown = {"game_id": game.game_id, "turn": pending.turn, "text": consequence.text}
        await self.runtime.publish(key, "narration", shown)
        return consequence

    async def _paint(
        self, record: SessionRecord, cartridge: Cartridge, consequence: _Consequence
    ) -> tuple[tuple[Choice, ...], MediaRef | None]:
        """Stage 3 (no lock): the frame, painted while the next choices are written."""
        assert record.game is not None and record.pending is not None
        game, pending, key, options = record.game, record.pending, record.key, record.options
        ext = "gif" if options.wants_flipbook(default=self.settings.flipbook) else "png"
        frame_ref = MediaRef(key, "frame", f"{game.game_id}-{pending.turn:05d}.{ext}")
        seed = derive_seed(pending.turn_seed, "choices", 0)
        text, state = consequence.text, consequence.state
        choices_task = (
            self.stages.choices_shown(
                cartridge, state, seed, text, key, game.game_id, pending.turn, options
            )
            if state.alive
            else _no_choices()
        )
        painting = self.stages.paint(
            cartridge, state, text, pending, frame_ref, game.game_id, options
        )
        choices, frame = await asyncio.gather(choices_task, painting)
        return choices, frame

    def _turn_record(
        self,
        game: GameRecord,
        pending: PendingTurn,
        consequence: _Consequence,
        choices: tuple[Choice, ...],
        frame: MediaRef | None,
    ) -> TurnRecord:
        return TurnRecord(
            game_id=game.game_id,
            turn=pending.turn,
            input=pending.input,
            fate=pending.fate,
            narration=consequence.text,
            delta=consequence.delta,
            state=consequence.state,
            choices=choices,
            frame=frame,
            turn_seed=pending.turn_seed,
            created_at=self.clock.now(),
            fallback=consequence.fallback,
            tally=pending.tally,
            twist=pending.twist,
        )

    async def _commit(
        self,
        key: SessionKey,
        cartridge: Cartridge,
        pending: PendingTurn,
        turn: TurnRecord,
        lease: Lease,
    ) -> TurnRecord:
        """Stage 4 (under the lock, version-checked): commit ``turn`` and open the next
        one; returns ``turn``, or the same turn as another resolver committed it."""
        events = turn_events(turn)
        for _ in range(COMMIT_TRIES):
            async with self.runtime.lock(key):
                # Commit over the record as it is now: players may have joined, or the
                # crown changed hands, here or in another process, while the providers
                # worked. Only the lease holder commits this turn, so a lost race to
                # such a small change is retried over the newer record.
                current = await self.runtime.store.load(key)
                if current is None or not current.awaits(turn.game_id, pending):
                    return await self.runtime.stored_turn(key, turn.game_id, turn.turn)
                try:
                    await self.runtime.commit(
                        self._opened(current, cartridge, turn),
                        turns=(turn,),
                        events=events,
                        fence=lease.fence,
                    )
                except LeaseLost:
                    raise
                except StaleVersion:
                    # the turn is stored already (another resolver), or a small change
                    # won the race: then go again over the newer record
                    with contextlib.suppress(StaleVersion):
                        return await self.runtime.stored_turn(key, turn.game_id, turn.turn)
                    continue
            return turn
        raise StaleVersion(f"turn {turn.turn} of {key} lost {COMMIT_TRIES} commit races")

    @staticmethod
    def _opened(current: SessionRecord, cartridge: Cartridge, turn: TurnRecord) -> SessionRecord:
        """``current`` with ``turn`` committed and the next turn open."""
        assert current.game is not None
        alive = turn.state.alive
        game = replace(
            current.game,
            state=turn.state,
            choices=turn.choices,
            regenerations=0,
            updated_at=turn.created_at,
        )
        idle = cartridge.timing.idle_seconds
        return current.evolve(
            phase=Phase.READY if alive else Phase.OVER,
            game=game,
            pending=None,
            turn_counter=current.turn_counter + (turn.input.kind is not InputKind.START),
            idle_deadline=turn.created_at + idle if current.roster and alive else None,
        )


async def _no_choices() -> tuple[Choice, ...]:
    return ()
