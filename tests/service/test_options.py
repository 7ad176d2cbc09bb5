"""A session's own options: its model providers, flipbook and video modes.

They are stored in the session record (so they hold in every process and after a
restart), carried by every provider request of that session and by nothing of
another session, and changed only by the crown holder when a crown is held.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.keys import SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.session import Phase
from glitchcart.errors import Forbidden, InvalidInput, SessionNotFound
from glitchcart.ports import (
    ChoiceRequest,
    Narration,
    NarrationRequest,
    PaintRequest,
    PrologueRequest,
)
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from support.engines import make_engine
from support.media import SIZE, BitPainter, TurnNarrator, calm_cartridges
from support.providers import PlainNarrator, TinyPainter

A = SessionKey.parse("web:alpha")
B = SessionKey.parse("web:bravo")
KNOWN = {"hosted": "chat", "local": "chat", "paint": "image"}


class RecordingNarrator(PlainNarrator):
    """Notes which providers each request of each session asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, SessionKey | None, tuple[str, ...] | None]] = []

    async def prologue(self, request: PrologueRequest) -> str:
        self.asked.append(("prologue", request.session, request.providers))
        return await super().prologue(request)

    async def narrate(self, request: NarrationRequest) -> Narration:
        self.asked.append(("narrate", request.session, request.providers))
        return await super().narrate(request)

    async def choices(self, request: ChoiceRequest) -> tuple:  # type: ignore[type-arg]
        self.asked.append(("choices", request.session, request.providers))
        return await super().choices(request)


class RecordingPainter(TinyPainter):
    def __init__(self) -> None:
        self.asked: list[PaintRequest] = []

    async def paint(self, request: PaintRequest) -> bytes:
        self.asked.append(request)
        return await super().paint(request)


def engine_with(root: Path, **kw: object) -> Engine:
    engine = make_engine(root, **kw)  # type: ignore[arg-type]
    engine.providers = dict(KNOWN)  # what the composition root passes from the settings
    return engine


def test_options_merge_like_a_json_merge_patch() -> None:
    options = SessionOptions().merge({"providers": ["local", "offline"], "video": True})
    assert options == SessionOptions(("local", "offline"), None, True)
    assert options.merge({"video": None}) == SessionOptions(("local", "offline"))
    assert options.wants_video(default=False) and not SessionOptions().wants_video(default=False)
    assert SessionOptions.from_dict(options.to_dict()) == options
    for bad in (
        {"colour": "red"},
        {"video": "yes"},
        {"flipbook": 1},
        {"providers": "local"},
        {"providers": []},
        {"providers": ["Local"]},
        {"providers": ["local", "local"]},
        {"providers": ["a"] * 9},
        {"providers": ["../etc"]},
    ):
        with pytest.raises(InvalidInput):
            SessionOptions().merge(bad)


async def test_each_request_of_a_session_carries_its_own_choice(tmp_path: Path) -> None:
    narrator, painter = RecordingNarrator(), RecordingPainter()
    engine = engine_with(tmp_path, narrator=narrator, painter=painter)
    chosen = await engine.configure(A, {"providers": ["local", "paint"]}, create=True)
    assert chosen.providers == ("local", "paint")
    await engine.start(A, "mini", seed=1)  # created empty by configure, booted here
    await engine.choose(A, 1)
    await engine.start(B, "mini", seed=1)
    await engine.choose(B, 1)
    mine = {(kind, p) for kind, s, p in narrator.asked if s == A}
    theirs = {(kind, p) for kind, s, p in narrator.asked if s == B}
    assert mine == {(k, ("local", "paint")) for k in ("prologue", "narrate", "choices")}
    assert theirs == {(k, None) for k in ("prologue", "narrate", "choices")}
    assert {(r.session, r.providers) for r in painter.asked} == {
        (A, ("local", "paint")),
        (B, None),
    }


async def test_options_are_stored_and_outlive_the_engine(tmp_path: Path) -> None:
    store = SqliteSessionStore(tmp_path / "db.sqlite")
    engine = engine_with(tmp_path, store=store)
    await engine.start(A, "mini", seed=1)
    await engine.configure(A, {"providers": ["hosted"], "flipbook": False})
    await store.close()
    reopened = SqliteSessionStore(tmp_path / "db.sqlite")
    again = engine_with(tmp_path, store=reopened)
    snap = await again.snapshot(A)
    assert snap.options == SessionOptions(("hosted",), False, None)
    await again.start(A, "mini", seed=2)  # a new game keeps the session's options
    assert (await again.snapshot(A)).options.providers == ("hosted",)
    await reopened.close()


