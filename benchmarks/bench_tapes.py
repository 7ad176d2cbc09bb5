"""Replay tapes: seconds to build a 50-turn tape at 512x288, next to bare encodes.

Plays one offline game (dust-signal, with death switched off so the run lasts)
and prints, measured in one run, median of ``--repeat`` builds:

- the tape service building the GIF tape (reading the frames from the media
  folder, captions, cards, finish, size cap, publishing), next to a bare Pillow
  GIF save of the same painted frames (already decoded, no captions), once with
  Pillow's default quantizer and once with the tape's;
- the tape service building the MP4 tape, next to a bare imageio-ffmpeg
  ``write_frames`` encode of the same frames held as long, with the same codec
  settings (H.264, yuv420p, CRF 23, preset veryfast, 10 fps);
- the sizes of all four files;
- with ``--long``: a 200-turn GIF tape under the default 8 MB cap (how far the
  cap had to shrink it, and that no turn was dropped).

    .venv/bin/python benchmarks/bench_tapes.py [--turns 50] [--repeat 3] [--long]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

from glitchcart.adapters.cartridge_library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.file_media import FileMediaStore
from glitchcart.adapters.memory_store import MemorySessionStore
from glitchcart.adapters.offline_narrator import OfflineNarrator
from glitchcart.adapters.offline_painter import OfflinePainter
from glitchcart.adapters.tape_gif import GifTapeEncoder
from glitchcart.adapters.tape_mp4 import Mp4TapeEncoder
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import SessionKey
from glitchcart.errors import CartridgeNotFound
from glitchcart.service.engine import Engine
from glitchcart.service.tapes import Tape, TapeService
from glitchcart.settings import Settings

FPS = 10
HOLD_MS = 1800
KEY = SessionKey.parse("bench:tapes")


class Undying:
    """dust-signal with death switched off, so one run lasts as long as asked."""

    def __init__(self, chaos_per_turn: int) -> None:
        cart = CartridgeLibrary().get("dust-signal")
        self.cart = dataclasses.replace(
            cart,
            stats=dataclasses.replace(cart.stats, health=1000, max_health=1000),
            # chaos never reaches 101: a validated cartridge could not say this, a benchmark can
            death=dataclasses.replace(cart.death, max_injuries=1000, fatal_chaos=101),
            chaos_per_turn=chaos_per_turn,
        )

    def get(self, cartridge_id: str) -> Cartridge:
        if cartridge_id != self.cart.id:
            raise CartridgeNotFound(cartridge_id)
        return self.cart

    def list(self) -> list[Cartridge]:
        return [self.cart]


async def play(root: Path, turns: int, chaos_per_turn: int) -> Engine:
    engine = Engine(
        store=MemorySessionStore(),
        media=FileMediaStore(root),
        narrator=OfflineNarrator(),
        painter=OfflinePainter(),
        cartridges=Undying(chaos_per_turn),
        clock=SystemClock(),
        settings=Settings(home=root),
    )
    await engine.start(KEY, "dust-signal", seed=11)
    for i in range(turns):
        record = await engine.choose(KEY, 1 + i % 3)
        if not record.state.alive:
            raise SystemExit(f"the run died at turn {record.turn}; the benchmark needs {turns}")
    return engine


def service(engine: Engine, fmt: str, max_bytes: int = 8 * 1024 * 1024) -> TapeService:
    encoder = GifTapeEncoder() if fmt == "gif" else Mp4TapeEncoder(fps=FPS)
    return TapeService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        encoders=[encoder],
        max_bytes=max_bytes,
    )


async def timed_builds(tapes: TapeService, fmt: str, repeat: int) -> tuple[float, Tape]:
    """Median seconds of ``repeat`` full builds (the tape is removed between them)."""
    times = []
    tape = None
    for _ in range(repeat):
        started = time.perf_counter()
        tape = await tapes.build(KEY, fmt=fmt)
        times.append(time.perf_counter() - started)
        await asyncio.to_thread(Path(tapes.locate(KEY, tape.ref)).unlink)
    assert tape is not None and tape.built
    return statistics.median(times), tape


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), size


def bare_gif(frames: list[Image.Image]) -> int:
    """Pillow's own GIF save of RGB frames (it quantizes each frame by median cut)."""
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], duration=HOLD_MS, loop=0
    )
    return len(out.getvalue())


def bare_gif_octree(frames: list[Image.Image]) -> int:
    """The same save with the tape's quantizer (fast octree, 256 colours, no dither)."""
    small = [f.quantize(256, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE) for f in frames]
    out = io.BytesIO()
    small[0].save(
        out, format="GIF", save_all=True, append_images=small[1:], duration=HOLD_MS, loop=0
    )
    return len(out.getvalue())


def bare_mp4(frames: list[Image.Image], folder: Path) -> int:
    path = folder / "bare.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(path),
        frames[0].size,
        fps=FPS,
        quality=None,
        macro_block_size=2,
        ffmpeg_log_level="error",
        output_params=["-crf", "23", "-preset", "veryfast", "-movflags", "+faststart"],
    )
    writer.send(None)
    for frame in frames:
        data = frame.tobytes()
        for _ in range(HOLD_MS * FPS // 1000):
            writer.send(data)
    writer.close()
    return path.stat().st_size


async def run(label: str, build: tuple[float, Tape], name: str, bare: tuple[float, int]) -> None:
    seconds, tape = build
    bare_s, bare_size = bare
    print(
        f"{label} tape {seconds:6.2f} s {tape.size or 0:>10,} B | bare {name:<14} "
        f"{bare_s:6.2f} s {bare_size:>10,} B | ratio {seconds / bare_s:.2f}x"
    )


async def main(turns: int, repeat: int, long: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = await play(root / "run", turns, chaos_per_turn=1)
        history = await engine.history(KEY)
        frames = []
        for record in history:
            assert record.frame is not None
            with Image.open(io.BytesIO(await engine.media.get(record.frame))) as image:
                frames.append(image.convert("RGB"))
        size = frames[0].size
        print(f"{len(history)} committed turns at {size[0]}x{size[1]}, median of {repeat} builds")
        gif_build = await timed_builds(service(engine, "gif"), "gif", repeat)
        await run("GIF", gif_build, "Pillow save", timed(lambda: bare_gif(frames), repeat))
        octree = timed(lambda: bare_gif_octree(frames), repeat)
        await run("GIF", gif_build, "same quantizer", octree)
        mp4_build = await timed_builds(service(engine, "mp4"), "mp4", repeat)
        bare = timed(lambda: bare_mp4(frames, root), repeat)
        await run("MP4", mp4_build, "write_frames", bare)
        if long:
            long_engine = await play(root / "long", 200, chaos_per_turn=0)
            started = time.perf_counter()
            tapes = service(long_engine, "gif")
            tape = await tapes.build(KEY)
            seconds = time.perf_counter() - started
            with Image.open(tapes.locate(KEY, tape.ref)) as gif:
                shown, width = gif.n_frames, gif.width
            print(
                f"GIF tape of {tape.turns} turns under the 8 MB cap: {seconds:6.2f} s  "
                f"{tape.size or 0:>10,} bytes  {shown} frames ({tape.turns} turns + 2 cards), "
                f"{width}px wide"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="also a 200-turn GIF under the cap")
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.repeat, args.long))
