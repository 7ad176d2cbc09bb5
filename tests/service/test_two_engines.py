"""Two engines on one SQLite data directory, as two processes would be: each turn
is narrated, painted and published once, whichever engine the votes reach; a
resolution that loses its commit race to a small change finishes over the newer
record; a holder that paused past its lease is fenced out and its successor
finishes the turn once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from glitchcart.adapters.clock import ManualClock, SystemClock
from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.core.votes import VotingMode
from glitchcart.errors import Conflict, StaleVersion, TurnResolving
from glitchcart.ports import Event, Lease, PaintRequest, SessionLease
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.engines import make_engine
from support.providers import GatedNarrator, PlainNarrator, TinyPainter

KEY = SessionKey.parse("web:room")
ROUNDS = 40


class CountingPainter(TinyPainter):
    def __init__(self) -> None:
        self.calls: Counter[int] = Counter()  # paint calls per turn seed

    async def paint(self, request: PaintRequest) -> bytes:
        self.calls[request.seed] += 1
        await asyncio.sleep(0.005)  # a model takes a while: the other engine gets a go
        return await super().paint(request)


class SlowNarrator(PlainNarrator):
    async def narrate(self, request):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.01)
        return await super().narrate(request)


@asynccontextmanager
async def two_engines(root: Path) -> AsyncIterator[tuple[Engine, Engine]]:
    settings = Settings(home=root, lease_seconds=1.0)
    db = root / "glitchcart.db"
    stores = [SqliteSessionStore(db, event_poll=0.01) for _ in range(2)]
    engines = [
        make_engine(
            root,
            store=store,
            narrator=SlowNarrator(),
            painter=CountingPainter(),
            clock=SystemClock(),
            settings=settings,
        )
        for store in stores
    ]
    for engine in engines:
        engine.events = LogEventBus(engine.store)
    try:
        yield engines[0], engines[1]
    finally:
        for engine in engines:
            await engine.drain()
        for store in stores:
            await store.close()


async def watch(engine: Engine, seen: list[Event], until: int) -> None:
    assert engine.events is not None
    async for event in engine.events.subscribe(KEY, after=0):
        seen.append(event)
        if event.kind == "choices" and event.data["turn"] >= until:
            return


async def vote_until_taken(
    engines: list[Engine], player: str, turn: int, rng: random.Random
) -> None:
    """Vote for ``turn`` at a random engine until one takes it or the turn moved on."""
    while True:
        engine = rng.choice(engines)
        snap = await engine.snapshot(KEY)
        if snap.state is None or snap.state.turn >= turn or snap.phase is not Phase.READY:
            if snap.state is not None and snap.state.turn >= turn:
                return
            await asyncio.sleep(0.005)
            continue
        if snap.window is not None and player in snap.window.voters():
            return
        try:
            await engine.vote(KEY, player, choice=rng.randint(1, len(snap.choices)))
            return
        except (StaleVersion, TurnResolving):
            await asyncio.sleep(0.001)


async def turn_done(engine: Engine, turn: int) -> None:
    for _ in range(2000):
        snap = await engine.snapshot(KEY)
        if snap.state is not None and snap.state.turn >= turn:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"turn {turn} was never committed")


async def noise(engines: list[Engine], stop: asyncio.Event, rng: random.Random) -> int:
    """Small changes at both engines all along (mode changes): they race every commit."""
    done = 0
    while not stop.is_set():
        try:
            await rng.choice(engines).set_mode(KEY, VotingMode.DEMOCRACY, player=None)
            done += 1
        except Conflict:
            pass
        await asyncio.sleep(rng.uniform(0, 0.01))
    return done


@pytest.mark.slow
async def test_votes_sprayed_at_two_engines_resolve_each_turn_once(tmp_path: Path) -> None:
    rng = random.Random(5)
    async with two_engines(tmp_path) as (a, b):
        await a.boot(KEY, "mini", seed=3)
        await b.join(KEY, "ann")
        await a.join(KEY, "bob")
        seen = {"a": [], "b": []}  # type: dict[str, list[Event]]
        watchers = [
            asyncio.create_task(watch(a, seen["a"], ROUNDS)),
            asyncio.create_task(watch(b, seen["b"], ROUNDS)),
        ]
        stop = asyncio.Event()
        noisy = asyncio.create_task(noise([a, b], stop, rng))
        for turn in range(1, ROUNDS + 1):
            await asyncio.gather(
                vote_until_taken([a, b], "ann", turn, rng),
                vote_until_taken([a, b], "bob", turn, rng),
            )
            await turn_done(a, turn)
        stop.set()
        mode_changes = await noisy
        await asyncio.wait_for(asyncio.gather(*watchers), 30)

        history = await a.history(KEY)
        assert [t.turn for t in history] == list(range(ROUNDS + 1))
        assert (await b.snapshot(KEY)).phase is Phase.READY
        narrated = a.narrator.calls + b.narrator.calls  # type: ignore[attr-defined]
        assert narrated == ROUNDS  # every turn narrated once, none twice
        painted = a.painter.calls + b.painter.calls  # type: ignore[attr-defined]
        assert len(painted) == ROUNDS + 1 and set(painted.values()) == {1}
        for name, events in seen.items():
            ids = [e.id for e in events]
            assert ids == list(range(1, len(ids) + 1)), name  # no gap, no duplicate
            per_turn = Counter((e.kind, e.data.get("turn")) for e in events)
            for turn in range(1, ROUNDS + 1):
                for kind in ("turn_resolving", "narration", "frame_ready", "choices"):
                    assert per_turn[(kind, turn)] == 1, (name, kind, turn)
        assert [(e.id, e.kind) for e in seen["a"]] == [(e.id, e.kind) for e in seen["b"]]
        # both engines resolved turns, and small changes raced them all along
        assert a.narrator.calls > 0 and b.narrator.calls > 0  # type: ignore[attr-defined]
        assert mode_changes > 0
        print(
            f"turns={ROUNDS} narrations={narrated} (a {a.narrator.calls}, b {b.narrator.calls})"  # type: ignore[attr-defined]
            f" paints={sum(painted.values())} events={len(seen['a'])} mode_changes={mode_changes}"
        )


async def test_a_turn_that_loses_its_commit_race_to_a_small_change_finishes(
    tmp_path: Path,
) -> None:
    async with two_engines(tmp_path) as (a, b):
        gated = GatedNarrator()
        a.narrator = gated
        await a.boot(KEY, "mini", seed=3)
        offered = (await a.snapshot(KEY)).choices
        chosen = asyncio.create_task(a.choose(KEY, 1))
        await gated.entered.wait()
        # the other engine changes small things, and finds the turn resolving
        await b.set_mode(KEY, VotingMode.ANARCHY, player=None)
        await b.join(KEY, "carol")
        with pytest.raises(TurnResolving):
            await b.choose(KEY, 2)
        assert await b.recover(KEY) is None  # held by a: b does nothing
        gated.gate.set()
        turn = await chosen  # answered 200: it finished over the newer record
        snap = await b.snapshot(KEY)
        assert snap.phase is Phase.READY and snap.state is not None and snap.state.turn == 1
        assert snap.mode is VotingMode.ANARCHY and [p.id for p in snap.roster] == ["carol"]
        history = await b.history(KEY)
        assert [t.turn for t in history] == [0, 1] and history[1] == turn
        # the choice b was refused (409) was never committed, then or later
        assert history[1].input.text == offered[0].text != offered[1].text
        await a.drain()
        await b.drain()
        assert [t.turn for t in await a.history(KEY)] == [0, 1]


class PausedRenewals:
    """A lease whose holder's renewals never happen, as if its process were paused."""

    def __init__(self, lease: SessionLease) -> None:
        self.lease = lease

    async def acquire(self, session: SessionKey, token: str, ttl: float) -> Lease | None:
        return await self.lease.acquire(session, token, ttl)

    async def renew(self, lease: Lease, ttl: float) -> Lease | None:
        return lease

    async def release(self, lease: Lease) -> bool:
        return await self.lease.release(lease)

    async def holder(self, session: SessionKey) -> Lease | None:
        return await self.lease.holder(session)


