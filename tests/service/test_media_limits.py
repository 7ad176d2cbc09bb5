"""Issue 11, finding 7: one caller can't grow a session's media without bound.

A session keeps its newest ``kept`` tapes and films (never what a game's end made,
never a frame), and once its media reaches ``max_bytes`` no new tape, film or clip
is made; what exists is still served."""

from __future__ import annotations

from pathlib import Path

import pytest

from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.media.memory import MemoryMediaStore
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.tape import TurnSpan
from glitchcart.errors import InvalidInput, LimitExceeded
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from glitchcart.service.media_limits import MediaLimits
from glitchcart.service.tapes import TapeService
from support.engines import make_engine
from support.media import SIZE, BitPainter, TurnNarrator, calm_cartridges

A = SessionKey.parse("web:alpha")


def engine_for(root: Path, narrator: TurnNarrator | None = None) -> Engine:
    return make_engine(
        root,
        narrator=narrator or TurnNarrator(),
        painter=BitPainter(),
        cartridges=calm_cartridges(),
    )


def tapes_for(engine: Engine, limits: MediaLimits) -> TapeService:
    return TapeService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        encoders=[GifTapeEncoder()],
        frame_size=SIZE,
        limits=limits,
    )


async def dead(engine: Engine) -> tuple[str, str, int]:
    """Play ``A`` to its character's death: its game, cartridge and last turn."""
    await engine.start(A, "mini", seed=1)
    for _ in range(20):
        last = await engine.choose(A, 1)
        if not last.state.alive:
            snap = await engine.snapshot(A)
            assert snap.game_id is not None and snap.cartridge is not None
            return snap.game_id, snap.cartridge, last.turn
    raise AssertionError("the character never died")


async def test_the_oldest_tapes_go_first_by_when_they_were_written(tmp_path: Path) -> None:
    clock = ManualClock(20.0)
    media = MemoryMediaStore(now=clock.now)
    engine = engine_for(tmp_path)
    limits = MediaLimits(media=media, store=engine.store, kept=2)
    names = ["g1-tape-00000-00001-0000000001.gif", "g1-tape-00000-00002-0000000002.gif"]
    refs = [MediaRef(A, "tape", name) for name in [*names, "g1-tape-00000-00003-0000000003.gif"]]
    for ref, step in zip(refs, (0.0, -10.0, 20.0), strict=True):  # out of name order
        clock.advance(step)
        await media.put(ref, b"GIF")
    frame = MediaRef(A, "frame", "g1-00001.png")
    await media.put(frame, b"PNG")

    assert await limits.sweep(A, "tape", keep=refs[2]) == [refs[1]]  # written first
    assert await media.list(A, "tape") == [refs[0], refs[2]]
    assert await limits.sweep(A, "tape", keep=refs[2]) == []
    assert await media.exists(frame)


async def test_built_tapes_are_kept_to_the_bound_but_never_the_death_tape(
    tmp_path: Path,
) -> None:
    engine = engine_for(tmp_path, TurnNarrator(damage=4))
    game_id, cartridge, last = await dead(engine)
    assert last >= 3
    tapes = tapes_for(engine, MediaLimits(media=engine.media, store=engine.store, kept=2))
    frames = await engine.media.list(A, "frame")
    death = await tapes.build_game(A, game_id, cartridge)  # as the engine does at death
    built = [await tapes.build(A, turns=TurnSpan(0, end)) for end in range(last)]
    built.append(await tapes.build(A, fmt="gif", turns=TurnSpan(1, last)))

    kept = await engine.media.list(A, "tape")
    assert sorted(kept, key=lambda r: r.name) == sorted(
        [death.ref, built[-2].ref, built[-1].ref], key=lambda r: r.name
    )
    assert await engine.media.list(A, "frame") == frames  # committed turns keep their frames
    again = await tapes.build(A, turns=TurnSpan(0, 0))  # a removed tape is built again
    assert again.built and again.ref == built[0].ref


async def test_a_full_session_gets_no_new_tape_and_keeps_serving_the_old(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await engine.start(A, "mini", seed=1)
    for _ in range(3):
        await engine.choose(A, 1)
    roomy = MediaLimits(media=engine.media, store=engine.store)
    old = await tapes_for(engine, roomy).build(A)
    full = MediaLimits(media=engine.media, store=engine.store, max_bytes=await roomy.used(A))
    tapes = tapes_for(engine, full)

    with pytest.raises(LimitExceeded, match=r"holds .* MiB of media, its limit is"):
        await tapes.build(A, turns=TurnSpan(1, 2))
    assert await engine.media.list(A, "tape") == [old.ref]
    assert (await tapes.build(A)).ref == old.ref  # made before: found, not refused
    assert await tapes.get(A, old.ref)
    await engine.choose(A, 1)  # the game goes on: frames of new turns are not refused
    assert len(await engine.media.list(A, "frame")) == 5


async def test_a_full_session_gets_no_new_film_nor_clip(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    await engine.start(A, "mini", seed=1)
    await engine.choose(A, 1)
    game_id = (await engine.snapshot(A)).game_id
    assert game_id is not None
    limits = MediaLimits(media=engine.media, store=engine.store, max_bytes=1)
    films = FilmService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        filmmaker=OfflineFilmmaker(fps=12),
        joiner=FfmpegClipJoiner(size=SIZE, fps=12),
        duration=1.0,
        frame_size=SIZE,
        limits=limits,
    )
    with pytest.raises(LimitExceeded):
        await films.stitch(A, game_id)
    assert await films.shoot(A, game_id, 1) is None  # skipped; the turn is not affected
    assert await engine.media.list(A, "segment") == []
    assert await engine.media.list(A, "film") == []


def test_the_limits_are_at_least_one(tmp_path: Path) -> None:
    media = MemoryMediaStore()
    store = engine_for(tmp_path).store
    with pytest.raises(InvalidInput):
        MediaLimits(media=media, store=store, kept=0)
    with pytest.raises(InvalidInput):
        MediaLimits(media=media, store=store, max_bytes=0)
