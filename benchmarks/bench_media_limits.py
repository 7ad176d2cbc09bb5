"""Media limits: what checking a session's media costs before each tape, film or clip.

Fills one session's folder with ``--files`` pictures (and ``--tapes`` tapes) on the
file store, then prints, measured in one run, the median of ``--repeat`` runs of:

- ``MediaLimits.used``: every file of the session listed and sized through the
  MediaStore port (what ``check_room`` does before a build);
- ``MediaLimits.sweep`` with nothing to remove (what follows every build);
- the baseline: a bare ``os.scandir`` and ``stat`` of the same folders in this thread.

    .venv/bin/python benchmarks/bench_media_limits.py [--files 2000] [--tapes 20] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.service.media_limits import MediaLimits

KEY = SessionKey.parse("web:bench")


def bare_usage(folder: Path) -> int:
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            total += os.stat(os.path.join(root, name)).st_size
    return total


async def median(repeat: int, run: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(files: int, tapes: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        media = FileMediaStore(Path(tmp))
        limits = MediaLimits(media=media, store=MemorySessionStore(), kept=tapes)
        for turn in range(files):
            await media.put(MediaRef(KEY, "frame", f"g1-{turn:05d}.png"), bytes(1024))
        for i in range(tapes):
            name = f"g1-tape-00000-{i:05d}-{i:010x}.gif"
            await media.put(MediaRef(KEY, "tape", name), bytes(4096))
        keep = MediaRef(KEY, "tape", f"g1-tape-00000-{tapes - 1:05d}-{tapes - 1:010x}.gif")
        folder = media.session_folder(KEY)

        async def bare() -> int:
            return bare_usage(folder)

        assert await limits.used(KEY) == await bare()
        baseline = await median(repeat, bare)
        used = await median(repeat, lambda: limits.used(KEY))
        sweep = await median(repeat, lambda: limits.sweep(KEY, "tape", keep=keep))
        print(f"{files} pictures, {tapes} tapes in one session, median of {repeat}")
        print(f"baseline scandir+stat     {baseline * 1000:8.1f} ms")
        for label, took in (("MediaLimits.used", used), ("MediaLimits.sweep (none)", sweep)):
            print(f"{label:<25} {took * 1000:8.1f} ms   {took / baseline:5.1f}x baseline")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--tapes", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.files, args.tapes, args.repeat = 100, 3, 1
    asyncio.run(main(args.files, args.tapes, args.repeat))
