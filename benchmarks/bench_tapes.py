"""Replay tapes: seconds to build a 50-turn tape at 512x288, next to bare encodes.

Plays one offline game (dust-signal, with death switched off so the run lasts)
and prints, measured in one run, the median of ``--repeat`` builds of each:

- the tape service building the GIF tape: reading the stored PNG frames from
  the media folder, decoding them, captions, cards, finish, quantizing, the
  size cap, writing and publishing the file;
- next to it, two bare Pillow saves of the very frames that tape shows (title
  card, every captioned shot, closing card, already composed and in memory, so
  the baseline does no reading, decoding or drawing; each frame with its own
  duration):

  - *Pillow default*: ``save(save_all=True)`` of the RGB frames; Pillow
    quantizes each frame by median cut (slow, shown for reference);
  - *same quantizer*: each frame quantized as the tape does (fast octree, 256
    colours, no dithering) and saved with ``optimize=False``, as the tape is.
    This is the honest baseline; the aim is a tape at most 2x of it;

- the tape service building the MP4 tape, next to a bare imageio-ffmpeg
  ``write_frames`` encode of the same composed frames, each held as long as
  on the tape (10 fps), with the same codec settings (H.264, yuv420p, CRF 23,
  preset veryfast), each frame's bytes made once;
- the size of every file; for the GIFs also the CPU seconds of this process
  (all its threads: the tape decodes and quantizes in a few threads, the bare
  save in one), next to the wall-clock seconds;
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

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.tapes.frames import Frame, render_frames
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.adapters.tapes.mp4 import Mp4TapeEncoder, held
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import SessionKey
from glitchcart.core.seeds import derive_seed
from glitchcart.core.tape import tape_script
from glitchcart.errors import CartridgeNotFound
from glitchcart.service.engine import Engine
from glitchcart.service.tapes import Tape, TapeService
from glitchcart.settings import Settings

FPS = 10
KEY = SessionKey.parse("bench:tapes")
FRAME_SIZE = (512, 288)  # the tape service's default


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
    store, clock = MemorySessionStore(), SystemClock()
    engine = Engine(
        store=store,
        lease=lease_for(store, clock),
        media=FileMediaStore(root),
        narrator=OfflineNarrator(),
        painter=OfflinePainter(),
        cartridges=Undying(chaos_per_turn),
        clock=clock,
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


@dataclasses.dataclass(frozen=True)
class Timing:
    """Median wall-clock and CPU seconds (this process, all threads) and the file's size."""

    wall: float
    cpu: float
    size: int


async def timed_builds(tapes: TapeService, fmt: str, repeat: int) -> tuple[Timing, Tape]:
    """``repeat`` full builds of the tape (removed between them)."""
    walls, cpus = [], []
    tape = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        tape = await tapes.build(KEY, fmt=fmt)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        await asyncio.to_thread(Path(tapes.locate(KEY, tape.ref)).unlink)
    assert tape is not None and tape.built and tape.size is not None
    return Timing(statistics.median(walls), statistics.median(cpus), tape.size), tape


def timed(fn: Callable[[], int], repeat: int) -> Timing:
    walls, cpus, size = [], [], 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        size = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), size)


async def tape_frames(engine: Engine) -> list[Frame]:
    """The frames the tape shows, composed as the tape service composes them, in memory."""
    history = await engine.history(KEY)
    pictures: list[bytes | None] = []
    for record in history:
        pictures.append(None if record.frame is None else await engine.media.get(record.frame))
    cartridge = engine.cartridges.get("dust-signal")
    seed = derive_seed(0, "tape", history[0].game_id)
    script = tape_script(KEY, cartridge, history, pictures, seed=seed, size=FRAME_SIZE)
    return list(render_frames(script))


def bare_gif(frames: list[Frame]) -> int:
    """Pillow's own GIF save of the RGB frames (it quantizes each frame by median cut)."""
    out = io.BytesIO()
    first, *rest = (image for image, _ in frames)
    durations = [ms for _, ms in frames]
    first.save(out, format="GIF", save_all=True, append_images=rest, duration=durations, loop=0)
    return len(out.getvalue())


def bare_gif_octree(frames: list[Frame]) -> int:
    """The same save with the tape's quantizer (fast octree, 256 colours, no dither)."""
    small = [
        image.quantize(256, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        for image, _ in frames
    ]
    durations = [ms for _, ms in frames]
    out = io.BytesIO()
    small[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=small[1:],
        duration=durations,
        loop=0,
        optimize=False,
    )
    return len(out.getvalue())


def bare_mp4(frames: list[Frame], folder: Path) -> int:
    """imageio-ffmpeg's write_frames, each frame held as on the tape; its bytes made once."""
    path = folder / "bare.mp4"
    writer = imageio_ffmpeg.write_frames(
        str(path),
        frames[0][0].size,
        fps=FPS,
        quality=None,
        macro_block_size=2,
        ffmpeg_log_level="error",
        output_params=["-crf", "23", "-preset", "veryfast", "-movflags", "+faststart"],
    )
    writer.send(None)
    last, data = None, b""
    for image in held(iter(frames), FPS):
        if image is not last:
            last, data = image, image.tobytes()
        writer.send(data)
    writer.close()
    return path.stat().st_size


def line(label: str, tape: Timing, name: str, bare: Timing, cpu: bool) -> str:
    ratio = tape.wall / bare.wall
    if not cpu:
        return (
            f"{label} tape {tape.wall:5.2f} s {tape.size:>10,} B | bare {name:<15} "
            f"{bare.wall:5.2f} s {bare.size:>10,} B | ratio {ratio:.2f}x"
        )
    return (
        f"{label} tape {tape.wall:5.2f} s (cpu {tape.cpu:4.2f}) {tape.size:>10,} B | "
        f"bare {name:<15} {bare.wall:5.2f} s (cpu {bare.cpu:4.2f}) {bare.size:>10,} B | "
        f"ratio {ratio:.2f}x"
    )


async def main(turns: int, repeat: int, long: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = await play(root / "run", turns, chaos_per_turn=1)
        frames = await tape_frames(engine)
        width, height = frames[0][0].size
        print(
            f"{turns + 1} committed turns at {FRAME_SIZE[0]}x{FRAME_SIZE[1]}: {len(frames)} "
            f"frames of {width}x{height} (cards and captions included), median of {repeat}"
        )
        gif, _ = await timed_builds(service(engine, "gif"), "gif", repeat)
        print(line("GIF", gif, "Pillow default", timed(lambda: bare_gif(frames), repeat), True))
        octree = timed(lambda: bare_gif_octree(frames), repeat)
        print(line("GIF", gif, "same quantizer", octree, True))
        mp4, _ = await timed_builds(service(engine, "mp4"), "mp4", repeat)
        bare = timed(lambda: bare_mp4(frames, root), repeat)
        print(line("MP4", mp4, "write_frames", bare, False))
        if long:
            long_engine = await play(root / "long", 200, chaos_per_turn=0)
            started = time.perf_counter()
            tapes = service(long_engine, "gif")
            tape = await tapes.build(KEY)
            seconds = time.perf_counter() - started
            with Image.open(tapes.locate(KEY, tape.ref)) as shown:
                count, shown_width = shown.n_frames, shown.width
            print(
                f"GIF tape of {tape.turns} turns under the 8 MB cap: {seconds:6.2f} s  "
                f"{tape.size or 0:>10,} bytes  {count} frames ({tape.turns} turns + 2 cards), "
                f"{shown_width}px wide"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="also a 200-turn GIF under the cap")
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.repeat, args.long = 5, 1, False
    asyncio.run(main(args.turns, args.repeat, args.long))
