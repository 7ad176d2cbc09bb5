"""Composition root: the one place that picks adapters for a process.

>>> async with open_engine(load_settings(home=Path("/tmp/gc"))) as engine:
...     await engine.start(SessionKey.parse("cli:alice"), "dust-signal")

A host that runs vote windows (the HTTP server, the bot, the shared-keyboard
terminal) uses :func:`open_runtime`, which also restores and runs the timers.
An application that embeds glitchcart uses :func:`embedded_engine` (exported as
``glitchcart.embedded_engine``): the runtime's engine, settings optional.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.credentials.secret import kept_secret
from glitchcart.adapters.credentials.sqlite import SqliteRevocations
from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.adapters.leases.redis import RedisSessionLease
from glitchcart.adapters.leases.sqlite import SqliteSessionLease
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.check import check_providers
from glitchcart.adapters.providers.flipbook import FlipbookPainter
from glitchcart.adapters.providers.setup import build_providers
from glitchcart.adapters.providers.spend_ledger import SqliteSpendLedger
from glitchcart.adapters.stores.redis import RedisSessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.adapters.tapes.mp4 import Mp4TapeEncoder
from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.core.keys import SessionKey
from glitchcart.errors import StorageError
from glitchcart.ports import (
    CartridgeSource,
    Clock,
    EventBus,
    MediaStore,
    SessionLease,
    SessionStore,
)
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from glitchcart.service.media_limits import MediaLimits
from glitchcart.service.tapes import Tape, TapeService
from glitchcart.service.timers import DeadlineTimers
from glitchcart.settings import Settings, load_settings

DB_NAME = "glitchcart.db"
CREDENTIALS_DB_NAME = "credentials.db"  # revoked player credentials
SPEND_DB_NAME = "spend.db"  # model spend per session and game: budgets survive restarts

log = logging.getLogger(__name__)


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data directory (only once input has been validated)."""
    root = settings.data_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create data directory {root}: {exc.strerror}") from exc
    return root