async def test_a_bad_change_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    await engine.start(A, "mini", seed=1)
    before = await engine.snapshot(A)
    for bad in ({"providers": ["nope"]}, {"providers": ["hosted", "nope"]}, {"speed": 2}):
        with pytest.raises(InvalidInput):
            await engine.configure(A, bad)
    with pytest.raises(InvalidInput):
        await engine.boot(B, "mini", options={"providers": ["nope"]})
    assert await engine.snapshot(A) == before
    assert not await engine.exists(B)


async def test_with_a_crown_held_only_its_holder_changes_options(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    await engine.start(A, "mini", seed=1)
    await engine.take_crown(A, "carol")
    with pytest.raises(Forbidden):
        await engine.configure(A, {"video": True}, player="dave")
    with pytest.raises(Forbidden):
        await engine.configure(A, {"video": True})
    assert (await engine.configure(A, {"video": True}, player="carol")).video is True


async def test_options_given_at_boot_already_shape_the_prologue(tmp_path: Path) -> None:
    narrator = RecordingNarrator()
    engine = engine_with(tmp_path, narrator=narrator)
    first = await engine.boot(A, "mini", seed=1, options={"providers": ["offline"]})
    assert first.turn == 0
    assert narrator.asked[0] == ("prologue", A, ("offline",))
    assert (await engine.snapshot(A)).options.providers == ("offline",)


async def test_a_change_while_a_turn_resolves_applies_from_the_next_turn(
    tmp_path: Path,
) -> None:
    from support.providers import GatedNarrator

    narrator = GatedNarrator()
    engine = engine_with(tmp_path, narrator=narrator)
    await engine.start(A, "mini", seed=1)
    turn = asyncio.create_task(engine.choose(A, 1))
    await narrator.entered.wait()
    await engine.configure(A, {"providers": ["local"]})
    narrator.gate.set()
    assert (await turn).turn == 1
    snap = await engine.snapshot(A)
    assert snap.phase is Phase.READY and snap.options.providers == ("local",)


async def test_flipbook_mode_is_per_session(tmp_path: Path) -> None:
    painter = RecordingPainter()
    engine = engine_with(tmp_path, painter=painter)
    await engine.configure(A, {"flipbook": True}, create=True)
    a = await engine.start(A, "mini", seed=1)
    b = await engine.start(B, "mini", seed=1)
    assert a.frame is not None and a.frame.name.endswith(".gif")
    assert b.frame is not None and b.frame.name.endswith(".png")
    assert {(r.session, r.flipbook) for r in painter.asked} == {(A, True), (B, False)}


async def test_video_mode_films_only_the_sessions_that_asked(tmp_path: Path) -> None:
    engine = make_engine(
        tmp_path, narrator=TurnNarrator(), painter=BitPainter(), cartridges=calm_cartridges()
    )
    films = FilmService(
        store=engine.store,
        media=engine.media,
        cartridges=engine.cartridges,
        filmmaker=OfflineFilmmaker(fps=6),
        joiner=FfmpegClipJoiner(size=SIZE, fps=6),
        duration=0.5,
        frame_size=SIZE,
    )
    engine.films = films
    await engine.configure(A, {"video": True}, create=True)
    for key in (A, B):
        await engine.start(key, "mini", seed=3)
        await engine.choose(key, 1)
    await engine.drain()
    assert [ref.name for ref in await films.segments(A)] == [
        f"{(await engine.snapshot(A)).game_id}-{t:05d}.mp4" for t in (0, 1)
    ]
    assert await films.segments(B) == []


async def test_options_of_a_session_that_does_not_exist_are_not_found(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    with pytest.raises(SessionNotFound):
        await engine.configure(A, {"video": True})
    assert not await engine.exists(A)
    assert (await engine.configure(A, {"video": True}, create=True)).video is True
    assert (await engine.snapshot(A)).phase is Phase.EMPTY
