"""The Redis store next to raw redis.asyncio doing the same writes, and its change
signal next to a blocking XREAD.

1. Commits per second: each commit writes a ~2.9 KB record, a ~2.1 KB saved-games
   entry, a ~1.5 KB turn and three small events. The store runs its Lua script
   (version and fence check, writes, XADD with explicit ids); the baseline sends the
   same bytes as one MULTI/EXEC (HSET, HSET, ZADD, 3 x XADD) with no check at all.
   Measured with one writer, and with 16 writers on 16 sessions at once.
2. Cross-process wake-up: a waiter on one client, an append on another; the time
   from the append to the waiter's return, with the store's blocking reader (one
   XREAD per process, fanned out) and with a polled counter (50 and 10 ms), next to
   a bare blocking ``XREAD`` on a connection of its own (the baseline).

Needs a redis-server (``--url``, default redis://127.0.0.1:6379/0); writes under a
fresh key prefix and deletes it.

    .venv/bin/python benchmarks/bench_redis_store.py [--commits 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from dataclasses import replace

import redis
import redis.asyncio as aioredis
from bench_sqlite_store import sample_record, sample_turn

from glitchcart.adapters.stores.codec import encode, encode_record
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.redis_events import PolledHeads
from glitchcart.core.keys import SessionKey
from glitchcart.ports import NewEvent

EVENTS = [NewEvent("window_closed", {"turn": 1}), NewEvent("narration", {"text": "x" * 200})]
EVENTS.append(NewEvent("choices", {"turn": 1, "choices": ["a", "b", "c"]}))


async def store_loop(url: str, prefix: str, commits: int, writers: int) -> float:
    store = RedisSessionStore.from_url(url, prefix=prefix)
    try:

        async def one(w: int) -> None:
            base = sample_record()  # each writer its own session and game
            assert base.game is not None
            game = replace(base.game, game_id=f"bench-game-{w}")
            record = replace(base, key=SessionKey("bench", f"s{w}"), game=game)
            version = 0
            for i in range(commits // writers):
                turn = replace(sample_turn(i), game_id=game.game_id)
                saved = await store.commit(
                    record, expected_version=version, turns=[turn], events=EVENTS
                )
                version = saved.version

        started = time.perf_counter()
        await asyncio.gather(*(one(w) for w in range(writers)))
        return commits / (time.perf_counter() - started)
    finally:
        await store.close()


async def raw_loop(url: str, prefix: str, commits: int, writers: int) -> float:
    client = aioredis.Redis.from_url(url, decode_responses=True)
    record = sample_record()
    record_json, game_json = encode_record(replace(record, version=1))
    turn_json = encode(sample_turn(0).to_dict())
    events = [(e.kind, encode(e.data)) for e in EVENTS]
    try:

        async def one(w: int) -> None:
            tag = f"{prefix}:{{bench:r{w}}}"
            for i in range(commits // writers):
                pipe = client.pipeline(transaction=True)
                pipe.hset(f"{tag}:rec", mapping={"v": i + 1, "data": record_json, "sum": "[]"})
                pipe.hset(f"{tag}:games", "bench-game", game_json)
                pipe.zadd(f"{tag}:turns", {turn_json + str(i): i})
                for j, (kind, data) in enumerate(events):
                    pipe.xadd(f"{tag}:events", {"k": kind, "d": data}, id=f"{3 * i + j + 1}-1")
                await pipe.execute()

        started = time.perf_counter()
        await asyncio.gather(*(one(w) for w in range(writers)))
        return commits / (time.perf_counter() - started)
    finally:
        await client.aclose()


async def store_wakeups(url: str, prefix: str, poll: float | None, samples: int) -> list[float]:
    """Wake-ups of the store's blocking reader (``poll`` None) or of a polled one."""
    writer = RedisSessionStore.from_url(url, prefix=prefix)
    reader = RedisSessionStore.from_url(url, prefix=prefix)
    if poll is not None:
        reader.watcher = PolledHeads(reader.client, reader.keys, poll)
    key = SessionKey("bench", f"wake{round((poll or 0) * 1000)}")
    delays = []
    try:
        for i in range(samples):
            waiting = asyncio.create_task(reader.wait(key, after=i, within=5))
            await asyncio.sleep((poll or 0.01) * (i % 7) / 7 + 0.001)  # anywhere in a poll cycle
            started = time.perf_counter()
            await writer.append(key, [NewEvent("tick")])
            await waiting
            delays.append(time.perf_counter() - started)
    finally:
        await writer.close()
        await reader.close()
    return delays


async def xread_wakeups(url: str, prefix: str, samples: int) -> list[float]:
    writer = aioredis.Redis.from_url(url, decode_responses=True)
    reader = aioredis.Redis.from_url(url, decode_responses=True)
    stream = f"{prefix}:{{bench:xread}}:events"
    delays = []
    try:
        for i in range(samples):
            last = f"{i}-1" if i else "0-0"
            waiting = asyncio.create_task(reader.xread({stream: last}, block=5000))
            await asyncio.sleep(0.003)
            started = time.perf_counter()
            await writer.xadd(stream, {"k": "tick"}, id=f"{i + 1}-1")
            await waiting
            delays.append(time.perf_counter() - started)
    finally:
        await writer.aclose()
        await reader.aclose()
    return delays


def ms(values: list[float], q: float) -> float:
    return 1000 * statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.commits, args.repeat, args.samples = 100, 1, 20
        try:
            with redis.Redis.from_url(args.url, socket_connect_timeout=1) as probe:
                probe.ping()
        except redis.RedisError:
            print(f"no Redis answers at {args.url}: nothing to measure (quick run)")
            return
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        for writers in (1, 16):
            best_raw = best_store = 0.0
            for run in range(args.repeat):
                fresh = f"{prefix}:{writers}-{run}"  # every run writes new keys
                raw = asyncio.run(raw_loop(args.url, fresh, args.commits, writers))
                best_raw = max(best_raw, raw)
                store = asyncio.run(store_loop(args.url, fresh, args.commits, writers))
                best_store = max(best_store, store)
            label = f"{writers:2d} writer(s):"
            print(f"{label} raw MULTI/EXEC, same bytes {best_raw:7.0f} commits/s (baseline)")
            print(f"{label} RedisSessionStore, Lua    {best_store:7.0f} commits/s")
            print(f"{label} ratio store / baseline    {best_store / best_raw:7.2f}")
        xread = asyncio.run(xread_wakeups(args.url, prefix, args.samples))
        base = ms(xread, 50)
        print(f"blocking XREAD wake-up (baseline): p50 {base:6.2f} ms  p99 {ms(xread, 99):6.2f} ms")
        for poll in (None, 0.05, 0.01):
            found = asyncio.run(store_wakeups(args.url, prefix, poll, args.samples))
            p50, p99 = ms(found, 50), ms(found, 99)
            name = "XREAD fan-out" if poll is None else f"poll {poll * 1000:2.0f} ms   "
            print(
                f"store, {name} wake-up:  p50 {p50:6.2f} ms  p99 {p99:6.2f}"
                f" ms  (p50 / bare XREAD's {p50 / base:5.1f})"
            )
    finally:
        with redis.Redis.from_url(args.url) as client:
            keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)


if __name__ == "__main__":
    main()
