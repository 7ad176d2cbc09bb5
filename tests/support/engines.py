"""Build engines for tests from injected parts."""

from __future__ import annotations

import itertools
from pathlib import Path

from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.core.cartridge import Cartridge
from glitchcart.errors import CartridgeNotFound
from glitchcart.ports import Clock, Narrator, Painter, SessionStore
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.cartridges import mini_cartridge
from support.providers import PlainNarrator, TinyPainter


class Cartridges:
    """A cartridge source over a fixed list."""

    def __init__(self, *cartridges: Cartridge) -> None:
        self._by_id = {c.id: c for c in cartridges}

    def get(self, cartridge_id: str) -> Cartridge:
        if cartridge_id not in self._by_id:
            raise CartridgeNotFound(cartridge_id)
        return self._by_id[cartridge_id]

    def list(self) -> list[Cartridge]:
        return list(self._by_id.values())


def make_engine(
    root: Path,
    *,
    narrator: Narrator | None = None,
    painter: Painter | None = None,
    store: SessionStore | None = None,
    cartridges: Cartridges | None = None,
    clock: Clock | None = None,
    settings: Settings | None = None,
) -> Engine:
    ids = itertools.count(1)
    store = store or MemorySessionStore()
    clock = clock or ManualClock()
    return Engine(
        store=store,
        lease=lease_for(store, clock),
        media=FileMediaStore(root),
        narrator=narrator or PlainNarrator(),
        painter=painter or TinyPainter(),
        cartridges=cartridges or Cartridges(mini_cartridge()),
        clock=clock,
        settings=settings or Settings(home=root),
        new_id=lambda: f"g{next(ids)}",
    )
