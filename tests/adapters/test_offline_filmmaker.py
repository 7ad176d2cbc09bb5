"""The offline filmmaker's clips and the ffmpeg clip joiner."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageStat

from glitchcart.adapters.providers.flipbook import animate
from glitchcart.adapters.providers.offline.painter.effects import overlay_boxes, rec_overlay
from glitchcart.adapters.tapes.frames import layout_for
from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.fate import Fate
from glitchcart.core.tape import TapeCard, TapeLook, TapeScript, TapeShot
from glitchcart.errors import ProviderError
from glitchcart.ports import SegmentRequest
from support.media import mp4_frames

SIZE = (96, 54)


def solid(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", SIZE, colour).save(out, "PNG")
    return out.getvalue()


def mean(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image).mean)


def clip_request(**changes: object) -> SegmentRequest:
    base = {
        "frame": solid((20, 40, 220)),
        "previous": solid((220, 30, 30)),
        "seed": 3,
        "duration": 2.0,
        "width": SIZE[0],
        "height": SIZE[1],
    }
    return SegmentRequest(**{**base, **changes})  # type: ignore[arg-type]


async def test_a_clip_crossfades_from_the_previous_frame_to_the_new_one() -> None:
    clip = await OfflineFilmmaker(fps=12).segment(clip_request())
    frames = mp4_frames(clip)
    assert len(frames) == 24 and frames[0].size == SIZE
    first, last = mean(frames[0]), mean(frames[-1])
    assert first[0] > first[2]  # still mostly the red previous frame
    assert last[2] > 150 and last[0] < 60  # the blue new frame


async def test_the_first_turn_films_its_frame_alone() -> None:
    frames = mp4_frames(await OfflineFilmmaker(fps=12).segment(clip_request(previous=None)))
    assert all(mean(f)[2] > 150 for f in frames)


async def test_a_flipbook_frame_can_be_filmed() -> None:
    book = animate(solid((200, 200, 40)), seed=2, frames=3)
    frames = mp4_frames(
        await OfflineFilmmaker(fps=10).segment(clip_request(frame=book, previous=None))
    )
    assert len(frames) == 20


async def test_bad_requests_are_provider_errors() -> None:
    with pytest.raises(ProviderError):
        await OfflineFilmmaker().segment(clip_request(frame=b"not a picture"))
    with pytest.raises(ProviderError):
        await OfflineFilmmaker().segment(clip_request(duration=0.0))


async def test_clips_are_joined_in_order_at_one_size() -> None:
    maker = OfflineFilmmaker(fps=12)
    red = await maker.segment(clip_request(frame=solid((220, 30, 30)), previous=None, duration=1.0))
    blue = await maker.segment(clip_request(previous=None, duration=1.0))
    film = await FfmpegClipJoiner(size=(64, 36), fps=12).join([red, blue])
    frames = mp4_frames(film)
    assert frames[0].size == (64, 36)
    assert abs(len(frames) - 24) <= 1
    assert mean(frames[0])[0] > 150 and mean(frames[-1])[2] > 150
    with pytest.raises(ProviderError):
        await FfmpegClipJoiner().join([])
    with pytest.raises(ProviderError):
        await FfmpegClipJoiner().join([b"not a video"])


def camcorder_frame(seed: int) -> bytes:
    """A dark, busy scene (nothing near white) under the painter's camcorder overlay."""
    rng = random.Random(seed)
    w, h = 512, 288
    scene = Image.frombytes("RGB", (w // 8, h // 8), rng.randbytes(w * h * 3 // 64))
    scene = scene.point(lambda v: v * 90 // 255).resize((w, h), Image.Resampling.NEAREST)
    rec_overlay(scene, seed)
    out = io.BytesIO()
    scene.save(out, "PNG")
    return out.getvalue()


def overlay_kept(source: bytes, frame: Image.Image) -> float:
    """The share of the overlay's white text pixels that are still bright in ``frame``."""
    with Image.open(io.BytesIO(source)) as opened:
        picture = opened.convert("L")
    shown = frame.convert("L")
    kept = total = 0
    for left, top, right, bottom in overlay_boxes(*picture.size):
        for y in range(top, bottom):
            for x in range(left, right):
                if picture.getpixel((x, y)) > 230:  # type: ignore[operator]
                    total += 1
                    kept += shown.getpixel((x, y)) > 150  # type: ignore[operator]
    assert total > 100  # the overlay is there to be kept
    return kept / total


@pytest.mark.parametrize("seed", [3, 4])  # a push in and a pull out
async def test_the_camera_moves_under_a_still_camcorder_overlay(seed: int) -> None:
    now, before = camcorder_frame(5), camcorder_frame(6)
    changes = {"frame": now, "previous": before, "width": 512, "height": 288, "seed": seed}
    maker = OfflineFilmmaker(fps=12)
    held = mp4_frames(await maker.segment(clip_request(overlay=True, duration=1.0, **changes)))
    moved = mp4_frames(await maker.segment(clip_request(duration=1.0, **changes)))
    assert overlay_kept(before, held[0]) > 0.9  # the previous frame's date, where it was
    after_fade = slice(5, None)  # the crossfade is over: only the new frame shows
    assert min(overlay_kept(now, f) for f in held[after_fade]) > 0.9  # all the way
    assert min(overlay_kept(now, f) for f in moved[after_fade]) < 0.7  # else it drifts away


def film_script(turns: int) -> TapeScript:
    look = TapeLook(True, 0.3, (10, 10, 20), (240, 230, 200), (200, 80, 40))
    shots = tuple(
        TapeShot(t, f"TURN {t}", Fate.LUCKY, False, f"choice {t}", None, 8e8) for t in range(turns)
    )
    return TapeScript(TapeCard("A FILM", ("GAME G",)), shots, TapeCard("THE END", ()), look, 7)


async def test_a_dressed_film_is_the_same_for_the_same_clips_and_script() -> None:
    maker = OfflineFilmmaker(fps=12)
    red = await maker.segment(clip_request(frame=solid((220, 30, 30)), previous=None))
    blue = await maker.segment(clip_request())
    joiner = FfmpegClipJoiner(size=(64, 36), fps=12)
    film = await joiner.join([red, blue], film_script(2))
    assert film == await joiner.join([red, blue], film_script(2))
    frames = mp4_frames(film)
    assert len(frames) == 2 * 12 + 2 * 24 + 3 * 12  # title, two clips, closing card
    assert frames[0].size == layout_for((64, 36)).size
    with pytest.raises(ProviderError):  # a clip without its shot
        await joiner.join([red, blue], film_script(1))
