"""Video segments per committed turn, and films stitched from them, per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from glitchcart.adapters.tapes.frames import captioned_frame, closing_card, layout_for, title_card
from glitchcart.adapters.video.film_joiner import KICKER, FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.seeds import derive_seed
from glitchcart.core.tape import tape_script
from glitchcart.errors import GameNotFound, ProviderError, SessionMismatch
from glitchcart.ports import SegmentRequest
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from support.cartridges import MINI, mini_cartridge
from support.engines import Cartridges, make_engine
from support.media import SIZE, BitPainter, TurnNarrator, calm_cartridges, mp4_frames

A = SessionKey.parse("web:alpha")
B = SessionKey.parse("web:bravo")
FPS = 12
TITLE, CLOSING = 2 * FPS, 3 * FPS  # video frames of the title and closing cards


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
        cartridges=engine.cartridges,
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
    assert abs(len(frames) - (TITLE + 4 * FPS + CLOSING)) <= 2
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


def diff(a: Image.Image, b: Image.Image) -> float:
    """The mean absolute difference of two pictures' pixels (0 to 255)."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


async def test_a_film_opens_on_the_title_card_captions_each_turn_and_ends_on_a_card(
    tmp_path: Path,
) -> None:
    engine, game_id = await played(tmp_path, A, 2)
    films = films_for(engine, CountingFilmmaker())
    film = await films.stitch(A, game_id)
    frames = mp4_frames(await films.get(A, film.ref))
    records = await engine.store.history(game_id)
    cartridge = engine.cartridges.get("mini")
    script = tape_script(
        A, cartridge, records, [None] * 3, seed=derive_seed(0, "film", game_id), size=SIZE
    )
    lay = layout_for(SIZE)
    assert frames[0].size == lay.size  # the picture and its caption bar under it
    title, closing = title_card(script, lay, KICKER), closing_card(script, lay)
    assert diff(frames[0], title) < 4 < diff(frames[0], closing)
    assert diff(frames[-1], closing) < 4 < diff(frames[-1], title)
    bar = (0, lay.height, lay.width, lay.height + lay.bar)
    for shot in script.shots:  # one clip of FPS frames per turn, after the title
        at = TITLE + shot.turn * FPS + FPS // 2
        clock = at * 1000 // FPS
        picture = frames[at].crop((0, 0, lay.width, lay.height))
        expected = captioned_frame(picture, shot, script.look, lay, clock).crop(bar)
        others = [s for s in script.shots if s.turn != shot.turn]
        wrong = captioned_frame(picture, others[0], script.look, lay, clock).crop(bar)
        assert diff(frames[at].crop(bar), expected) < 6 < diff(frames[at].crop(bar), wrong)


@pytest.mark.parametrize(("style", "overlay"), [("found-footage", True), ("oil painting", False)])
async def test_the_filmmaker_keeps_the_overlay_still_when_the_art_is_camcorder_footage(
    tmp_path: Path, style: str, overlay: bool
) -> None:
    calm = {"per_turn": 0, "phases": [{"name": "calm", "at": 0}]}
    cartridge = mini_cartridge(art={**MINI["art"], "style": style}, chaos=calm)
    engine = make_engine(
        tmp_path, narrator=TurnNarrator(), painter=BitPainter(), cartridges=Cartridges(cartridge)
    )
    await engine.start(A, "mini", seed=4)
    await engine.choose(A, 1)
    game_id = (await engine.snapshot(A)).game_id
    assert game_id is not None
    maker = CountingFilmmaker()
    films = films_for(engine, maker)
    await films.shoot(A, game_id, 1)
    await films.stitch(A, game_id)
    assert [r.overlay for r in maker.requests] == [overlay, overlay]
