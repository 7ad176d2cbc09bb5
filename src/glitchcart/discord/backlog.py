"""Work that follows an acknowledgement, done by a few workers.

asyncio runs ready tasks in turn: with a thousand clicks in flight, each one's
acknowledgement would wait behind every other click's store work. Handlers acknowledge in
their own task and hand the rest to this backlog, so at most ``workers`` pieces of game
work interleave with the acknowledgements, and a busy channel cannot hold back the
others' acknowledgements.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class Backlog:
    def __init__(self, workers: int = 8, limit: int = 10_000) -> None:
        self.workers = workers
        self._queue: asyncio.Queue[Work] = asyncio.Queue(maxsize=limit)
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._work()) for _ in range(self.workers)]

    async def put(self, work: Work) -> None:
        """Queue ``work``; waits only when ``limit`` pieces are already waiting."""
        await self._queue.put(work)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _work(self) -> None:
        while True:
            work = await self._queue.get()
            try:
                await work()
            except Exception:  # one failed click must not stop the worker
                log.exception("work after an acknowledgement failed")
            finally:
                self._queue.task_done()
