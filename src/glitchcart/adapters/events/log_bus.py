"""The event bus over any :class:`~glitchcart.ports.EventLog`: what a subscriber gets.

A subscriber reads the durable log after the last id it saw, then waits on the
log's change signal (a commit in any process sharing the store wakes it) and
reads again; so it sees every committed event, in commit order, whichever
process committed it. Ephemeral kinds (``narration_partial``) skip the log and
reach only this process's live subscribers, with id 0.

Memory per subscriber is bounded: it holds at most one page of events
(``page`` events) and one bounded queue of ephemeral ones (the oldest dropped
when a slow subscriber lets it fill).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from glitchcart.core.keys import SessionKey
from glitchcart.errors import UnknownEventId
from glitchcart.ports import EPHEMERAL_KINDS, Event, EventLog, NewEvent

PAGE = 256  # events read from the log at a time
LIVE_QUEUE = 64  # ephemeral events held for one slow subscriber
WAIT = 5.0  # seconds a waiting subscriber sleeps at most between two reads


class _Live:
    """The ephemeral events one subscriber has not taken yet, and its wake-up."""

    def __init__(self, size: int) -> None:
        self.queue: deque[Event] = deque(maxlen=size)
        self.wake: asyncio.Future[None] | None = None

    def put(self, event: Event) -> None:
        self.queue.append(event)
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)


class LogEventBus:
    """A :class:`~glitchcart.ports.EventBus` whose events live in ``log``."""

    def __init__(self, log: EventLog, *, page: int = PAGE, live_queue: int = LIVE_QUEUE) -> None:
        self.log = log
        self._page = page
        self._live_queue = live_queue
        self._live: dict[SessionKey, set[_Live]] = {}

    async def publish(self, session: SessionKey, kind: str, data: dict[str, Any]) -> Event:
        if kind in EPHEMERAL_KINDS:
            event = Event(session, 0, kind, dict(data))
            for live in self._live.get(session, ()):
                live.put(event)
            return event
        (event,) = await self.log.append(session, [NewEvent(kind, dict(data))])
        return event

    async def check_resume(self, session: SessionKey, after: int | None) -> None:
        if after is None:
            return
        page = await self.log.read(session, after=after, limit=0)
        if after > page.last:
            raise UnknownEventId(
                f"event {after} of {session} was never written (the newest is {page.last})"
            )

    async def _wait(self, session: SessionKey, last: int, live: _Live) -> None:
        """Until the log may hold an event above ``last``, or an ephemeral one came."""
        live.wake = asyncio.get_running_loop().create_future()
        logged = asyncio.ensure_future(self.log.wait(session, after=last, within=WAIT))
        try:
            await asyncio.wait({logged, live.wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            live.wake = None
            if not logged.done():
                logged.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await logged

    async def subscribe(
        self, session: SessionKey, *, after: int | None = None
    ) -> AsyncIterator[Event]:
        await self.check_resume(session, after)
        last = (await self.log.read(session, after=0, limit=0)).last if after is None else after
        live = _Live(self._live_queue)
        self._live.setdefault(session, set()).add(live)
        try:
            while True:
                page = await self.log.read(session, after=last, limit=self._page)
                if last < page.first - 1:  # some were trimmed away
                    last = page.first - 1
                    yield Event(session, last, "trimmed", {"first_kept": page.first})
                while live.queue:
                    yield live.queue.popleft()
                for event in page.events:
                    last = event.id
                    yield event
                if not page.events and not live.queue:
                    await self._wait(session, last, live)
        finally:
            watchers = self._live.get(session)
            if watchers is not None:
                watchers.discard(live)
                if not watchers:
                    del self._live[session]
