"""Sessions never see each other; offline play is deterministic byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
from glitchcart.ports import SessionStore
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

LIBRARY = CartridgeLibrary()
CARTS = ["dust-signal", "ashen-vault", "hollow-orbit"]


def offline_engine(root: Path, store: SessionStore | None = None) -> Engine:
    store = store or MemorySessionStore()
    clock = ManualClock()
    return Engine(
        store=store,
        lease=lease_for(store, clock),
        media=FileMediaStore(root),
        narrator=OfflineNarrator(),
        painter=OfflinePainter(),
        cartridges=LIBRARY,
        clock=clock,
        settings=Settings(home=root),
    )


async def play(
    engine: Engine, key: SessionKey, cart: str, seed: int, turns: int
) -> list[TurnRecord]:
    """A fixed script: choices, a free action, a hesitation, a tick; stops at death."""
    played = [await engine.start(key, cart, seed=seed)]
    for i in range(turns):
        if not played[-1].state.alive:
            break
        if i % 7 == 3:
            played.append(await engine.act(key, f"search the shadows for anything useful {i}"))
        elif i % 7 == 5:
            played.append(await engine.hesitate(key))
        elif i % 7 == 6:
            played.append(await engine.tick(key))
        else:
            played.append(await engine.choose(key, 1 + (seed + i) % len(played[-1].choices)))
        await asyncio.sleep(0)  # let other sessions interleave
    return played


def story(records: list[TurnRecord]) -> list[tuple[object, ...]]:
    return [(r.turn, r.input, r.fate, r.narration, r.state, r.choices, r.delta) for r in records]


async def frames(engine: Engine, records: list[TurnRecord]) -> list[bytes]:
    return [await engine.media.get(r.frame) for r in records if r.frame]


async def test_same_seed_same_story_and_pictures_byte_for_byte(tmp_path: Path) -> None:
    key = SessionKey.parse("cli:det")
    for cart in CARTS:
        a, b = offline_engine(tmp_path / f"a-{cart}"), offline_engine(tmp_path / f"b-{cart}")
        run_a = await play(a, key, cart, seed=77, turns=12)
        run_b = await play(b, key, cart, seed=77, turns=12)
        assert story(run_a) == story(run_b)
        assert await frames(a, run_a) == await frames(b, run_b)
        other = await play(offline_engine(tmp_path / f"c-{cart}"), key, cart, seed=78, turns=12)
        assert story(other) != story(run_a)


async def test_many_concurrent_sessions_never_see_each_other(tmp_path: Path) -> None:
    shared = offline_engine(tmp_path / "shared", SqliteSessionStore(tmp_path / "shared.db"))
    keys = [SessionKey.parse(f"web:s{i:02d}") for i in range(24)]
    try:
        together = await asyncio.gather(
            *(play(shared, k, CARTS[i % 3], seed=i, turns=8) for i, k in enumerate(keys))
        )
        for i, key in enumerate(keys):
            solo_engine = offline_engine(tmp_path / f"solo{i}")
            solo = await play(solo_engine, key, CARTS[i % 3], seed=i, turns=8)
            assert story(together[i]) == story(solo)
            assert await frames(shared, together[i]) == await frames(solo_engine, solo)
            history = await shared.history(key)
            assert story(history) == story(together[i])
            assert all(r.frame is None or r.frame.session == key for r in history)
            listed = await shared.media.list(key, "frame")
            assert [r.name for r in listed] == sorted(r.frame.name for r in history if r.frame)
    finally:
        await shared.store.close()
