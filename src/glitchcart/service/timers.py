"""Per-session timers driven from stored deadlines.

Deadlines live in the session records as absolute UTC times; this scheduler
only remembers when to look. After a restart :meth:`DeadlineTimers.restore`
reads every session, resumes turns left RESOLVING and schedules every open
window and idle deadline; a deadline that passed while the process was down
fires at once. Firing calls :meth:`Engine.fire_deadline`, which re-checks the
stored state under the lock, so a window closes exactly once however often a
timer fires.

One task and one heap serve every session (10,000 open windows cost 10,000
heap entries, not 10,000 tasks). The same task sweeps for turns left RESOLVING
once per lease TTL: a turn whose holder (in any process sharing the store) died
is taken over when its lease expires, even if no request touches the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from typing import TYPE_CHECKING

from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.errors import GlitchcartError, TurnResolving
from glitchcart.service.lateness import Lateness

if TYPE_CHECKING:
    from glitchcart.service.engine import Engine

log = logging.getLogger(__name__)


class DeadlineTimers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._heap: list[tuple[float, int, SessionKey]] = []
        self._due: dict[SessionKey, float] = {}
        self._seq = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.lateness = Lateness()  # seconds each fire came after its deadline (bounded)
        self._next_sweep = 0.0
        engine.deadline_listeners.append(self.schedule)

    def schedule(self, key: SessionKey, when: float | None) -> None:
        """Look at ``key`` at ``when`` (replacing any earlier plan); None cancels."""
        if when is None:
            self._due.pop(key, None)
            return
        if self._due.get(key) == when:
            return
        self._due[key] = when
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, key))
        if self._heap[0][2] == key:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._due)

    async def restore(self) -> int:
        """Resume RESOLVING turns and schedule every stored deadline; returns how many."""
        count = 0
        for summary in await self.engine.store.list_sessions():
            record = await self.engine.store.load(summary.key)
            if record is None:
                continue
            if record.phase is Phase.RESOLVING:
                await self.engine.recover(record.key)
                record = await self.engine.store.load(summary.key)
                if record is None:
                    continue
            when = record.next_deadline()
            if when is not None:
                self.schedule(record.key, when)
                count += 1
        return count

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        clock = self.engine.clock
        while True:
            self._wake.clear()
            now = clock.now()
            while self._heap and self._heap[0][0] <= now:
                when, _, key = heapq.heappop(self._heap)
                if self._due.get(key) != when:
                    continue  # replaced or cancelled
                del self._due[key]
                self.lateness.add(max(0.0, now - when))
                self.engine.background(self._fire(key))
            sweep_every = self.engine.settings.lease_seconds
            if now >= self._next_sweep:
                self._next_sweep = now + sweep_every
                self.engine.background(self.sweep())
            delay = min(self._heap[0][0] - now if self._heap else 3600.0, sweep_every)
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that
            # arrives just after the wake-up, and stop() would then wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, delay)):
                    await self._wake.wait()

    async def sweep(self) -> int:
        """Take over, in the background, every turn left RESOLVING whose lease is
        free (a held one is left to its holder); returns how many were found."""
        found = 0
        try:
            for summary in await self.engine.store.list_sessions():
                if summary.phase == Phase.RESOLVING.value:
                    found += 1
                    self.engine.background(self.engine.recover(summary.key))
        except GlitchcartError:
            log.exception("the sweep for orphaned turns failed; trying again later")
        return found

    async def _fire(self, key: SessionKey) -> None:
        try:
            await self.engine.fire_deadline(key)
        except TurnResolving:
            # Another process holds the session's lease and is closing the turn
            # right now; look again shortly in case its close did not go through.
            self.schedule(key, self.engine.clock.now() + 1.0)
        except GlitchcartError:
            # A storage hiccup must not kill the scheduler; retry shortly.
            log.exception("deadline for %s failed; retrying in 1 s", key)
            self.schedule(key, self.engine.clock.now() + 1.0)