async def test_a_holder_paused_past_its_lease_is_fenced_out_and_the_turn_done_once(
    tmp_path: Path,
) -> None:
    store, clock = MemorySessionStore(), ManualClock()
    a = make_engine(tmp_path / "a", store=store, clock=clock, narrator=GatedNarrator())
    b = make_engine(tmp_path / "b", store=store, clock=clock)
    a.runtime.lease = PausedRenewals(lease_for(store, clock))
    await a.boot(KEY, "mini", seed=3)
    chosen = asyncio.create_task(a.choose(KEY, 1))
    await a.narrator.entered.wait()  # type: ignore[attr-defined]
    assert await b.recover(KEY) is None  # the lease is a's
    clock.advance(a.settings.lease_seconds + 1)  # a is paused past its TTL
    taken = await b.recover(KEY)  # b takes the turn over and finishes it
    assert taken is not None and taken.turn == 1
    a.narrator.gate.set()  # type: ignore[attr-defined]
    assert await chosen == taken  # a is fenced out; it answers with b's commit
    assert [t.turn for t in await b.history(KEY)] == [0, 1]
    kinds = [e.kind for e in (await store.read(KEY, after=0)).events]
    assert kinds.count("narration") == 2  # the prologue's, and turn 1's: b's only
    assert kinds.count("choices") == 2
