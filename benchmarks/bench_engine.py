"""Engine throughput with the offline providers, and the cost of one painted frame.

Prints, measured in one run:
- turns/s of the engine on the memory store, text only (no pictures) and with pictures;
- turns/s of the engine on the SQLite store (with pictures), next to the memory store;
- ms per painted 512x288 frame (the painter alone), next to a bare Pillow PNG save of
  a blank frame of the same size as the floor.

    .venv/bin/python benchmarks/bench_engine.py [--turns 300]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter, render
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.ports import PaintRequest, SessionStore
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

LIBRARY = CartridgeLibrary()


async def play(store: SessionStore, root: Path, turns: int, pictures: bool) -> float:
    """Turns per second over ``turns`` turns, restarting games that end in death."""
    clock = SystemClock()
    engine = Engine(
        store=store,
        lease=lease_for(store, clock),
        media=FileMediaStore(root),
        narrator=OfflineNarrator(),
        painter=OfflinePainter(),
        cartridges=LIBRARY,
        clock=clock,
        settings=Settings(home=root, pictures=pictures),
    )
    key = SessionKey.parse("bench:engine")
    await engine.start(key, "dust-signal", seed=1)
    done = 0
    started = time.perf_counter()
    while done < turns:
        record = await engine.choose(key, 1 + done % 3)
        done += 1
        if not record.state.alive:
            await engine.reset(key)
    return done / (time.perf_counter() - started)


def frame_ms(samples: int) -> tuple[float, float]:
    cart = LIBRARY.get("dust-signal")
    narrator = OfflineNarrator()
    from glitchcart.core.state import initial_state

    state = initial_state(cart, cart.openings[0].location, "dusk")
    scene = narrator.scene(cart, state, "", None)
    times = []
    for i in range(samples):
        t = time.perf_counter()
        render(PaintRequest(cart, scene, seed=i))
        times.append((time.perf_counter() - t) * 1000)
    bare = []
    for _ in range(samples):
        t = time.perf_counter()
        buf = io.BytesIO()
        Image.new("RGB", (512, 288), (20, 20, 30)).save(buf, "PNG")
        bare.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), statistics.median(bare)


async def main(turns: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        text = await play(MemorySessionStore(), root / "a", turns, pictures=False)
        pics = await play(MemorySessionStore(), root / "b", turns, pictures=True)
        sqlite = SqliteSessionStore(root / "c.db")
        try:
            sql = await play(sqlite, root / "c", turns, pictures=True)
        finally:
            await sqlite.close()
    paint, bare = frame_ms(50)
    print(f"engine, memory store, text only : {text:8.1f} turns/s")
    print(f"engine, memory store, pictures  : {pics:8.1f} turns/s  ({pics / text:.2f}x text only)")
    print(f"engine, sqlite store, pictures  : {sql:8.1f} turns/s  ({sql / pics:.2f}x memory store)")
    print(
        f"painted frame 512x288           : {paint:8.2f} ms median  "
        f"(bare PNG save {bare:.2f} ms, ratio {paint / bare:.1f}x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    asyncio.run(main(10 if args.quick else args.turns))
