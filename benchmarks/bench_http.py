"""The HTTP API under load, on loopback, with a pure-Python load generator.

Starts ``glitchcart serve`` (uvicorn, SQLite, offline providers, an API key whose
limits are out of the way) in its own process, then prints, measured in one run:

- requests per second and p50/p99 latency of ``POST .../votes`` and
  ``GET /v1/sessions/{key}`` under 50 concurrent keep-alive connections, next to
  ``GET /healthz`` (a no-op route of the same app): the ratio is the figure.
  Each is measured on one busy room (all 50 connections in one session, 50 players
  voting in one window: the session record the engine loads and commits is large)
  and on 50 rooms (one session per connection, as a server of many channels sees);
- events delivered per second to 100 server-sent-event subscribers of one session:
  10 connections cast 900 votes as fast as they can, each vote an event for every
  subscriber, timed from the first vote to the last event received (the vote rate
  alone is printed next to it).

    .venv/bin/python benchmarks/bench_http.py [--seconds 5] [--connections 50] [--subscribers 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY = "bench-key-0123456789abcdef"
AUTH = f"Authorization: Bearer {KEY}\r\n"
VOTE_ROOM = "web:bench"
ROOMS = "web:room"  # + the connection's number
PRODUCERS = 10  # connections casting votes while the subscribers listen
SSE_ROOM = "web:fanout"


# ---------------------------------------------------------------- the server


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str, int]:
    env = {
        **os.environ,
        "GLITCHCART_API_KEYS": json.dumps(
            [{"name": "bench", "key": KEY, "namespaces": ["*"], "role": "admin"}]
        ),
        "GLITCHCART_API_RATE": "1e9",
        "GLITCHCART_API_BURST": "1000000000",
        "GLITCHCART_PLAYER_RATE": "1e9",
        "GLITCHCART_PLAYER_BURST": "1000000000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "glitchcart", "serve", "--port", "0", "--data-dir", str(data_dir)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r"running on http://(127\.0\.0\.1):(\d+)", line, re.IGNORECASE)
        if found:
            return proc, found.group(1), int(found.group(2))
    raise SystemExit(f"the server exited with {proc.wait()}")


# ---------------------------------------------------------------- a tiny HTTP/1.1 client


class Connection:
    """One keep-alive connection: write a request, read one whole response."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length) if length else b""

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


def get(path: str, auth: bool = True) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n{AUTH if auth else ''}\r\n".encode()


def post(path: str, body: dict[str, object], method: str = "POST") -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{AUTH}"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


# A vote names its turn; a window that closes at its deadline during a run moves
# the room on, and the 409 (WrongTurn) names the open turn: later votes follow it.
turns: dict[str, int] = {}


def follow(room: str, status: int, body: bytes) -> None:
    if status == 409:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            turns[room] = int(json.loads(body)["turn"])


# ---------------------------------------------------------------- request load


@dataclass
class Load:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def hammer(
    name: str,
    host: str,
    port: int,
    connections: int,
    seconds: float,
    request_for: Callable[[int, int], bytes],
    answered: Callable[[int, int, bytes], None] | None = None,
) -> Load:
    """``connections`` loops sending ``request_for(connection, n)`` for ``seconds``;
    ``answered(connection, status, body)`` sees each answer."""
    load = Load(name)
    conns = [await Connection.open(host, port) for _ in range(connections)]
    for i, conn in enumerate(conns):  # warm each connection (and the route) up
        await conn.send(request_for(i, 0))
    stop = time.perf_counter() + seconds

    async def loop(i: int, conn: Connection) -> None:
        n = 1
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            status, body = await conn.send(request_for(i, n))
            load.latencies.append(time.perf_counter() - t0)
            if answered is not None:
                answered(i, status, body)
            load.statuses[status] = load.statuses.get(status, 0) + 1
            n += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i, c) for i, c in enumerate(conns)))
    load.seconds = time.perf_counter() - started
    for conn in conns:
        await conn.close()
    return load


# ---------------------------------------------------------------- SSE fan-out


class Received:
    """Events received by all subscribers; ``done`` once ``target`` (set later) is reached."""

    def __init__(self) -> None:
        self.count = 0
        self.target: int | None = None
        self.done = asyncio.Event()

    def add(self) -> None:
        self.count += 1
        self.check()

    def check(self) -> None:
        if self.target is not None and self.count >= self.target:
            self.done.set()


async def subscriber(host: str, port: int, ready: asyncio.Event, received: Received) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    path = f"/v1/sessions/{SSE_ROOM}/events"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: bench\r\n{AUTH}Accept: text/event-stream\r\n\r\n".encode()
    )
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b": stream open"):
                ready.set()
            elif line.startswith(b"id:"):
                received.add()
    finally:
        writer.close()


