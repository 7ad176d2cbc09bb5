"""Deadlines: what happens when a session's stored deadline passes (a vote window
closes, nobody moved in time, or nobody is left to wait for).

The timers (:mod:`glitchcart.service.timers`) only decide when to look; this
decides, from the stored record under the lock, what the deadline means.
"""

from __future__ import annotations

from glitchcart.core.keys import SessionKey
from glitchcart.core.roster import TierThresholds, active_ids
from glitchcart.core.session import Phase
from glitchcart.core.turn import InputKind, TurnInput
from glitchcart.ports import Clock, NewEvent
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.voting import Voting


class Deadlines:
    """Acts on passed deadlines, exactly once however often it is asked."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        pipeline: TurnPipeline,
        voting: Voting,
        clock: Clock,
        tiers: TierThresholds,
    ) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.voting = voting
        self.clock = clock
        self.tiers = tiers

    async def fire_deadline(self, key: SessionKey) -> str:
        """Act on the session's stored deadline if it has passed.

        Returns what happened: ``closed`` (the window), ``hesitated`` (nobody
        voted in time), ``paused`` (nobody active to wait for) or ``nothing``.
        Safe to call any number of times, from any process.
        """
        async with self.runtime.lock(key):
            record = await self.runtime.store.load(key)
            if record is not None and record.phase is Phase.RESOLVING:
                record = await self.pipeline.load_live(key)
            if record is None or record.phase is not Phase.READY or record.game is None:
                return "nothing"
            now = self.clock.now()
            window = record.window
            if window is not None:
                if window.deadline > now:
                    return "nothing"
                if not window.votes:
                    emptied = {"turn": window.turn, "tally": None}
                    await self.runtime.commit(
                        record.evolve(window=None), events=(NewEvent("window_closed", emptied),)
                    )
                    return "nothing"
                lease = await self.runtime.lease_for_turn(key)
                closed = await self.voting.close_window(record, window, "deadline", lease)
                outcome = "closed"
            elif record.paused or record.idle_deadline is None or record.idle_deadline > now:
                return "nothing"
            elif not active_ids(record.roster, record.turn_counter, now, self.tiers):
                paused = NewEvent("paused", {"reason": "no active players"})
                await self.runtime.commit(
                    record.evolve(paused=True, idle_deadline=None), events=(paused,)
                )
                return "paused"
            else:
                hesitation = TurnInput(InputKind.HESITATE, "(nobody moved in time)")
                lease = await self.runtime.lease_for_turn(key)
                pending = self.pipeline.pending(record, hesitation)
                closed = await self.pipeline.close(record, pending, lease)
                outcome = "hesitated"
        self.pipeline.resolve_later(closed, lease)
        return outcome
