"""An in-process event log (what the memory store keeps its events in) and the
event bus over it, for tests and for a bus with no store behind it.

>>> bus = MemoryEventBus()
>>> event = asyncio.run(bus.publish(SessionKey.parse("cli:a"), "notice", {"text": "hi"}))
>>> event.id
1
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.core.keys import SessionKey
from glitchcart.errors import LeaseLost
from glitchcart.ports import Event, EventPage, NewEvent

KEEP = 1000  # events kept per session


@dataclass
class _Log:
    last: int = 0
    kept: deque[Event] = field(default_factory=deque)
    waiters: set[asyncio.Future[None]] = field(default_factory=set)


class MemoryEventLog:
    """A :class:`~glitchcart.ports.EventLog` in this process's memory, ``keep`` per session.

    ``fences`` is the session-to-newest-fence map of the lease this log's appends are
    checked against (shared with a :class:`MemorySessionLease`).
    """

    def __init__(self, keep: int = KEEP, fences: dict[SessionKey, int] | None = None) -> None:
        self.keep = keep
        self.fences = {} if fences is None else fences
        self._logs: dict[SessionKey, _Log] = {}

    def check_fence(self, session: SessionKey, fence: int | None) -> None:
        if fence is not None and self.fences.get(session) != fence:
            raise LeaseLost(f"the lease of {session} has passed to a newer holder")

    def write(self, session: SessionKey, events: Sequence[NewEvent]) -> list[Event]:
        """Append without a check (the caller's commit has checked); never awaits."""
        log = self._logs.setdefault(session, _Log())
        written = []
        for new in events:
            log.last += 1
            event = Event(session, log.last, new.kind, dict(new.data))
            log.kept.append(event)
            written.append(event)
        while len(log.kept) > self.keep:
            log.kept.popleft()
        if written:
            for waiter in log.waiters:
                if not waiter.done():
                    waiter.set_result(None)
        return written

    def forget(self, session: SessionKey) -> None:
        """Drop a deleted session's events; its ids keep rising."""
        log = self._logs.get(session)
        if log is not None:
            log.kept.clear()

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        self.check_fence(session, fence)
        return self.write(session, events)

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage:
        log = self._logs.get(session)
        if log is None:
            return EventPage((), 1, 0)
        first = log.kept[0].id if log.kept else log.last + 1
        start = max(0, after + 1 - first)
        picked = tuple(log.kept[i] for i in range(start, min(len(log.kept), start + limit)))
        return EventPage(picked, first, log.last)

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None:
        log = self._logs.setdefault(session, _Log())
        if log.last > after:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        log.waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await waiter
        finally:
            log.waiters.discard(waiter)


class MemoryEventBus(LogEventBus):
    """An event bus over its own :class:`MemoryEventLog`."""

    def __init__(self, keep: int = KEEP) -> None:
        super().__init__(MemoryEventLog(keep))
