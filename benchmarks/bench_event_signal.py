"""What the durable event log's change signal costs, next to its baselines.

Subscribers of a SQLite data directory learn of other processes' commits by
polling ``PRAGMA data_version`` on a reader connection (every ``event_poll``
seconds, only while someone waits) and, when it moved, reading the heads of the
sessions waited on in one query. Figures, each next to its baseline measured in
the same run:

1. commits/s of a store writing one event per commit while 200 subscribers on a
   second store (another "process") wait on 200 sessions, ÷ the same commits
   with nobody subscribed;
2. the CPU an idle process with 200 waiting subscribers burns per second, as a
   share of one core (baseline: the same process with none);
3. how long a commit takes to reach a subscriber on the other store (median and
   p99), next to the poll interval.

    .venv/bin/python benchmarks/bench_event_signal.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import empty_session
from glitchcart.ports import NewEvent

POLL = 0.05


async def commits_per_second(store: SqliteSessionStore, key: SessionKey, n: int) -> float:
    record = await store.commit(empty_session(key), expected_version=0)
    start = time.perf_counter()
    for i in range(n):
        record = await store.commit(
            record, expected_version=record.version, events=[NewEvent("vote_cast", {"i": i})]
        )
    return n / (time.perf_counter() - start)


async def subscribers(bus: LogEventBus, keys: list[SessionKey]) -> list[asyncio.Task[None]]:
    async def follow(key: SessionKey) -> None:
        async for _ in bus.subscribe(key):
            pass

    tasks = [asyncio.create_task(follow(k)) for k in keys]
    await asyncio.sleep(0.2)  # all waiting
    return tasks


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def idle_cpu(seconds: float) -> float:
    """CPU seconds per wall second this process spends while the loop idles."""
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


async def latency(writer: SqliteSessionStore, reader: SqliteSessionStore, n: int) -> list[float]:
    key = SessionKey("bench", "latency")
    record = await writer.commit(empty_session(key), expected_version=0)
    bus = LogEventBus(reader)
    arrived: asyncio.Queue[float] = asyncio.Queue()

    async def follow() -> None:
        async for _ in bus.subscribe(key):
            arrived.put_nowait(time.perf_counter())

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.2)
    delays = []
    for i in range(n):
        sent = time.perf_counter()
        record = await writer.commit(
            record, expected_version=record.version, events=[NewEvent("notice", {"i": i})]
        )
        delays.append(await arrived.get() - sent)
        await asyncio.sleep(POLL * 0.37)  # land at varied points of the poll cycle
    await stop([task])
    return delays


async def main(quick: bool) -> None:
    commits, watchers, idle = (300, 50, 0.5) if quick else (3000, 200, 3.0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "glitchcart.db"
        writer = SqliteSessionStore(db, event_poll=POLL)
        reader = SqliteSessionStore(db, event_poll=POLL)
        keys = [SessionKey("bench", f"s{i}") for i in range(watchers)]

        base_rate = await commits_per_second(writer, SessionKey("bench", "base"), commits)
        base_cpu = await idle_cpu(idle)
        tasks = await subscribers(LogEventBus(reader), keys)
        busy_rate = await commits_per_second(writer, SessionKey("bench", "busy"), commits)
        checks_before = reader.watcher.checks
        waiting_cpu = await idle_cpu(idle)
        checks = (reader.watcher.checks - checks_before) / idle
        await stop(tasks)
        delays = sorted(await latency(writer, reader, 20 if quick else 200))
        await writer.close()
        await reader.close()

    print(f"commits/s, 1 event each:          {base_rate:9.0f} with nobody subscribed (baseline)")
    print(
        f"  with {watchers} waiting subscribers: {busy_rate:9.0f}"
        f"  ratio {busy_rate / base_rate:.2f}"
    )
    print(f"idle CPU share, no subscribers:   {base_cpu:9.4f} (baseline)")
    print(
        f"  with {watchers} waiting:             {waiting_cpu:9.4f}"
        f"  (+{waiting_cpu - base_cpu:.4f} of a core; {checks:.0f} data_version checks/s)"
    )
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    print(
        f"commit to subscriber, other store: median {statistics.median(delays) * 1000:.1f} ms,"
        f" p99 {p99 * 1000:.1f} ms (poll interval {POLL * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds, smaller figures")
    asyncio.run(main(parser.parse_args().quick))
