"""Composition root: the one place that picks adapters for a process.

>>> async with open_engine(load_settings(home=Path("/tmp/gc"))) as engine:
...     await engine.start(SessionKey.parse("cli:alice"), "dust-signal")

A host that runs vote windows (the HTTP server, the bot, the shared-keyboard
terminal) uses :func:`open_runtime`, which also restores and runs the timers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from glitchcart.adapters.cartridge_library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.file_media import FileMediaStore
from glitchcart.adapters.memory_events import MemoryEventBus
from glitchcart.adapters.offline_narrator import OfflineNarrator
from glitchcart.adapters.offline_painter import OfflinePainter
from glitchcart.adapters.sqlite_store import SqliteSessionStore
from glitchcart.errors import StorageError
from glitchcart.service.engine import Engine
from glitchcart.service.timers import DeadlineTimers
from glitchcart.settings import Settings

DB_NAME = "glitchcart.db"


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data directory (only once input has been validated)."""
    root = settings.data_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create data directory {root}: {exc.strerror}") from exc
    return root


@asynccontextmanager
async def open_engine(
    settings: Settings, cartridges: CartridgeLibrary | None = None
) -> AsyncIterator[Engine]:
    """An engine on the embedded defaults: SQLite, files, offline narrator and painter."""
    root = prepare_data_dir(settings)
    store = SqliteSessionStore(root / DB_NAME)
    try:
        yield Engine(
            store=store,
            media=FileMediaStore(root),
            narrator=OfflineNarrator(),
            painter=OfflinePainter(),
            cartridges=cartridges or CartridgeLibrary(),
            clock=SystemClock(),
            settings=settings,
            events=MemoryEventBus(),
        )
    finally:
        await store.close()


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
