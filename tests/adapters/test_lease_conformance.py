"""The contract every SessionLease keeps, over every lease adapter with its store.

A lease is exclusive while unexpired, taken over once expired with a higher
fence, kept alive by renewal, released only by its holder; and the store it
belongs to refuses a commit (or an event append) fenced by a lease that has
passed to a newer holder. To add a lease (Redis, ...), add a factory to LEASES.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import RedisCluster

from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import empty_session
from glitchcart.errors import LeaseLost
from glitchcart.ports import NewEvent, SessionLease, SessionStore
from support.redis_server import fresh_prefix, require_redis

A, B = SessionKey.parse("web:a"), SessionKey.parse("web:b")
TTL = 10.0


@dataclass
class Parts:
    store: SessionStore
    lease: SessionLease
    clock: ManualClock
    other: SessionLease  # a second handle on the same leases: another engine or process


def _memory(tmp: Path, clock: ManualClock) -> tuple[SessionStore, SessionLease, SessionLease]:
    store = MemorySessionStore()
    return store, lease_for(store, clock), lease_for(store, clock)


def _sqlite(tmp: Path, clock: ManualClock) -> tuple[SessionStore, SessionLease, SessionLease]:
    store = SqliteSessionStore(tmp / "glitchcart.db")
    second = SqliteSessionStore(tmp / "glitchcart.db")  # its own connection, as a process has
    return store, lease_for(store, clock), lease_for(second, clock)


def _redis(tmp: Path, clock: ManualClock) -> tuple[SessionStore, SessionLease, SessionLease]:
    url, prefix = require_redis(), fresh_prefix()
    store = RedisSessionStore.from_url(url, prefix=prefix)
    second = RedisSessionStore.from_url(url, prefix=prefix)  # another process's client
    return store, lease_for(store, clock), lease_for(second, clock)


LEASES: dict[str, Callable[[Path, ManualClock], tuple[SessionStore, SessionLease, SessionLease]]]
LEASES = {"memory": _memory, "sqlite": _sqlite, "redis": _redis}


def _cluster(
    ports: list[int], clock: ManualClock
) -> tuple[SessionStore, SessionLease, SessionLease]:
    prefix = fresh_prefix()
    stores = [
        RedisSessionStore(
            RedisCluster(host="127.0.0.1", port=ports[i], decode_responses=True), prefix=prefix
        )
        for i in (0, 1)  # two clients, entering the cluster by different nodes
    ]
    return stores[0], lease_for(stores[0], clock), lease_for(stores[1], clock)


@pytest.fixture(params=[*sorted(LEASES), "redis-cluster"])
async def parts(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Parts]:
    clock = ManualClock()
    if request.param == "redis-cluster":
        store, lease, other = _cluster(request.getfixturevalue("redis_cluster_ports"), clock)
    else:
        store, lease, other = LEASES[request.param](tmp_path, clock)
    yield Parts(store, lease, clock, other)
    await store.close()
    other_store = getattr(other, "store", None)
    if other_store is not None and other_store is not store:
        await other_store.close()


async def test_a_lease_is_exclusive_until_it_expires(parts: Parts) -> None:
    held = await parts.lease.acquire(A, "t1", TTL)
    assert held is not None and held.token == "t1"
    assert await parts.other.acquire(A, "t2", TTL) is None
    assert (await parts.other.holder(A)) == held
    assert await parts.other.acquire(B, "t2", TTL) is not None  # sessions apart
    parts.clock.advance(TTL - 0.01)
    assert await parts.other.acquire(A, "t2", TTL) is None
    parts.clock.advance(0.02)
    taken = await parts.other.acquire(A, "t2", TTL)
    assert taken is not None and taken.fence > held.fence


async def test_taking_it_again_with_the_same_token_keeps_the_fence(parts: Parts) -> None:
    held = await parts.lease.acquire(A, "t1", TTL)
    parts.clock.advance(TTL / 2)
    again = await parts.lease.acquire(A, "t1", TTL)
    assert again is not None and held is not None and again.fence == held.fence
    assert again.expires_at > held.expires_at


async def test_renewal_keeps_a_lease_past_its_first_ttl(parts: Parts) -> None:
    held = await parts.lease.acquire(A, "t1", TTL)
    assert held is not None
    for _ in range(5):
        parts.clock.advance(TTL * 2 / 3)
        renewed = await parts.lease.renew(held, TTL)
        assert renewed is not None and renewed.fence == held.fence
        assert await parts.other.acquire(A, "t2", TTL) is None


async def test_an_expired_lease_cannot_be_renewed_once_lost(parts: Parts) -> None:
    held = await parts.lease.acquire(A, "t1", TTL)
    assert held is not None
    parts.clock.advance(TTL + 1)
    assert await parts.lease.renew(held, TTL) is None  # expired: gone, even if nobody took it
    taken = await parts.other.acquire(A, "t2", TTL)
    assert taken is not None
    assert await parts.lease.renew(held, TTL) is None
    assert await parts.other.holder(A) == taken


async def test_only_the_holder_releases_and_the_fence_never_goes_back(parts: Parts) -> None:
    held = await parts.lease.acquire(A, "t1", TTL)
    assert held is not None
    impostor = type(held)(A, "t2", held.fence, held.expires_at)
    assert not await parts.other.release(impostor)
    assert await parts.other.acquire(A, "t2", TTL) is None  # still held
    assert await parts.lease.release(held)
    assert not await parts.lease.release(held)  # once
    assert await parts.other.holder(A) is None
    nxt = await parts.other.acquire(A, "t2", TTL)
    assert nxt is not None and nxt.fence > held.fence


async def test_a_stale_holders_commit_and_events_are_refused_by_the_fence(parts: Parts) -> None:
    store = parts.store
    first = await parts.lease.acquire(A, "t1", TTL)
    assert first is not None
    record = await store.commit(
        empty_session(A), expected_version=0, fence=first.fence, events=[NewEvent("one")]
    )
    parts.clock.advance(TTL + 1)  # the holder pauses past its TTL
    second = await parts.other.acquire(A, "t2", TTL)
    assert second is not None and second.fence > first.fence
    with pytest.raises(LeaseLost):
        await store.commit(record, expected_version=1, fence=first.fence, events=[NewEvent("x")])
    with pytest.raises(LeaseLost):
        await store.append(A, [NewEvent("x")], fence=first.fence)
    assert (await store.load(A)) == record  # nothing written
    assert [e.kind for e in (await store.read(A, after=0)).events] == ["one"]
    await store.commit(record, expected_version=1, fence=second.fence, events=[NewEvent("two")])
    assert [e.kind for e in (await store.read(A, after=0)).events] == ["one", "two"]
    # unfenced changes (a join, a vote) still commit: the version check guards them
    await store.commit(record.evolve(version=2), expected_version=2)
