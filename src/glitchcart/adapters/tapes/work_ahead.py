"""Work done ahead in a few threads and handed back in order.

Pillow lets go of the GIL while it decodes, converts and quantizes, so threads
can prepare the next frames while the caller encodes the current one. Results
come back in the order of the items, whatever order the threads finish in::

    with thread_pool(2) as pool:
        for image in in_order(pool, decode, blobs, window=3):
            encode(image)

Without a pool (``thread_pool(0)`` gives None) the work runs in the calling
thread, one item at a time.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")


def default_workers() -> int:
    """Threads for CPU work that releases the GIL: one per core, at most four."""
    return min(4, os.cpu_count() or 1)


@contextlib.contextmanager
def thread_pool(workers: int, name: str = "work-ahead") -> Iterator[Executor | None]:
    """A pool of ``workers`` threads (None for 0); queued work is dropped on the way out."""
    if workers <= 0:
        yield None
        return
    executor = ThreadPoolExecutor(workers, name)
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def in_order(
    pool: Executor | None, fn: Callable[[_T], _R], items: Iterable[_T], window: int
) -> Iterator[_R]:
    """``fn`` of each item, in the items' order, computed up to ``window`` items ahead.

    At most ``window`` results wait in memory; an exception in ``fn`` is raised
    here, at its item's turn, and the work queued after it is cancelled.
    """
    if pool is None:
        yield from map(fn, items)
        return
    pending: deque[Future[_R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= max(1, window):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
