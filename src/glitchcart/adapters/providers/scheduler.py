"""Fair queueing of model calls: a concurrency limit per provider, fairness across sessions.

A :class:`FairScheduler` guards one provider. At most ``limit`` calls run at once;
the others wait, and when a slot frees it goes to the waiting call with the
smallest *start tag* (start-time fair queueing). Each session's calls get
consecutive tags, and a session that was idle starts at the current virtual
time, so::

    session A queues 50 calls, session B then queues 1
    -> B's call is served as soon as one slot frees, not after A's 50

Within a session calls keep their order. Waiting costs nothing but a future, so
thousands of queued calls are cheap; a cancelled waiter gives up its place and a
cancelled running call gives back its slot.

    scheduler = FairScheduler(limit=4)
    reply = await scheduler.run("discord:123", lambda: client.complete(...))
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
PRUNE_AT = 1024  # sessions remembered before the idle ones are forgotten


@dataclass(order=True)
class _Waiter:
    tag: int
    seq: int
    session: str = field(compare=False)
    future: asyncio.Future[None] = field(compare=False)


class FairScheduler:
    """A concurrency limit with start-time fair queueing across sessions."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._running = 0
        self._heap: list[_Waiter] = []
        self._finish: dict[str, int] = {}  # session -> tag its next call starts at, at least
        self._live: dict[str, int] = {}  # session -> its calls waiting or running
        self._prune_at = PRUNE_AT
        self._virtual = 0  # the start tag of the call most recently let through
        self._seq = itertools.count()

    @property
    def running(self) -> int:
        return self._running

    @property
    def tracked(self) -> int:
        """How many sessions' start tags are remembered (bounded by the busy ones)."""
        return len(self._finish)

    def waiting(self, session: str | None = None) -> int:
        """How many calls wait (of ``session``, or of everyone)."""
        live = [w for w in self._heap if not w.future.done()]
        return len([w for w in live if session is None or w.session == session])

    async def run(self, session: str, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call`` when its turn comes; the slot is held only while it runs."""
        self._live[session] = self._live.get(session, 0) + 1
        try:
            await self._acquire(session)
            try:
                return await call()
            finally:
                self._release()
        finally:
            left = self._live.pop(session) - 1
            if left:
                self._live[session] = left

    async def _acquire(self, session: str) -> None:
        tag = max(self._virtual, self._finish.get(session, 0))
        self._finish[session] = tag + 1
        if self._running < self.limit and not self._heap:
            self._virtual = tag
            self._running += 1
            return
        waiter = _Waiter(tag, next(self._seq), session, asyncio.get_running_loop().create_future())
        heapq.heappush(self._heap, waiter)
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release()  # the slot was granted just as the caller gave up
            raise

    def _release(self) -> None:
        self._running -= 1
        while self._heap and self._running < self.limit:
            waiter = heapq.heappop(self._heap)
            if waiter.future.done():
                continue  # cancelled while waiting
            self._virtual = waiter.tag
            self._running += 1
            waiter.future.set_result(None)
        if len(self._finish) > self._prune_at:
            # An idle session starts at the virtual time when it comes back (see the
            # module docstring), so only the sessions with calls waiting or running
            # need their tags; pruning again once those have doubled keeps the cost
            # per call constant, also under a load that never empties the queue.
            self._finish = {s: t for s, t in self._finish.items() if s in self._live}
            self._prune_at = max(PRUNE_AT, 2 * len(self._finish))
