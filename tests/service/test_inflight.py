"""One build per key: joiners share it, a caller giving up does not stop it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from glitchcart.service.inflight import Inflight, Progress


async def test_callers_of_one_key_share_one_build() -> None:
    builds: Inflight[str, int] = Inflight()
    started = 0
    gate = asyncio.Event()

    async def build(report: Progress) -> int:
        nonlocal started
        started += 1
        await gate.wait()
        return 42

    waiting = [asyncio.create_task(builds.run("k", build)) for _ in range(3)]
    other = asyncio.create_task(builds.run("other", build))
    for _ in range(5):
        await asyncio.sleep(0)
    assert builds.running("k") and started == 2
    gate.set()
    assert await asyncio.gather(*waiting, other) == [42, 42, 42, 42]
    assert not builds.running("k")


async def test_a_cancelled_caller_does_not_cancel_the_build() -> None:
    builds: Inflight[str, str] = Inflight()
    gate = asyncio.Event()

    async def build(report: Progress) -> str:
        await gate.wait()
        return "done"

    first = asyncio.create_task(builds.run("k", build))
    second = asyncio.create_task(builds.run("k", build))
    for _ in range(5):
        await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    gate.set()
    assert await second == "done"


async def test_progress_from_a_worker_thread_reaches_every_waiter_and_errors_reach_all() -> None:
    builds: Inflight[str, None] = Inflight()
    seen: dict[str, list[int]] = {"a": [], "b": []}

    async def build(report: Progress) -> None:
        await asyncio.sleep(0.01)
        worker = threading.Thread(target=lambda: [report("work", i, 3) for i in range(1, 4)])
        worker.start()
        await asyncio.to_thread(worker.join)
        await asyncio.sleep(0.01)
        raise ValueError("broken")

    results = await asyncio.gather(
        builds.run("k", build, lambda s, d, t: seen["a"].append(d)),
        builds.run("k", build, lambda s, d, t: seen["b"].append(d)),
        return_exceptions=True,
    )
    assert all(isinstance(r, ValueError) for r in results)
    assert seen == {"a": [1, 2, 3], "b": [1, 2, 3]}
