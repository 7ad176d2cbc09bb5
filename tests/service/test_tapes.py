"""Replay tapes: built from a session's committed turns only, per session, deduplicated."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from glitchcart.adapters.providers.flipbook import FlipbookPainter
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.adapters.tapes.mp4 import Mp4TapeEncoder
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.tape import EncodedTape, TapeFormat, TapeScript, TurnSpan
from glitchcart.errors import (
    GameNotFound,
    InvalidInput,
    NoGameRunning,
    SessionMismatch,
    SessionNotFound,
)
from glitchcart.service.engine import Engine
from glitchcart.service.game_media import game_media
from glitchcart.service.inflight import Progress
from glitchcart.service.tapes import Tape, TapeService
from support.engines import make_engine
from support.media import (
    SIZE,
    BitPainter,
    TurnNarrator,
    calm_cartridges,
    gif_frames,
    mp4_frames,
    read_bits,
    runs,
)
from support.providers import GatedNarrator

A = SessionKey.parse("web:alpha")
B = SessionKey.parse("web:bravo")


def engine_for(root: Path, narrator: TurnNarrator | None = None) -> Engine:
    """An engine whose frames say their turn and session (A is 1, B is 2); no death by chaos."""
    return make_engine(
        root,
        narrator=narrator or TurnNarrator(),
        painter=BitPainter({A: 1, B: 2}),
        cartridges=calm_cartridges(),
    )


def tapes_for(engine: Engine, **options: object) -> TapeService:
    return TapeService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        encoders=[GifTapeEncoder(), Mp4TapeEncoder()],
        frame_size=SIZE,
        **options,  # type: ignore[arg-type]
    )


async def play(engine: Engine, key: SessionKey, turns: int, seed: int = 1) -> None:
    await engine.start(key, "mini", seed=seed)
    for i in range(turns):
        await engine.choose(key, 1 + i % 3)
        await asyncio.sleep(0)  # let other sessions interleave


def shots_of_gif(data: bytes) -> list[tuple[int, int] | None]:
    return [read_bits(frame) for frame in gif_frames(data)]


async def test_gif_frames_are_the_committed_turns_in_order(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 9)
    tapes = tapes_for(engine)
    tape = await tapes.build(A)
    assert (tape.first, tape.last, tape.turns, tape.format, tape.built) == (0, 9, 10, "gif", True)
    assert tape.ref.session == A and tape.ref.kind == "tape"
    shots = shots_of_gif(await tapes.get(A, tape.ref))
    assert len(shots) == 10 + 2  # title card, one frame per committed turn, closing card
    assert shots[0] is None and shots[-1] is None
    assert shots[1:-1] == [(turn, 1) for turn in range(10)]


async def test_mp4_shows_the_committed_turns_in_order(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 5)
    tapes = tapes_for(engine)
    tape = await tapes.build(A, fmt="mp4")
    assert tape.ref.name.endswith(".mp4")
    frames = list(mp4_frames(await tapes.get(A, tape.ref)))
    assert frames[0].width % 2 == 0 and frames[0].height % 2 == 0
    assert runs([read_bits(f) for f in frames]) == [(turn, 1) for turn in range(6)]
    assert len(frames) == round((2000 + 6 * 1800 + 3000) * 10 / 1000)  # 10 fps, nothing dropped


async def test_a_tape_is_read_whole_or_in_chunks(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 3)
    tapes = tapes_for(engine)
    tape = await tapes.build(A)
    data = await tapes.get(A, tape.ref)
    assert tape.size == len(data) == await tapes.size(A, tape.ref)
    assert b"".join([chunk async for chunk in tapes.read(A, tape.ref)]) == data


async def test_a_turn_range_takes_only_those_turns(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 9)
    tapes = tapes_for(engine)
    tape = await tapes.build(A, turns=TurnSpan.parse("3-6"))
    assert (tape.first, tape.last, tape.turns) == (3, 6, 4)
    assert shots_of_gif(await tapes.get(A, tape.ref))[1:-1] == [(t, 1) for t in (3, 4, 5, 6)]
    clipped = await tapes.build(A, turns=TurnSpan.parse("8-50"))
    assert (clipped.first, clipped.last) == (8, 9)
    with pytest.raises(InvalidInput):
        await tapes.build(A, turns=TurnSpan.parse("20-30"))


async def test_a_turn_being_resolved_is_never_on_the_tape(tmp_path: Path) -> None:
    class Gated(GatedNarrator, TurnNarrator):
        pass

    narrator = Gated()
    narrator.gate.set()
    engine = engine_for(tmp_path, narrator)
    await play(engine, A, 3)
    narrator.gate.clear()
    narrator.entered.clear()
    resolving = asyncio.create_task(engine.choose(A, 1))
    await narrator.entered.wait()
    tapes = tapes_for(engine)
    tape = await tapes.build(A)
    assert tape.last == 3
    assert shots_of_gif(await tapes.get(A, tape.ref))[1:-1] == [(t, 1) for t in range(4)]
    narrator.gate.set()
    assert (await resolving).turn == 4
    after = await tapes.build(A)
    assert after.ref != tape.ref and after.last == 4


async def test_two_sessions_building_at_once_each_get_only_their_frames(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await asyncio.gather(play(engine, A, 8, seed=1), play(engine, B, 6, seed=2))
    tapes = tapes_for(engine)
    gif_a, gif_b, mp4_a, mp4_b = await asyncio.gather(
        tapes.build(A), tapes.build(B), tapes.build(A, fmt="mp4"), tapes.build(B, fmt="mp4")
    )
    assert shots_of_gif(await tapes.get(A, gif_a.ref))[1:-1] == [(t, 1) for t in range(9)]
    assert shots_of_gif(await tapes.get(B, gif_b.ref))[1:-1] == [(t, 2) for t in range(7)]
    video_a = [read_bits(f) for f in mp4_frames(await tapes.get(A, mp4_a.ref))]
    video_b = [read_bits(f) for f in mp4_frames(await tapes.get(B, mp4_b.ref))]
    assert runs(video_a) == [(t, 1) for t in range(9)]
    assert runs(video_b) == [(t, 2) for t in range(7)]
    assert [t.ref.name for t in await tapes.list(A)] == sorted([gif_a.ref.name, mp4_a.ref.name])
    assert [t.ref.name for t in await tapes.list(B)] == sorted([gif_b.ref.name, mp4_b.ref.name])


async def test_a_long_run_fits_the_cap_without_dropping_a_turn(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 200)
    cap = 120_000
    uncapped = await tapes_for(engine).build(A)
    assert uncapped.size is not None and uncapped.size > cap  # the cap has to bite
    tapes = tapes_for(engine, max_bytes=cap)
    tape = await tapes.build(A)
    assert tape.size is not None and tape.size <= cap
    data = await tapes.get(A, tape.ref)
    assert len(data) <= cap
    frames = gif_frames(data)
    assert frames[0].width < SIZE[0]  # it was scaled down to fit
    assert [read_bits(f) for f in frames[1:-1]] == [(t, 1) for t in range(201)]


class CountingEncoder:
    """A real encoder that counts its calls and lets other requests arrive first."""

    def __init__(self) -> None:
        self.inner = GifTapeEncoder()
        self.format: TapeFormat = "gif"
        self.version = self.inner.version
        self.calls = 0

    async def encode(
        self, script: TapeScript, *, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        self.calls += 1
        await asyncio.sleep(0.05)
        return await self.inner.encode(script, max_bytes=max_bytes, progress=progress)


async def test_concurrent_requests_for_one_tape_make_one_file(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 6)
    encoder = CountingEncoder()
    ready: list[Tape] = []

    async def on_ready(tape: Tape) -> None:
        ready.append(tape)

    tapes = TapeService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        encoders=[encoder],
        frame_size=SIZE,
        on_ready=on_ready,
    )
    seen: list[list[str]] = [[] for _ in range(5)]
    results = await asyncio.gather(
        *(
            tapes.build(A, progress=lambda stage, done, total, i=i: seen[i].append(stage))
            for i in range(5)
        )
    )
    assert encoder.calls == 1
    assert len({r.ref for r in results}) == 1 and all(r.built for r in results)
    assert len(list((tmp_path / "sessions" / A.folder_name / "tapes").iterdir())) == 1
    assert all("encoding" in stages for stages in seen)  # every waiter saw the progress
    assert [t.ref for t in ready] == [results[0].ref]  # "tape ready" once
    again = await tapes.build(A)
    assert (again.ref, again.built, again.size) == (results[0].ref, False, None)
    assert encoder.calls == 1


async def test_a_foreign_ref_is_refused(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await asyncio.gather(play(engine, A, 2), play(engine, B, 2))
    tapes = tapes_for(engine)
    tape_b = await tapes.build(B)
    with pytest.raises(SessionMismatch):
        await tapes.get(A, tape_b.ref)
    with pytest.raises(SessionMismatch):
        tapes.locate(A, tape_b.ref)
    with pytest.raises(InvalidInput):
        await tapes.get(A, MediaRef(A, "frame", "g1-00000.png"))
    with pytest.raises(SessionMismatch):
        await tapes.size(A, tape_b.ref)
    with pytest.raises(SessionMismatch):
        tapes.read(A, tape_b.ref)
    with pytest.raises(InvalidInput, match="not the name of a tape"):
        await tapes.size(A, MediaRef(A, "tape", "notes.gif"))
    game_b = (await engine.snapshot(B)).game_id
    with pytest.raises(GameNotFound):
        await tapes.build(A, game_id=game_b)


async def test_frames_of_another_session_in_a_history_are_refused(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await asyncio.gather(play(engine, A, 2), play(engine, B, 2))
    snap = await engine.snapshot(A)
    assert snap.game_id is not None and snap.last is not None
    record = await engine.store.load(A)
    assert record is not None
    forged = replace(snap.last, turn=3, frame=MediaRef(B, "frame", "g2-00001.png"))
    await engine.store.commit(record, expected_version=record.version, turns=[forged])
    with pytest.raises(SessionMismatch):
        await tapes_for(engine).build(A)
    assert await tapes_for(engine).list(A) == []


async def test_missing_sessions_and_games_are_clear_errors(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    tapes = tapes_for(engine)
    with pytest.raises(SessionNotFound):
        await tapes.build(A)
    with pytest.raises(InvalidInput):
        await tapes.build(A, fmt="webm")
    with pytest.raises(GameNotFound):
        await tapes.build_game(A, "nope", "mini")


async def test_no_game_running_is_refused(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 1)
    record = await engine.store.load(A)
    assert record is not None
    await engine.store.commit(record.evolve(game=None), expected_version=record.version)
    with pytest.raises(NoGameRunning):
        await tapes_for(engine).build(A)


async def test_a_death_tape_closes_on_the_cause(tmp_path: Path) -> None:
    engine = engine_for(tmp_path, TurnNarrator(damage=4))
    await engine.start(A, "mini", seed=1)
    last = None
    for _ in range(10):
        last = await engine.choose(A, 1)
        if not last.state.alive:
            break
    assert last is not None and not last.state.alive
    snap = await engine.snapshot(A)
    assert snap.game_id is not None and snap.cartridge is not None
    tape = await tapes_for(engine).build_game(A, snap.game_id, snap.cartridge)
    assert tape.last == last.turn
    shots = shots_of_gif(await tapes_for(engine).get(A, tape.ref))
    assert shots[1:-1] == [(t, 1) for t in range(last.turn + 1)]


async def test_deleting_the_session_deletes_its_tapes(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await play(engine, A, 2)
    tapes = tapes_for(engine)
    tape = await tapes.build(A)
    assert await engine.media.exists(tape.ref)
    await engine.delete_session(A)
    assert not await engine.media.exists(tape.ref)
    assert await tapes.list(A) == []


async def test_in_flipbook_mode_a_tape_plays_each_turns_flipbook(tmp_path: Path) -> None:
    painter = FlipbookPainter(BitPainter({A: 1}, size=(256, 144)), frames=3)
    engine = make_engine(
        tmp_path, narrator=TurnNarrator(), painter=painter, cartridges=calm_cartridges()
    )
    await engine.configure(
        A, {"flipbook": True}, create=True
    )  # this session's pictures are flipbooks
    await play(engine, A, 3)
    tapes = tapes_for(engine)
    tape = await tapes.build(A)
    shots = shots_of_gif(await tapes.get(A, tape.ref))
    assert len(shots) == 2 + 4 * 3
    assert shots[1:-1] == [(t, 1) for t in range(4) for _ in range(3)]


async def test_a_saved_game_of_the_session_can_be_taped_and_its_media_found(
    tmp_path: Path,
) -> None:
    engine = engine_for(tmp_path, TurnNarrator(damage=4))
    await engine.start(A, "mini", seed=1)
    while (await engine.choose(A, 1)).state.alive:
        pass
    old = (await engine.snapshot(A)).game_id
    assert old is not None
    await engine.start(A, "mini", seed=2)
    await play(engine, B, 1)
    tapes = tapes_for(engine)
    tape = await tapes.build(A, game_id=old)
    assert tape.game_id == old and tape.ref.session == A
    with pytest.raises(GameNotFound):
        await tapes.build(B, game_id=old)  # played in A, never in B
    current = await tapes.build(A)
    assert current.game_id != old
    found = await game_media(engine.media, A, old)
    assert tape.ref in found and current.ref not in found
    assert {r.kind for r in found} == {"frame", "tape"}
    assert all(r.name.startswith(f"{old}-") for r in found)


async def test_a_loaded_game_keeps_its_tapes_and_films_retitled_for_the_new_session(
    tmp_path: Path,
) -> None:
    """Issue 12 item 1: loading a game into another session must not lose its tapes."""
    engine = engine_for(tmp_path)
    engine.tapes = tapes_for(engine)
    await play(engine, A, 3)
    game_id = (await engine.snapshot(A)).game_id
    assert game_id is not None
    old_tape = await engine.tapes.build(A, fmt="gif")
    clip = MediaRef(A, "segment", f"{game_id}-00001.mp4")
    await engine.media.put(clip, b"clip bytes")
    await engine.exit(A)
    await engine.load_game(B, game_id)
    [moved] = await engine.tapes.list(B)
    assert (moved.game, moved.first, moved.last, moved.format) == (game_id, 0, 3, "gif")
    assert moved.ref.name != old_tape.ref.name  # made again: its card names session B
    assert await engine.tapes.list(A) == []
    frames = gif_frames(await engine.tapes.get(B, moved.ref))
    assert len(frames) >= 5
    assert await engine.media.get(MediaRef(B, "segment", clip.name)) == b"clip bytes"
    assert not await engine.media.exists(clip)


async def test_a_loaded_game_keeps_its_tapes_as_they_are_when_tapes_cannot_be_made(
    tmp_path: Path,
) -> None:
    engine = engine_for(tmp_path)
    tapes = tapes_for(engine)
    await play(engine, A, 2)
    game_id = (await engine.snapshot(A)).game_id
    assert game_id is not None
    tape = await tapes.build(A, fmt="gif")
    await engine.exit(A)
    assert engine.tapes is None
    await engine.load_game(B, game_id)
    moved = MediaRef(B, "tape", tape.ref.name)
    assert await engine.media.get(moved) == await tapes.get(B, moved) != b""
    assert not await engine.media.exists(tape.ref)