class EventNarrationStream:
    """Narration as a model writes it, published as ``narration_partial`` events."""

    def __init__(self, events: EventBus) -> None:
        self.events = events
        self._tasks: set[asyncio.Task[object]] = set()

    def _send(self, session: SessionKey | None, data: dict[str, object]) -> None:
        if session is None:
            return
        task = asyncio.get_running_loop().create_task(
            self.events.publish(session, "narration_partial", data)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def partial(self, session: SessionKey | None, game_id: str | None, text: str) -> None:
        self._send(session, {"game_id": game_id, "text": text})

    def abandon(self, session: SessionKey | None, game_id: str | None) -> None:
        self._send(session, {"game_id": game_id, "text": "", "abandoned": True})


def tape_service(
    store: SessionStore,
    media: MediaStore,
    cartridges: CartridgeSource,
    settings: Settings,
    events: EventBus | None = None,
) -> TapeService:
    """Replay tapes as GIF and MP4; a ``tape_ready`` event when one is built."""

    async def ready(tape: Tape) -> None:
        if events is not None:
            await events.publish(tape.ref.session, "tape_ready", tape.to_dict())

    return TapeService(
        store=store,
        media=media,
        cartridges=cartridges,
        encoders=[GifTapeEncoder(), Mp4TapeEncoder()],
        max_bytes=settings.tape_max_bytes,
        frame_size=(settings.frame_width, settings.frame_height),
        on_ready=ready,
        limits=media_limits(store, media, settings),
    )


def media_limits(store: SessionStore, media: MediaStore, settings: Settings) -> MediaLimits:
    """The tapes and films a session keeps, and its media's byte limit."""
    return MediaLimits(
        media=media,
        store=store,
        kept=settings.tapes_per_session,
        max_bytes=settings.media_bytes_per_session,
    )


async def open_store(
    settings: Settings, root: Path, clock: Clock
) -> tuple[SessionStore, SessionLease]:
    """The session store and its lease: SQLite in the data directory, or Redis when
    ``settings.redis_url`` names one (then every process on that Redis shares the
    sessions, their history, leases and events; media stay in the data directory).

    On Redis, one line warns at start when Redis's persistence settings could lose
    acknowledged turns on a restart.
    """
    if settings.redis_url is None:
        sqlite = SqliteSessionStore(
            root / DB_NAME, keep_events=settings.event_keep, event_poll=settings.event_poll
        )
        return sqlite, SqliteSessionLease(sqlite, clock)
    redis = RedisSessionStore.from_url(
        settings.redis_url,
        prefix=settings.redis_prefix,
        keep_events=settings.event_keep,
        event_poll=settings.event_poll,
    )
    try:
        warning = await redis.durability_warning()
    except BaseException:
        await redis.close()
        raise
    if warning is not None:
        log.warning("glitchcart: %s", warning)
    return redis, RedisSessionLease(redis, clock)


@asynccontextmanager
async def open_engine(
    settings: Settings, cartridges: CartridgeLibrary | None = None
) -> AsyncIterator[Engine]:
    """An engine on the embedded defaults (SQLite, files, offline narrator and painter),
    or on Redis when the settings name one (:func:`open_store`)."""
    root = prepare_data_dir(settings)
    clock = SystemClock()
    store, lease = await open_store(settings, root, clock)
    media = FileMediaStore(root)
    library = cartridges or CartridgeLibrary()
    events = LogEventBus(store)
    size = (settings.frame_width, settings.frame_height)
    ledger = SqliteSpendLedger(root / SPEND_DB_NAME) if settings.providers else None
    providers = build_providers(settings, stream=EventNarrationStream(events), ledger=ledger)
    # Flipbooks and films are per session (its options), the settings giving the default.
    painter = FlipbookPainter(providers.painter)
    films = FilmService(
        store=store,
        media=media,
        cartridges=library,
        filmmaker=OfflineFilmmaker(),
        joiner=FfmpegClipJoiner(size=size),
        frame_size=size,
        limits=media_limits(store, media, settings),
    )
    engine = None
    try:
        engine = Engine(
            store=store,
            lease=lease,
            media=media,
            narrator=providers.narrator,
            painter=painter,
            cartridges=library,
            clock=clock,
            settings=settings,
            events=events,
            tapes=tape_service(store, media, library, settings, events) if settings.tapes else None,
            films=films,
            notices=providers.notices,
            providers=providers.kinds,
        )
        yield engine
    finally:
        if engine is not None:
            await engine.drain()  # tapes and films of runs that just ended
        await providers.aclose()
        await store.close()


def credential_parts(settings: Settings) -> tuple[str, SqliteRevocations]:
    """What signs player credentials (the settings' secret, else one kept in the data
    directory) and where revocations are kept (SQLite there, shared by processes)."""
    root = prepare_data_dir(settings)
    secret = settings.secret_key
    revocations = SqliteRevocations(root / CREDENTIALS_DB_NAME)
    return (secret.get_secret_value() if secret else kept_secret(root)), revocations


@asynccontextmanager
async def open_tapes(settings: Settings) -> AsyncIterator[TapeService]:
    """The tape service on an engine's stores, for the ``tape`` command."""
    async with open_engine(settings) as engine:
        yield tape_service(engine.store, engine.media, engine.cartridges, settings, engine.events)


@asynccontextmanager
async def open_runtime(
    settings: Settings, cartridges: CartridgeLibrary | None = None
) -> AsyncIterator[tuple[Engine, DeadlineTimers]]:
    """An engine whose timers run: stored deadlines are restored, turns left
    RESOLVING are finished, and background turns are drained on the way out."""
    async with open_engine(settings, cartridges) as engine:
        timers = DeadlineTimers(engine)
        await timers.restore()
        timers.start()
        try:
            yield engine, timers
        finally:
            await timers.stop()
            await engine.drain()


@asynccontextmanager
async def embedded_engine(
    settings: Settings | None = None, *, cartridges: CartridgeLibrary | None = None
) -> AsyncIterator[Engine]:
    """The engine an application embeds, for ``InProcessTransport``.

    It is the runtime's engine (timers running, so vote windows close on time, and
    turns left RESOLVING by an earlier process are finished) on the embedded
    defaults: SQLite and files under ``settings.data_dir``, the providers the
    settings name, else the offline narrator and painter. Without ``settings``
    they come from ``GLITCHCART_*`` variables and the defaults.

    >>> async with glitchcart.embedded_engine(glitchcart.load_settings(home="/tmp/gc")) as engine:
    ...     client = glitchcart.Client(glitchcart.InProcessTransport(engine))
    ...     await client.boot("dust-signal", session="cli:alice")
    """
    async with open_runtime(settings or load_settings(), cartridges) as (engine, _timers):
        yield engine


__all__ = [
    "DB_NAME",
    "check_providers",
    "credential_parts",
    "embedded_engine",
    "open_engine",
    "open_runtime",
    "open_tapes",
]
