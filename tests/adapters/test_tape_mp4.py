"""The MP4 tape encoder: H.264 of the same frames, each held for its time."""

from __future__ import annotations

import pytest
from PIL import Image

from glitchcart.adapters.tapes.frames import layout_for
from glitchcart.adapters.tapes.mp4 import Mp4TapeEncoder, held
from glitchcart.errors import LimitExceeded
from support.media import SIZE, mp4_frames, read_bits, runs
from support.tape_scripts import flipbook, png, script


def test_each_frame_is_held_for_its_time_without_drift() -> None:
    images = [Image.new("RGB", (2, 2), (i, i, i)) for i in range(4)]
    out = list(held(iter(zip(images, [100, 250, 100, 1000], strict=True)), fps=10))
    counts = [sum(1 for o in out if o is image) for image in images]
    # ends at 0.1 s, 0.35 s, 0.45 s, 1.45 s: video frames 1, 4 (3.5 rounds to even), 5, 14
    assert counts == [1, 3, 1, 9]
    assert len(out) == round(1450 * 10 / 1000)  # rounding never accumulates
    short = list(held(iter([(images[0], 10), (images[1], 10)]), fps=10))
    assert len(short) == 2  # a frame shorter than a video frame still shows once


def test_an_mp4_tape_shows_every_shot_in_order() -> None:
    tape = Mp4TapeEncoder().encode_now(script([png(t) for t in range(5)] + [flipbook(5)]), 10**7)
    frames = mp4_frames(tape.data)
    assert frames[0].size == (tape.width, tape.height) == layout_for(SIZE).size
    assert runs([read_bits(f) for f in frames]) == [
        *((t, 0) for t in range(5)),
        (5, 0),
        (5, 1),
        (5, 2),
        (5, 3),
    ]
    assert len(frames) == round((2000 + 6 * 1800 + 3000) * 10 / 1000)
    assert tape.colours is None and tape.frames == 2 + 5 + 4


def test_an_mp4_over_every_step_of_the_cap_is_a_clear_limit() -> None:
    with pytest.raises(LimitExceeded):
        Mp4TapeEncoder(ladder=((30, 1.0),)).encode_now(script([png(0), png(1)]), 1024)
