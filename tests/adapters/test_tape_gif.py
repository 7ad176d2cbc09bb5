"""The GIF tape encoder: every shot in order, flipbooks expanded, the size cap kept."""

from __future__ import annotations

import io

import pytest

from glitchcart.adapters.tapes.frames import count_frames, layout_for, render_frames
from glitchcart.adapters.tapes.gif import GifTapeEncoder, quantize, save_gif
from glitchcart.core.tape import TapeLook, TapeScript
from glitchcart.errors import LimitExceeded
from support.media import SIZE, gif_durations, gif_frames, read_bits
from support.tape_scripts import flipbook, png, script


def test_a_tape_is_a_title_card_every_shot_in_order_and_a_closing_card() -> None:
    tape = GifTapeEncoder().encode_now(script([png(t) for t in range(7)]), 8 * 1024 * 1024)
    frames = gif_frames(tape.data)
    assert len(frames) == tape.frames == 9
    assert [read_bits(f) for f in frames] == [None, *((t, 0) for t in range(7)), None]
    assert gif_durations(tape.data) == [2000, *([1800] * 7), 3000]
    assert (tape.width, tape.height) == frames[0].size == layout_for(SIZE).size
    assert tape.width % 2 == 0 and tape.height % 2 == 0
    assert (tape.colours, tape.scale) == (256, 1.0)


def test_the_same_script_gives_the_same_bytes() -> None:
    one = script([png(t) for t in range(3)])
    assert (
        GifTapeEncoder().encode_now(one, 10**7).data == GifTapeEncoder().encode_now(one, 10**7).data
    )


def test_flipbook_shots_are_expanded_in_order_and_fill_their_hold_time() -> None:
    tape = GifTapeEncoder().encode_now(script([flipbook(0), png(1), flipbook(2)]), 10**7)
    shots = [read_bits(f) for f in gif_frames(tape.data)]
    assert shots == [
        None,
        (0, 0),
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 0),
        (2, 0),
        (2, 1),
        (2, 2),
        (2, 3),
        None,
    ]
    durations = gif_durations(tape.data)
    assert sum(durations[1:5]) == 1800 and durations[5] == 1800
    assert count_frames(script([flipbook(0), png(1), flipbook(2)])) == len(shots) == tape.frames


def test_a_turn_without_a_picture_keeps_its_place() -> None:
    tape = GifTapeEncoder().encode_now(script([png(0), None, b"not a picture", png(3)]), 10**7)
    shots = [read_bits(f) for f in gif_frames(tape.data)]
    assert len(shots) == 6
    assert shots[1] == (0, 0) and shots[4] == (3, 0)
    assert shots[2] is None and shots[3] is None


def test_over_the_cap_it_shrinks_step_by_step_but_keeps_every_frame() -> None:
    many = script([png(t) for t in range(40)])
    full = GifTapeEncoder().encode_now(many, 10**8)
    cap = len(full.data) // 3
    stages: list[str] = []
    tape = GifTapeEncoder().encode_now(many, cap, lambda stage, done, total: stages.append(stage))
    assert len(tape.data) <= cap and tape.scale < 1.0
    frames = gif_frames(tape.data)
    assert frames[0].size == (tape.width, tape.height) == layout_for(SIZE, tape.scale).size
    assert [read_bits(f) for f in frames[1:-1]] == [(t, 0) for t in range(40)]
    assert stages[0].startswith("encoding") and any(s.startswith("shrinking") for s in stages)


def test_a_cap_no_step_can_meet_is_a_clear_limit() -> None:
    with pytest.raises(LimitExceeded, match="cap is 2000 bytes"):
        GifTapeEncoder().encode_now(script([png(t) for t in range(12)]), 2000)


async def test_encoding_runs_off_the_event_loop_and_reports_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    tape = await GifTapeEncoder().encode(
        script([png(0), png(1)]), max_bytes=10**7, progress=lambda *a: seen.append(a)
    )
    assert tape.frames == 4
    assert seen[0] == ("encoding", 0, 4) and seen[-1] == ("encoding", 4, 4)


def test_the_art_style_tunes_the_finish() -> None:
    plain = TapeLook(
        scanlines=False, grain=0.0, bar=(0, 0, 0), ink=(255, 255, 255), accent=(0, 0, 255)
    )
    one = script([png(0)])
    styled = [image for image, _ in render_frames(one)]
    bare = [
        image
        for image, _ in render_frames(TapeScript(one.title, one.shots, one.closing, plain, 7, SIZE))
    ]
    bottom = styled[1].height - 1
    # without scanlines the bar is its own colour on every row; with them, rows alternate
    assert {bare[1].getpixel((1, y)) for y in (bottom, bottom - 1)} == {(0, 0, 0)}
    assert styled[1].getpixel((1, bottom)) != styled[1].getpixel((1, bottom - 1))
    # the caption is written in the style's ink; the cards carry grain only if it asks
    assert (255, 255, 255) in {c for _, c in bare[1].getcolors(1 << 16) or []}
    assert len(bare[0].getcolors(1 << 16) or []) < len(styled[0].getcolors(1 << 16) or [])


def test_frames_drawn_in_threads_are_the_frames_drawn_in_one() -> None:
    mixed = script([png(0), flipbook(1), None, b"not a picture", png(4)])
    one = [(image.tobytes(), ms) for image, ms in render_frames(mixed, scale=0.7)]
    many = [(image.tobytes(), ms) for image, ms in render_frames(mixed, scale=0.7, workers=3)]
    assert many == one
    serial = GifTapeEncoder(workers=0).encode_now(mixed, 10**7)
    assert GifTapeEncoder(workers=3).encode_now(mixed, 10**7) == serial


def test_the_gif_writer_writes_what_pillow_writes_for_the_same_frames() -> None:
    frames = [quantize(image, 64) for image, _ in render_frames(script([flipbook(0), png(1)]))]
    frames.insert(2, frames[1].copy())  # a repeated frame lengthens the one before
    for ms, frame in zip((2000, 100, 100, 100, 100, 100, 1800, 3000), frames, strict=True):
        frame.info["duration"] = ms
    out = io.BytesIO()
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], loop=0, optimize=False
    )
    assert save_gif(frames) == out.getvalue()
    assert gif_durations(out.getvalue())[1] == 200


def test_a_long_tape_over_the_cap_starts_where_a_sample_of_it_fits() -> None:
    long = script([png(t) for t in range(120)])  # long enough to be sampled
    encoder = GifTapeEncoder()
    cap = len(encoder.encode_now(long, 10**8).data) // 3
    stages: list[str] = []
    tape = encoder.encode_now(long, cap, lambda stage, done, total: stages.append(stage))
    assert len(tape.data) <= cap and len(set(stages)) == 1  # one full pass
    at = encoder.ladder.index((tape.colours or 0, tape.scale))
    assert at > 0 and len(encoder.encode_step(long, *encoder.ladder[at - 1])) > cap
