"""Pictures that can be read back after encoding, for tape, film and flipbook tests.

:class:`BitPainter` paints a small frame of 16 vertical black/white bands that
spell the turn (bits 0-10), the session's number (bits 11-14) and a marker
(bit 15). Bands survive palette reduction, scaling and H.264, so a decoded tape
frame tells which turn of which session it shows (:func:`read_bits`).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageSequence

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.state import WorldState
from glitchcart.ports import PaintRequest, Scene
from support.cartridges import mini_cartridge
from support.engines import Cartridges
from support.providers import PlainNarrator

SIZE = (128, 72)
BANDS = 16


def calm_cartridges() -> Cartridges:
    """The mini cartridge without chaos, so a long run never dies of it."""
    calm = {"per_turn": 0, "phases": [{"name": "calm", "at": 0}]}
    return Cartridges(mini_cartridge(chaos=calm))


class TurnNarrator(PlainNarrator):
    """The plain narrator, whose scenes say which turn they picture."""

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return Scene(
            state.location, state.time_of_day, ("rocks",), f"turn={state.turn}", "normal", 0
        )


def bands_image(turn: int, session: int, size: tuple[int, int] = SIZE) -> Image.Image:
    code = turn | session << 11 | 1 << 15
    image = Image.new("RGB", size, (0, 0, 0))
    band = size[0] // BANDS
    for bit in range(BANDS):
        if code >> bit & 1:
            image.paste((255, 255, 255), (bit * band, 0, (bit + 1) * band, size[1]))
    return image


class BitPainter:
    """Paints :func:`bands_image` for the turn in the scene and the session's number."""

    name = "bits"

    def __init__(
        self, sessions: dict[SessionKey, int] | None = None, size: tuple[int, int] = SIZE
    ) -> None:
        self.sessions = sessions or {}
        self.size = size  # flipbook tests use a larger one: their drift moves a few pixels
        self.calls = 0

    async def paint(self, request: PaintRequest) -> bytes:
        self.calls += 1
        match = re.search(r"turn=(\d+)", request.scene.description)
        turn = int(match[1]) if match else 2047
        session = self.sessions.get(request.session, 0) if request.session else 0
        out = io.BytesIO()
        bands_image(turn, session, self.size).save(out, "PNG")
        return out.getvalue()


def read_bits(image: Image.Image) -> tuple[int, int] | None:
    """(turn, session) of a frame painted by :class:`BitPainter`, or None for any other."""
    rgb = image.convert("L")
    width = rgb.width
    picture_h = width * SIZE[1] // SIZE[0]
    rows = []
    for y in (picture_h // 4, picture_h * 3 // 4):
        values = [rgb.getpixel((int((bit + 0.5) * width / BANDS), y)) for bit in range(BANDS)]
        if any(not isinstance(v, int) or 70 < v < 140 for v in values):
            return None
        rows.append(
            sum(1 << bit for bit, v in enumerate(values) if isinstance(v, int) and v >= 140)
        )
    if rows[0] != rows[1] or not rows[0] >> 15 & 1:
        return None
    return rows[0] & 0x7FF, rows[0] >> 11 & 0xF


def gif_frames(data: bytes) -> list[Image.Image]:
    with Image.open(io.BytesIO(data)) as gif:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(gif)]


def gif_durations(data: bytes) -> list[int]:
    with Image.open(io.BytesIO(data)) as gif:
        return [int(frame.info.get("duration", 0)) for frame in ImageSequence.Iterator(gif)]


def mp4_frames(data: bytes) -> list[Image.Image]:
    """Every decoded frame of an MP4, as RGB images (decoded by the bundled ffmpeg)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "video.mp4").write_bytes(data)
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", "video.mp4", "f%06d.png"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        frames = []
        for path in sorted(folder.glob("f*.png")):
            with Image.open(path) as image:
                frames.append(image.convert("RGB"))
        return frames


def runs(values: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """The decoded shots in order, consecutive repeats and non-shots dropped."""
    out: list[tuple[int, int]] = []
    for value in values:
        if value is not None and (not out or out[-1] != value):
            out.append(value)
    return out
