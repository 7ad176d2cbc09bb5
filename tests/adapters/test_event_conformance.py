"""The contract every event bus keeps, over every event log it can sit on.

Order within a session, resume after an id (in another process and after a
restart where the log is durable), a plain ``trimmed`` event when the ids asked
for are gone, an error for an id never written, sessions kept apart, and a slow
subscriber that cannot grow memory without bound. To add a log (Redis, ...),
add a factory to LOGS.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.adapters.events.memory import MemoryEventLog
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import empty_session
from glitchcart.errors import UnknownEventId
from glitchcart.ports import Event, EventBus, EventLog, NewEvent
from support.redis_server import fresh_prefix, require_redis

A, B = SessionKey.parse("web:a"), SessionKey.parse("web:b")
KEEP = 100  # the bound every log is built with here


@dataclass
class Logs:
    log: EventLog  # where a commit writes
    other: EventLog  # the same events seen from another process (or the same log)
    reopen: Callable[[], EventLog] | None  # the log after a restart, if it is durable
    closers: list[Callable[[], object]]


def _memory_log(tmp: Path) -> Logs:
    log = MemoryEventLog(KEEP)
    return Logs(log, log, None, [])


def _memory_store(tmp: Path) -> Logs:
    store = MemorySessionStore(keep_events=KEEP)
    return Logs(store, store, None, [store.close])


def _sqlite(tmp: Path) -> Logs:
    path = tmp / "glitchcart.db"
    store = SqliteSessionStore(path, keep_events=KEEP, event_poll=0.01)
    other = SqliteSessionStore(path, keep_events=KEEP, event_poll=0.01)
    logs = Logs(store, other, None, [store.close, other.close])

    def reopen() -> EventLog:
        again = SqliteSessionStore(path, keep_events=KEEP, event_poll=0.01)
        logs.closers.append(again.close)
        return again

    logs.reopen = reopen
    return logs


def _redis(tmp: Path) -> Logs:
    url, prefix = require_redis(), fresh_prefix()

    def opened() -> RedisSessionStore:
        return RedisSessionStore.from_url(url, prefix=prefix, keep_events=KEEP, event_poll=0.01)

    store, other = opened(), opened()  # two clients: two processes
    logs = Logs(store, other, None, [store.close, other.close])

    def reopen() -> EventLog:
        again = opened()
        logs.closers.append(again.close)
        return again

    logs.reopen = reopen
    return logs


LOGS: dict[str, Callable[[Path], Logs]] = {
    "memory-log": _memory_log,
    "memory-store": _memory_store,
    "sqlite": _sqlite,
    "redis": _redis,
}


STORES = ("memory-store", "redis", "sqlite")  # logs that are a store: they commit
DURABLE = ("redis", "sqlite")  # logs that outlive their process


async def _built(name: str, tmp_path: Path) -> AsyncIterator[Logs]:
    built = LOGS[name](tmp_path)
    yield built
    for close in built.closers:
        result = close()
        if asyncio.iscoroutine(result):
            await result


@pytest.fixture(params=sorted(LOGS))
async def logs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Logs]:
    async for built in _built(request.param, tmp_path):
        yield built


@pytest.fixture(params=STORES)
async def store_logs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Logs]:
    async for built in _built(request.param, tmp_path):
        yield built


@pytest.fixture(params=DURABLE)
async def durable_logs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Logs]:
    async for built in _built(request.param, tmp_path):
        yield built


async def take(bus: EventBus, key: SessionKey, after: int | None, n: int) -> list[Event]:
    got: list[Event] = []

    async def run() -> None:
        async for event in bus.subscribe(key, after=after):
            got.append(event)
            if len(got) == n:
                return

    await asyncio.wait_for(run(), 10)
    return got


async def write(log: EventLog, key: SessionKey, *kinds: str) -> None:
    await log.append(key, [NewEvent(kind, {"k": kind}) for kind in kinds])


async def test_events_come_in_written_order_and_resume_after_an_id(logs: Logs) -> None:
    await write(logs.log, A, "one", "two", "three", "four")
    bus = LogEventBus(logs.other)
    got = await take(bus, A, 0, 4)
    assert [(e.id, e.kind) for e in got] == [(1, "one"), (2, "two"), (3, "three"), (4, "four")]
    assert [e.kind for e in await take(bus, A, 2, 2)] == ["three", "four"]


async def test_a_commit_writes_its_events_in_order_with_the_record(store_logs: Logs) -> None:
    logs, store = store_logs, store_logs.log
    assert isinstance(store, MemorySessionStore | SqliteSessionStore | RedisSessionStore)
    events = [NewEvent("vote_cast"), NewEvent("window_closed"), NewEvent("turn_resolving")]
    await store.commit(empty_session(A), expected_version=0, events=events)
    page = await logs.other.read(A, after=0)
    assert [e.kind for e in page.events] == ["vote_cast", "window_closed", "turn_resolving"]
    assert (page.first, page.last) == (1, 3)


async def test_live_events_reach_every_subscriber_from_any_writer(logs: Logs) -> None:
    bus = LogEventBus(logs.other)
    waiting = [asyncio.create_task(take(bus, A, None, 3)) for _ in range(10)]
    await asyncio.sleep(0.05)
    for i in range(3):
        await write(logs.log, A, f"e{i}")
    assert [[e.id for e in await w] for w in waiting] == [[1, 2, 3]] * 10


async def test_sessions_are_apart(logs: Logs) -> None:
    await write(logs.log, A, "a1", "a2")
    await write(logs.log, B, "b1")
    bus = LogEventBus(logs.other)
    assert [(e.session, e.id) for e in await take(bus, B, 0, 1)] == [(B, 1)]
    assert [(e.session, e.id) for e in await take(bus, A, 0, 2)] == [(A, 1), (A, 2)]


async def test_an_id_older_than_the_log_keeps_gets_a_trimmed_event_first(logs: Logs) -> None:
    for i in range(3 * KEEP):
        await write(logs.log, A, f"e{i}")
    bus = LogEventBus(logs.other)
    page = await logs.other.read(A, after=0, limit=1)
    assert page.first > 1 and page.last == 3 * KEEP
    assert page.last - page.first + 1 >= KEEP  # at least the bound is kept
    got = await take(bus, A, 5, 2)
    assert got[0].kind == "trimmed" and got[0].id == page.first - 1
    assert got[0].data == {"first_kept": page.first}
    assert got[1].id == page.first  # then every kept one, no gap


async def test_an_id_in_the_future_is_an_error_not_silence(logs: Logs) -> None:
    await write(logs.log, A, "one")
    bus = LogEventBus(logs.other)
    with pytest.raises(UnknownEventId):
        await bus.check_resume(A, 2)
    with pytest.raises(UnknownEventId):
        await take(bus, A, 7, 1)
    await bus.check_resume(A, 1)  # the newest is fine: the next one is awaited


async def test_ids_survive_a_restart(durable_logs: Logs) -> None:
    logs = durable_logs
    assert logs.reopen is not None
    await write(logs.log, A, "one", "two")
    again = logs.reopen()
    await write(again, A, "three")
    assert [(e.id, e.kind) for e in (await again.read(A, after=1)).events] == [
        (2, "two"),
        (3, "three"),
    ]


async def test_a_slow_subscriber_holds_a_bounded_amount(logs: Logs) -> None:
    bus = LogEventBus(logs.other, page=16, live_queue=8)
    stream = bus.subscribe(A, after=0)
    await write(logs.log, A, "first")
    assert (await anext(stream)).kind == "first"  # subscribed; now it stops reading
    for i in range(500):
        await write(logs.log, A, f"e{i}")
        await bus.publish(A, "narration_partial", {"i": i})  # live only, never stored
    # nothing was queued for it: durable events wait in the log, ephemeral ones in a
    # queue of 8 that drops the oldest
    (live,) = bus._live[A]  # the bound is the point of this test
    assert len(live.queue) == 8
    got = [await anext(stream) for _ in range(30)]
    partials = [e for e in got if e.kind == "narration_partial"]
    assert [e.data["i"] for e in partials] == list(range(492, 500)) and {
        e.id for e in partials
    } == {0}
    # it fell behind the log's bound: told so plainly, then the log in order, no gap
    stored = [e for e in got if e.kind != "narration_partial"]
    assert stored[0].kind == "trimmed" and stored[0].id > 1
    assert [e.id for e in stored] == list(range(stored[0].id, stored[0].id + len(stored)))
    await stream.aclose()
    assert A not in bus._live
