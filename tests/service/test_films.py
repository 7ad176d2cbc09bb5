"""Video segments per committed turn, and films stitched from them, per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.errors import GameNotFound, ProviderError, SessionMismatch
from glitchcart.ports import SegmentRequest
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from support.engines import make_engine
from support.media import SIZE, BitPainter, TurnNarrator, calm_cartridges, mp4_frames

A = SessionKey.parse("web:alpha")
B = SessionKey.parse("web:bravo")
FPS = 12


class CountingFilmmaker(OfflineFilmmaker):
    def __init__(self) -> None:
        super().__init__(fps=FPS)
        self.requests: list[SegmentRequest] = []

    async def segment(self, request: SegmentRequest) -> bytes:
        self.requests.append(request)
        return await super().segment(request)


class BrokenFilmmaker:
    name = "broken"

    async def segment(self, request: SegmentRequest) -> bytes:
        raise ProviderError("the video model is down")


async def played(root: Path, key: SessionKey, turns: int) -> tuple[Engine, str]:
    engine = make_engine(
        root, narrator=TurnNarrator(), painter=BitPainter(), cartridges=calm_cartridges()
    )
    await engine.start(key, "mini", seed=4)
    for _ in range(turns):
        await engine.choose(key, 1)
    game_id = (await engine.snapshot(key)).game_id
    assert game_id is not None
    return engine, game_id


def films_for(engine: Engine, filmmaker: object) -> FilmService:
    return FilmService(
        store=engine.store,
        media=engine.media,
        filmmaker=filmmaker,  # type: ignore[arg-type]
        joiner=FfmpegClipJoiner(size=SIZE, fps=FPS),
        duration=1.0,
        frame_size=SIZE,
    )


async def test_each_turn_gets_a_clip_from_its_previous_frame(tmp_path: Path) -> None:
    engine, game_id = await played(tmp_path, A, 3)
    maker = CountingFilmmaker()
    films = films_for(engine, maker)
    refs = [await films.shoot(A, game_id, turn) for turn in range(4)]
    assert refs == [MediaRef(A, "segment", f"{game_id}-{t:05d}.mp4") for t in range(4)]
    assert await films.segments(A) == refs
    assert maker.requests[0].previous is None
    history = await engine.history(A)
    for turn in (1, 2, 3):
        req = maker.requests[turn]
        assert req.previous == await engine.media.get(history[turn - 1].frame)  # type: ignore[arg-type]
        assert (req.session, req.game_id, req.turn) == (A, game_id, turn)
    assert await films.shoot(A, game_id, 2) == refs[2]
    assert len(maker.requests) == 4  # an existing clip is not filmed again
    assert len(mp4_frames(await films.get(A, refs[1]))) == FPS


async def test_a_film_stitches_every_turn_in_order_and_is_made_once(tmp_path: Path) -> None:
    engine, game_id = await played(tmp_path, A, 3)
    maker = CountingFilmmaker()
    films = films_for(engine, maker)
    await films.shoot(A, game_id, 0)
    film = await films.stitch(A, game_id)
    assert (film.first, film.last, film.segments) == (0, 3, 4)
    assert film.ref.kind == "film" and await films.films(A) == [film.ref]
    assert len(maker.requests) == 4  # the missing clips were filmed, the existing one reused
    frames = mp4_frames(await films.get(A, film.ref))
    assert abs(len(frames) - 4 * FPS) <= 2
    again = await films.stitch(A, game_id)
    assert (again.ref, again.size) == (film.ref, None)


async def test_a_failing_filmmaker_leaves_the_turn_alone(tmp_path: Path) -> None:
    engine, game_id = await played(tmp_path, A, 1)
    films = films_for(engine, BrokenFilmmaker())
    assert await films.shoot(A, game_id, 1) is None
    assert await films.segments(A) == []
    with pytest.raises(ProviderError):
        await films.stitch(A, game_id)
    assert await films.films(A) == []
    assert [t.turn for t in await engine.history(A)] == [0, 1]


async def test_clips_and_films_belong_to_their_session(tmp_path: Path) -> None:
    engine, game_id = await played(tmp_path, A, 1)
    films = films_for(engine, CountingFilmmaker())
    ref = await films.shoot(A, game_id, 1)
    assert ref is not None
    with pytest.raises(SessionMismatch):
        await films.get(B, ref)
    with pytest.raises(SessionMismatch):  # A's frames are never read for B
        await films.shoot(B, game_id, 1)
    with pytest.raises(GameNotFound):
        await films.shoot(A, game_id, 9)
