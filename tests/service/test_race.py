"""Exactly-once under load: 50 votes released together with the deadline firing."""

from __future__ import annotations

import asyncio
import contextlib
import random
from pathlib import Path

import pytest

from glitchcart.adapters.clock import ManualClock
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.errors import TurnResolving
from glitchcart.service.engine import Engine
from support.cartridges import mini_cartridge
from support.engines import Cartridges, make_engine

KEY = SessionKey.parse("discord:race")
PLAYERS = [f"p{i:02d}" for i in range(50)]
ROUNDS = 1000


async def seat_everyone(engine: Engine, clock: ManualClock) -> None:
    for player in PLAYERS:
        if (await engine.vote(KEY, player, choice=1)).closed:
            await engine.drain()
    clock.advance(10)
    await engine.fire_deadline(KEY)
    await engine.drain()


async def voter(engine: Engine, gate: asyncio.Event, player: str, choice: int) -> None:
    await gate.wait()
    with contextlib.suppress(TurnResolving):  # a vote after the close is told so
        await engine.vote(KEY, player, choice=choice)


async def deadline(engine: Engine, gate: asyncio.Event) -> None:
    await gate.wait()
    await engine.fire_deadline(KEY)


@pytest.mark.slow
async def test_every_round_advances_exactly_once(tmp_path: Path) -> None:
    clock = ManualClock()
    calm = mini_cartridge(chaos={"per_turn": 0, "phases": [{"name": "calm", "at": 0}]})
    engine = make_engine(tmp_path, clock=clock, cartridges=Cartridges(calm))
    await engine.boot(KEY, "mini", seed=3)
    await seat_everyone(engine, clock)
    rng = random.Random(7)
    start = len(await engine.history(KEY))
    for round_no in range(ROUNDS):
        snap = await engine.snapshot(KEY)
        assert snap.phase is Phase.READY and snap.window is None
        await engine.vote(KEY, PLAYERS[0], choice=1)  # opens the window
        clock.advance(10)  # ... and now its deadline has come
        gate = asyncio.Event()
        tasks = [asyncio.create_task(voter(engine, gate, p, rng.randint(1, 3))) for p in PLAYERS]
        tasks.append(asyncio.create_task(deadline(engine, gate)))
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(*tasks)
        await engine.drain()
        clock.advance(10)  # a window opened by a late vote closes too
        await engine.fire_deadline(KEY)
        await engine.drain()

        closed_turns = await engine.history(KEY, start=start + round_no)
        assert len(closed_turns) in (1, 2), f"round {round_no}"
        decided = closed_turns[0]
        assert decided.tally is not None
        voters = [p for p, _ in decided.tally.ballots]
        assert len(voters) == len(set(voters))  # no vote counted twice
        start += len(closed_turns) - 1
    final = await engine.history(KEY)
    turns = [t.turn for t in final]
    assert turns == list(range(len(turns)))  # no turn doubled or skipped
