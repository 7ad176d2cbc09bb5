"""Tape scripts of band pictures, shared by the encoder tests."""

from __future__ import annotations

import io

from glitchcart.core.fate import Fate
from glitchcart.core.tape import TapeCard, TapeLook, TapeScript, TapeShot
from support.media import SIZE, bands_image

LOOK = TapeLook(
    scanlines=True, grain=0.3, bar=(10, 10, 20), ink=(240, 230, 200), accent=(200, 40, 40)
)


def png(turn: int, session: int = 0) -> bytes:
    out = io.BytesIO()
    bands_image(turn, session).save(out, "PNG")
    return out.getvalue()


def flipbook(turn: int, frames: int = 4) -> bytes:
    """An animated picture whose frames spell (turn, frame number)."""
    images = [bands_image(turn, k) for k in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def script(pictures: list[bytes | None]) -> TapeScript:
    fates = (None, Fate.LUCKY, Fate.NORMAL, Fate.UNLUCKY)
    shots = tuple(
        TapeShot(i, f"TURN {i}", fates[i % 4], False, f"choice number {i} " * 3, p, 1.8e9 + i)
        for i, p in enumerate(pictures)
    )
    return TapeScript(
        TapeCard("Mini", ("SESSION cli:a", "GAME g1")), shots, TapeCard("END", ()), LOOK, 7, SIZE
    )
