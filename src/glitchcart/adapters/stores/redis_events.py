"""The Redis store's change signal: wake waiters when a session's event head moves.

While anyone waits, one task per process reads the event heads (the ``head``
counter key of each waited-on session) in one pipelined round trip every
``poll`` seconds and wakes the waiters whose session moved; a commit or append
made by this process pokes it at once. A waiter is registered before the first
read, so no event written after it started waiting is missed.

Why a poll and not one blocking ``XREAD`` per process: a blocking read must be
interrupted and re-issued (on a connection of its own, with its socket timeout
above the block) whenever the set of waited-on streams changes, which with SSE
clients coming and going is most of the time; a 50 ms poll costs one pipelined
``GET`` batch per process per poll, whatever the number of subscribers, and adds
at most ``poll`` seconds to a cross-process event's delivery (same-process
events wake at once). Measured by ``benchmarks/bench_redis_store.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from redis import exceptions as rx

from glitchcart.adapters.stores.redis_keys import RedisKeys
from glitchcart.core.keys import SessionKey


class RedisEventWatcher:
    """Wakes :meth:`wait`\\ ers when their session's newest event id passes theirs."""

    def __init__(self, client: Any, keys: RedisKeys, poll: float) -> None:
        self.client = client
        self.keys = keys
        self.poll = poll
        self._waiters: dict[SessionKey, list[tuple[int, asyncio.Future[None]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._poked: asyncio.Event | None = None
        self.reads = 0  # head batches read, for the benchmark

    def poke(self) -> None:
        """A local write added events: look now rather than at the next poll."""
        if self._poked is not None:
            self._poked.set()

    async def wait(self, session: SessionKey, after: int, within: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(session, []).append((after, waiter))
        self._ensure_running()
        self.poke()  # a first read now: the head may already be past ``after``
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await waiter
        finally:
            entries = self._waiters.get(session, [])
            with contextlib.suppress(ValueError):
                entries.remove((after, waiter))
            if not entries:
                self._waiters.pop(session, None)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._poked = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._poked is not None
        while self._waiters:
            self._poked.clear()
            with contextlib.suppress(rx.RedisError):  # Redis away: waiters time out, retry
                await self._check()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll):
                    await self._poked.wait()

    async def _check(self) -> None:
        sessions = list(self._waiters)
        pipe = self.client.pipeline(transaction=False)
        for session in sessions:
            pipe.get(self.keys.of(session, "head"))
        heads = await pipe.execute()
        self.reads += 1
        for session, head in zip(sessions, heads, strict=True):
            last = 0 if head is None else int(head)
            for after, waiter in self._waiters.get(session, []):
                if last > after and not waiter.done():
                    waiter.set_result(None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
