"""Fair queueing: the concurrency limit holds, and one busy session cannot starve another.

Fairness is asserted by the order calls are served in, never by timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from glitchcart.adapters.providers.scheduler import FairScheduler


class Recorder:
    """Calls that record when they start and finish only when released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.running = 0
        self.max_running = 0

    def call(self, label: str) -> Callable[[], Awaitable[str]]:
        gate = self.gates.setdefault(label, asyncio.Event())

        async def run() -> str:
            self.started.append(label)
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            try:
                await gate.wait()
            finally:
                self.running -= 1
            return label

        return run

    def release_all(self) -> None:
        for gate in self.gates.values():
            gate.set()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def drain(rec: Recorder, tasks: list[asyncio.Task[str]]) -> list[str]:
    """Release calls one at a time in the order they start, until all are done."""
    done = 0
    while done < len(tasks):
        await settle()
        for label in list(rec.started):
            rec.gates[label].set()
        await settle()
        done = sum(t.done() for t in tasks)
    return [t.result() for t in tasks]


async def test_a_single_call_waits_at_most_one_slot_behind_a_busy_session() -> None:
    scheduler, rec = FairScheduler(limit=1), Recorder()
    busy = [
        asyncio.create_task(scheduler.run("web:busy", rec.call(f"busy-{i}"))) for i in range(50)
    ]
    await settle()
    assert rec.started == ["busy-0"]
    assert scheduler.waiting("web:busy") == 49
    other = asyncio.create_task(scheduler.run("web:quiet", rec.call("quiet")))
    await settle()
    rec.gates["busy-0"].set()
    await settle()
    # The quiet session's call is next: it waited only for the one call already running.
    assert rec.started == ["busy-0", "quiet"]
    rec.release_all()
    await asyncio.gather(*busy, other)
    assert rec.started[2:] == [f"busy-{i}" for i in range(1, 50)]


async def test_sessions_are_served_in_rotation() -> None:
    scheduler, rec = FairScheduler(limit=1), Recorder()
    blocker = asyncio.create_task(scheduler.run("x:block", rec.call("block")))
    await settle()
    tasks = []
    for session, n in (("x:a", 4), ("x:b", 2), ("x:c", 1)):
        for i in range(n):
            tasks.append(asyncio.create_task(scheduler.run(session, rec.call(f"{session[2]}{i}"))))
    await settle()
    await drain(rec, [blocker, *tasks])
    assert rec.started == ["block", "a0", "b0", "c0", "a1", "b1", "a2", "a3"]


async def test_the_limit_is_never_exceeded_and_every_call_completes() -> None:
    scheduler, rec = FairScheduler(limit=3), Recorder()
    tasks = [asyncio.create_task(scheduler.run(f"s:{i % 7}", rec.call(f"c{i}"))) for i in range(40)]
    results = await drain(rec, tasks)
    assert sorted(results) == sorted(f"c{i}" for i in range(40))
    assert rec.max_running == 3
    assert scheduler.running == 0 and scheduler.waiting() == 0


async def test_calls_of_one_session_keep_their_order() -> None:
    scheduler, rec = FairScheduler(limit=1), Recorder()
    tasks = [asyncio.create_task(scheduler.run("s:one", rec.call(f"n{i}"))) for i in range(6)]
    await drain(rec, tasks)
    assert rec.started == [f"n{i}" for i in range(6)]


async def test_a_cancelled_waiter_gives_up_its_place_and_a_failing_call_its_slot() -> None:
    scheduler, rec = FairScheduler(limit=1), Recorder()
    first = asyncio.create_task(scheduler.run("s:a", rec.call("first")))
    await settle()
    doomed = asyncio.create_task(scheduler.run("s:b", rec.call("doomed")))
    later = asyncio.create_task(scheduler.run("s:c", rec.call("later")))
    await settle()
    doomed.cancel()
    rec.gates["first"].set()
    await settle()
    assert rec.started == ["first", "later"]
    rec.release_all()
    await later

    async def boom() -> None:
        raise RuntimeError("provider exploded")

    with pytest.raises(RuntimeError):
        await scheduler.run("s:a", boom)
    assert scheduler.running == 0
    after = rec.call("after")
    rec.gates["after"].set()
    assert await scheduler.run("s:a", after) == "after"
    assert first.done()


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        FairScheduler(limit=0)


async def test_sessions_are_forgotten_under_sustained_load() -> None:
    """The queue never empties while thousands of sessions pass through it, one call
    each (every call that runs brings in the next session's); the start tags
    remembered stay bounded by the busy sessions, not by every session ever seen."""
    from glitchcart.adapters.providers.scheduler import PRUNE_AT

    scheduler = FairScheduler(limit=2)
    sessions, queued = 6 * PRUNE_AT, 8
    tracked: list[int] = []
    waiting: list[int] = []
    tasks: list[asyncio.Task[None]] = []
    all_in = asyncio.Event()

    def arrive() -> None:
        if len(tasks) < sessions:
            tasks.append(asyncio.create_task(scheduler.run(f"web:s{len(tasks)}", call)))
        else:
            all_in.set()

    async def call() -> None:
        tracked.append(scheduler.tracked)
        waiting.append(scheduler.waiting())
        arrive()
        await asyncio.sleep(0)

    for _ in range(queued):
        arrive()
    await all_in.wait()
    await asyncio.gather(*tasks)
    assert len(tracked) == sessions
    assert min(waiting[queued : sessions - queued]) > 0  # the queue never emptied
    assert max(tracked) <= 2 * PRUNE_AT + queued
