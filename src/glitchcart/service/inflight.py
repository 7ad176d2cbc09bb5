"""One running build per key: later callers join it and get the same result.

A build runs as its own task, shielded from its callers: one caller giving up
(cancelled) does not cancel the build for the others. Progress reports fan out
to every caller still waiting; a report may come from a worker thread, so it
is handed to the event loop's thread first.

>>> builds: Inflight[MediaRef, Tape] = Inflight()
>>> tape = await builds.run(ref, lambda report: make_tape(report), progress=bar.update)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class _Job(Generic[V]):
    task: asyncio.Future[V]
    watchers: list[Progress] = field(default_factory=list)


class Inflight(Generic[K, V]):
    """Deduplicates concurrent builds of the same thing within one process."""

    def __init__(self) -> None:
        self._jobs: dict[K, _Job[V]] = {}

    def running(self, key: K) -> bool:
        return key in self._jobs

    async def run(
        self,
        key: K,
        start: Callable[[Progress], Awaitable[V]],
        progress: Progress | None = None,
    ) -> V:
        """Await the build of ``key``, starting it with ``start(report)`` if none is running."""
        job = self._jobs.get(key)
        if job is None:
            job = self._start(key, start)
        if progress is not None:
            job.watchers.append(progress)
        try:
            return await asyncio.shield(job.task)
        finally:
            if progress is not None:
                with contextlib.suppress(ValueError):
                    job.watchers.remove(progress)

    def _start(self, key: K, start: Callable[[Progress], Awaitable[V]]) -> _Job[V]:
        loop = asyncio.get_running_loop()
        watchers: list[Progress] = []

        def fan_out(stage: str, done: int, total: int) -> None:
            for watcher in list(watchers):
                watcher(stage, done, total)

        def report(stage: str, done: int, total: int) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is watching
                loop.call_soon_threadsafe(fan_out, stage, done, total)

        job = _Job(asyncio.ensure_future(start(report)), watchers)
        self._jobs[key] = job

        def finished(task: asyncio.Future[V]) -> None:
            if self._jobs.get(key) is job:
                del self._jobs[key]
            if not task.cancelled():
                task.exception()  # retrieved here, so an unawaited failure is not logged twice

        job.task.add_done_callback(finished)
        return job
