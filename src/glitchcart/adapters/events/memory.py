"""An in-process event bus: a bounded replay buffer and live fan-out per session."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from glitchcart.core.keys import SessionKey
from glitchcart.ports import Event


@dataclass
class _Channel:
    next_id: int = 1
    kept: deque[Event] = field(default_factory=lambda: deque(maxlen=1000))
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)


class MemoryEventBus:
    """Events per session; subscribers resume after an id while it is still kept."""

    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self._channels: dict[SessionKey, _Channel] = {}

    def _channel(self, session: SessionKey) -> _Channel:
        channel = self._channels.get(session)
        if channel is None:
            channel = _Channel(kept=deque(maxlen=self._keep))
            self._channels[session] = channel
        return channel

    async def publish(self, session: SessionKey, kind: str, data: dict[str, Any]) -> Event:
        channel = self._channel(session)
        event = Event(session, channel.next_id, kind, data)
        channel.next_id += 1
        channel.kept.append(event)
        async with channel.changed:
            channel.changed.notify_all()
        return event

    async def subscribe(
        self, session: SessionKey, *, after: int | None = None
    ) -> AsyncIterator[Event]:
        channel = self._channel(session)
        last = channel.next_id - 1 if after is None else after
        while True:
            fresh = _after(channel.kept, last)
            if not fresh:
                await _wait_past(channel, last)
                continue
            for event in fresh:
                last = event.id
                yield event

    def forget(self, session: SessionKey) -> None:
        """Drop a deleted session's buffer."""
        self._channels.pop(session, None)


def _after(kept: deque[Event], last: int) -> list[Event]:
    """The kept events with an id above ``last``, read from the newest end: the cost
    is the number of new events, not the size of the buffer (it is paid by every
    subscriber on every publish)."""
    fresh = []
    for event in reversed(kept):
        if event.id <= last:
            break
        fresh.append(event)
    fresh.reverse()
    return fresh


async def _wait_past(channel: _Channel, last: int) -> None:
    """Sleep until an event with an id above ``last`` has been published."""
    async with channel.changed:
        await channel.changed.wait_for(lambda: channel.next_id - 1 > last)