async def fanout(host: str, port: int, subscribers: int, votes: int) -> dict[str, float]:
    """``votes`` votes cast by 10 connections as fast as they go, each a ``vote_cast``
    event for every subscriber; timed from the first vote to the last event received.

    ``votes`` stays under the event bus's replay buffer (1,000 per session): a
    subscriber more than that far behind would miss events, by design.
    """
    received = Received()
    readies = [asyncio.Event() for _ in range(subscribers)]
    tasks = [
        asyncio.create_task(subscriber(host, port, readies[i], received))
        for i in range(subscribers)
    ]
    await asyncio.gather(*(r.wait() for r in readies))
    producers = [await Connection.open(host, port) for _ in range(PRODUCERS)]
    await producers[0].send(post(f"/v1/sessions/{SSE_ROOM}/players", {"player": "lurker"}))
    accepted = 0
    started = time.perf_counter()

    async def produce(i: int, conn: Connection) -> None:
        nonlocal accepted
        n = 0
        while accepted < votes:
            body = {"player": f"v{i}", "choice": 1 + n % 3, "turn": turns.get(SSE_ROOM, 1)}
            status, answer = await conn.send(post(f"/v1/sessions/{SSE_ROOM}/votes", body))
            accepted += status == 200
            follow(SSE_ROOM, status, answer)
            n += 1

    await asyncio.gather(*(produce(i, c) for i, c in enumerate(producers)))
    produced = time.perf_counter() - started
    published = 1 + 1 + accepted  # player_joined, window_opened, a vote_cast per vote
    received.target = published * subscribers
    received.check()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(received.done.wait(), 60)
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn in producers:
        await conn.close()
    return {
        "published": published,
        "published_per_s": accepted / produced,
        "delivered_per_s": received.count / elapsed,
        "complete": received.count / received.target,
        "seconds": elapsed,
    }


# ---------------------------------------------------------------- main


async def main(seconds: float, connections: int, subscribers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, host, port = start_server(Path(tmp) / "data")
        try:
            setup = await Connection.open(host, port)
            rooms = [VOTE_ROOM, SSE_ROOM, *(f"{ROOMS}{i}" for i in range(connections))]
            for room in rooms:
                boot = {"cartridge": "dust-signal", "seed": 7}
                status, body = await setup.send(post(f"/v1/sessions/{room}", boot, "PUT"))
                assert status == 200, body
            # one seated player who never votes keeps each window open (no early close)
            for room in rooms:
                await setup.send(post(f"/v1/sessions/{room}/players", {"player": "lurker"}))
            await setup.close()

            def vote(room: str, i: int, n: int) -> bytes:
                ballot = {"player": f"p{i}", "choice": 1 + n % 3, "turn": turns.get(room, 1)}
                return post(f"/v1/sessions/{room}/votes", ballot)

            def busy(i: int, status: int, body: bytes) -> None:
                follow(VOTE_ROOM, status, body)

            def own(i: int, status: int, body: bytes) -> None:
                follow(f"{ROOMS}{i}", status, body)

            runs: list[tuple[str, Callable[[int, int], bytes], Any]] = [
                ("GET /healthz (no-op)", lambda i, n: get("/healthz", auth=False), None),
                ("GET session, busy room", lambda i, n: get(f"/v1/sessions/{VOTE_ROOM}"), None),
                ("GET session, 50 rooms", lambda i, n: get(f"/v1/sessions/{ROOMS}{i}"), None),
                ("POST votes, busy room", lambda i, n: vote(VOTE_ROOM, i, n), busy),
                ("POST votes, 50 rooms", lambda i, n: vote(f"{ROOMS}{i}", i, n), own),
            ]
            loads = [
                await hammer(name, host, port, connections, seconds, make, seen)
                for name, make, seen in runs
            ]
            sse = await fanout(host, port, subscribers, votes=900)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()

    print(f"HTTP API on loopback, {connections} connections, {seconds:.0f} s per route")
    print(f"{'route':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  statuses")
    noop = loads[0]
    for load in loads:
        ratio = load.rps / noop.rps
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(load.statuses.items()))
        print(
            f"{load.name:28} {load.rps:9.0f} {load.pct(0.50):8.2f} {load.pct(0.99):8.2f} "
            f"{ratio:7.2f}  {statuses}"
        )
    print(
        f"SSE: {sse['published']:.0f} events to each of {subscribers} subscribers "
        f"(cast at {sse['published_per_s']:.0f} votes/s): {sse['delivered_per_s']:.0f} events/s "
        f"delivered, all within {sse['seconds']:.1f} s ({sse['complete']:.0%} delivered)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.connections, args.subscribers = 0.5, 4, 4
    asyncio.run(main(args.seconds, args.connections, args.subscribers))
