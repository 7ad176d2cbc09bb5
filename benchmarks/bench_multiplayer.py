"""Multiplayer latency and timer load, with the offline providers.

Prints, measured in one run:
- last vote -> next turn's narration, and -> the next choices (median and p99 over
  many voted turns, SQLite store, pictures on), next to the offline narrator's own
  narrate() time measured alone (the floor);
- timer lateness with 1,000 and 10,000 sessions each holding an open vote window
  (text only, memory store), next to a lone asyncio timer measured in the same run.

    .venv/bin/python benchmarks/bench_multiplayer.py [--turns 200] [--sessions 1000 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.core.turn import InputKind, TurnInput
from glitchcart.ports import NarrationRequest, SessionStore
from glitchcart.service.engine import Engine
from glitchcart.service.lateness import Lateness
from glitchcart.service.timers import DeadlineTimers
from glitchcart.settings import Settings


class Library:
    """The packaged cartridges, with a shorter vote window for the timer run."""

    def __init__(self, countdown: float) -> None:
        packaged = CartridgeLibrary()
        self._by_id = {
            c.id: replace(c, timing=replace(c.timing, countdown_seconds=countdown))
            for c in packaged.list()
        }

    def get(self, cartridge_id: str) -> Cartridge:
        return self._by_id[cartridge_id]

    def list(self) -> list[Cartridge]:
        return list(self._by_id.values())


def engine_for(store: SessionStore, root: Path, *, pictures: bool, countdown: float) -> Engine:
    clock = SystemClock()
    return Engine(
        store=store,
        lease=lease_for(store, clock),
        media=FileMediaStore(root),
        narrator=OfflineNarrator(),
        painter=OfflinePainter(),
        cartridges=Library(countdown),
        clock=clock,
        settings=Settings(home=root, pictures=pictures),
        events=LogEventBus(store),
    )


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def vote_latency(root: Path, turns: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds from the closing vote to the narration event and to the choices event."""
    store = SqliteSessionStore(root / "bench.db")
    engine = engine_for(store, root, pictures=True, countdown=60)
    assert engine.events is not None
    key = SessionKey.parse("bench:votes")
    to_narration: list[float] = []
    to_choices: list[float] = []
    floor: list[float] = []
    narrator = OfflineNarrator()
    try:
        await engine.boot(key, "dust-signal", seed=1)
        for p in ("ann", "bob", "cy"):
            await engine.join(key, p)
        events = engine.events.subscribe(key)
        for n in range(turns):
            snap = await engine.snapshot(key)
            if snap.phase is Phase.OVER:
                await engine.reset(key)
                continue
            assert snap.state is not None
            await engine.vote(key, "ann", choice=1)
            await engine.vote(key, "bob", choice=2)
            start = time.perf_counter()
            receipt = await engine.vote(key, "cy", choice=1 + n % len(snap.choices))
            assert receipt.closed
            narrated = None
            this_turn = (snap.game_id, snap.state.turn + 1)
            async for event in events:
                if (event.data.get("game_id"), event.data.get("turn")) != this_turn:
                    continue  # an earlier turn's event (a reset's prologue, say)
                if event.kind == "narration":
                    narrated = time.perf_counter() - start
                if event.kind in ("choices", "game_over"):
                    to_choices.append(time.perf_counter() - start)
                    break
            assert narrated is not None
            to_narration.append(narrated)
            await engine.drain()
            cartridge = engine.cartridges.get("dust-signal")
            request = NarrationRequest(
                cartridge, snap.state, TurnInput(InputKind.CHOICE, "look"), None, n, ()
            )
            t = time.perf_counter()
            await narrator.narrate(request)
            floor.append(time.perf_counter() - t)
    finally:
        await store.close()
    return to_narration, to_choices, floor


CLOSINGS_PER_SECOND = 200  # windows opened (and so closed) per second of the run


async def timer_lateness(root: Path, sessions: int) -> Lateness:
    """Open a window in every session, CLOSINGS_PER_SECOND at a time, and measure how
    late each one closes. Every session holds an open window for the whole countdown
    (3 s), and each close resolves a real turn (text only) in the same process."""
    engine = engine_for(MemorySessionStore(), root, pictures=False, countdown=3.0)
    timers = DeadlineTimers(engine)
    timers.start()
    try:
        keys = [SessionKey("bench", f"s{i}") for i in range(sessions)]
        for i, key in enumerate(keys):
            await engine.boot(key, "dust-signal", seed=i)
            await engine.join(key, "ann")
            await engine.join(key, "bob")
        spread = sessions / CLOSINGS_PER_SECOND

        async def open_window(key: SessionKey, delay: float) -> None:
            await asyncio.sleep(delay)
            await engine.vote(key, "ann", choice=1)  # bob has not voted: the window stays open

        await asyncio.gather(*(open_window(k, i * spread / sessions) for i, k in enumerate(keys)))
        # every window closes once; then each session waits on its idle deadline
        while timers.lateness.count < sessions:  # noqa: ASYNC110 (polling a counter is fine here)
            await asyncio.sleep(0.05)
        await engine.drain()
    finally:
        await timers.stop()
    return timers.lateness


def _stamp(fired: asyncio.Future[float], loop: asyncio.AbstractEventLoop) -> None:
    fired.set_result(loop.time())


async def lone_timer(samples: int = 50) -> list[float]:
    loop = asyncio.get_running_loop()
    late = []
    for _ in range(samples):
        fired: asyncio.Future[float] = loop.create_future()
        due = loop.time() + 0.01
        loop.call_at(due, _stamp, fired, loop)
        late.append(await fired - due)
    return late


async def main(turns: int, sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        narr, choices, floor = await vote_latency(Path(tmp) / "votes", turns)
        base = await lone_timer()
        lateness = {n: await timer_lateness(Path(tmp) / f"t{n}", n) for n in sizes}
    ms = 1000.0
    f50 = statistics.median(floor)
    print(
        f"last vote -> narration   : median {statistics.median(narr) * ms:6.2f} ms, "
        f"p99 {pct(narr, 0.99) * ms:6.2f} ms  (narrator alone: median {f50 * ms:.2f} ms, "
        f"ratio {statistics.median(narr) / f50:.1f}x)"
    )
    print(
        f"last vote -> next choices: median {statistics.median(choices) * ms:6.2f} ms, "
        f"p99 {pct(choices, 0.99) * ms:6.2f} ms  (over {len(narr)} voted turns, SQLite, pictures)"
    )
    b99 = pct(base, 0.99)
    print(f"lone asyncio timer       : lateness p99 {b99 * ms:6.2f} ms (baseline)")
    for n, late in lateness.items():
        p50, p99, worst = late.quantile(0.5), late.quantile(0.99), late.max
        print(
            f"{n:>6} open windows      : lateness median {p50 * ms:6.1f} ms, "
            f"p99 {p99 * ms:6.1f} ms, max {worst * ms:6.1f} ms, fired {late.count} "
            f"(sampled {late.sampled})  "
            f"(p99 {p99 / max(b99, 1e-6):.0f}x baseline; {CLOSINGS_PER_SECOND} closes/s)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.sessions = 10, [50]
    asyncio.run(main(args.turns, args.sessions))
