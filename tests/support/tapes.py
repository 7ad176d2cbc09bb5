"""Replay tapes for engines under test: the service as the composition root wires it
(``tape_ready`` on the engine's event bus), with small frames; and two seams to hold
a build midway, so two requests can be made to meet in one build."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.bootstrap import tape_service
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.tape import EncodedTape, TapeScript
from glitchcart.service.engine import Engine
from glitchcart.service.inflight import Progress
from glitchcart.service.tapes import DEFAULT_MAX_BYTES, TapeEncoder, TapeService
from support.engines import make_engine
from support.media import SIZE, BitPainter, TurnNarrator, calm_cartridges

SMALL = {"frame_width": 128, "frame_height": 72}


def add_tapes(
    engine: Engine, *encoders: TapeEncoder, media: FileMediaStore | None = None
) -> TapeService:
    """Turn tapes on in ``engine``: GIF and MP4, or ``encoders``; its media, or ``media``."""
    settings = engine.settings.model_copy(update=SMALL)
    tapes = tape_service(
        engine.store, media or engine.media, engine.cartridges, settings, engine.events
    )
    if encoders:
        tapes.encoders = {encoder.format: encoder for encoder in encoders}
    engine.tapes = tapes
    return tapes


@asynccontextmanager
async def recording_engine(root: Path) -> AsyncIterator[Engine]:
    """An engine on a SQLite store in ``root`` (as a terminal would leave it), whose
    frames read back as (turn, session) bands."""
    store = SqliteSessionStore(root / "glitchcart.db")
    try:
        yield make_engine(
            root,
            store=store,
            narrator=TurnNarrator(),
            painter=BitPainter(),
            cartridges=calm_cartridges(),
        )
    finally:
        await store.close()


@asynccontextmanager
async def stored_tapes(
    root: Path, *encoders: TapeEncoder, max_bytes: int = DEFAULT_MAX_BYTES
) -> AsyncIterator[TapeService]:
    """The tape service on the SQLite store and files in ``root`` (GIF, or ``encoders``)."""
    store = SqliteSessionStore(root / "glitchcart.db")
    try:
        yield TapeService(
            store=store,
            media=FileMediaStore(root),
            cartridges=calm_cartridges(),
            encoders=list(encoders) or [GifTapeEncoder()],
            max_bytes=max_bytes,
            frame_size=SIZE,
        )
    finally:
        await store.close()


def tape_folder(tapes: TapeService, session: str) -> Path:
    """Where the session's tapes are written (it need not exist)."""
    return Path(tapes.media.locate(MediaRef(SessionKey.parse(session), "tape", "x.gif"))).parent


class GatedEncoder:
    """Counts its encodes and holds each one until ``gate`` opens."""

    def __init__(self, inner: TapeEncoder) -> None:
        self.inner = inner
        self.format = inner.format
        self.version = inner.version
        self.calls = 0
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def encode(
        self, script: TapeScript, *, max_bytes: int, progress: Progress | None = None
    ) -> EncodedTape:
        self.calls += 1
        self.entered.set()
        await self.gate.wait()
        return await self.inner.encode(script, max_bytes=max_bytes, progress=progress)


class WatchedMedia(FileMediaStore):
    """Sets ``second_check`` when a second build has checked for its tape. That check is
    a build's last pause before it starts the encoding or joins the one under way, so
    by the time a waiter wakes, the second request for one tape has joined the first."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.tape_checks = 0
        self.second_check = asyncio.Event()

    async def exists(self, ref: MediaRef) -> bool:
        found = await super().exists(ref)
        if ref.kind == "tape":
            self.tape_checks += 1
            if self.tape_checks == 2:
                self.second_check.set()
        return found
