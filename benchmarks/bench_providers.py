"""Real-model latency through the engine: choice -> narration, -> picture, -> next choices.

The providers are the real OpenAI-compatible adapters (chain, fair scheduler,
retries, metering, HTTP) talking to the loopback test server, which answers
after simulated model latencies: narration 1.0 s, choices 0.8 s, image 2.0 s.
The critical path of a turn is then::

    narration  1.0 s                  (narrate)
    choices    1.8 s                  (narrate, then choices)
    picture    3.0 s                  (narrate, then paint, alongside the choices)
    votes open 3.0 s                  (the commit: state, history, frame and choices whole)

For 1 and for 100 concurrent sessions it prints, per milestone, the median and
worst time seen from the moment a choice is taken, and the ratio to the critical
path (the figure; the aim is at most 1.05). Two clocks are read:

- *provider*: when the narrator's / painter's answer is in the engine's hands;
- *players*: when the engine publishes the event (narration, choices_ready,
  frame_ready, and choices: the commit, when votes open).

A bare ``asyncio.sleep`` pipeline with the same latencies and concurrency is
measured in the same run as the floor of this event loop. A third run puts 100
sessions behind a concurrency limit of 20 per provider, where the painter's
capacity (slots / 2.0 s) bounds the throughput: it prints how close it gets.
The simulated server runs in a child process, so its own work is not counted.

    .venv/bin/python benchmarks/bench_providers.py [--turns 3] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.clock import SystemClock
from glitchcart.adapters.leases import lease_for
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.setup import build_providers
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.fate import Fate
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import SessionRecord
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice
from glitchcart.ports import (
    ChoiceRequest,
    Event,
    Narration,
    NarrationRequest,
    Narrator,
    NewEvent,
    Painter,
    PaintRequest,
    PrologueRequest,
    Scene,
)
from glitchcart.service.engine import Engine
from glitchcart.settings import ProviderConfig, Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.fake_openai import FakeOpenAI, schema_name

NARRATE, CHOOSE, PAINT = 1.0, 0.8, 2.0
MILESTONES = ("narration", "choices", "picture", "votes open")
Marks = dict[tuple[str, int], dict[str, float]]  # (session, turn) -> milestone -> time


def critical_path(scale: float) -> dict[str, float]:
    return {
        "narration": NARRATE * scale,
        "choices": (NARRATE + CHOOSE) * scale,
        "picture": (NARRATE + PAINT) * scale,
        "votes open": (NARRATE + max(CHOOSE, PAINT)) * scale,  # the turn commits whole
    }


class RecordingStore(MemorySessionStore):
    """The engine's store, noting when each event is written (players see it then)."""

    NAMES: ClassVar[dict[str, str]] = {
        "narration": "narration",
        "choices_ready": "choices",
        "frame_ready": "picture",
        "choices": "votes open",
    }

    def __init__(self, marks: Marks, turn_of: dict[str, int]) -> None:
        super().__init__()
        self.marks, self.turn_of = marks, turn_of

    def _note(self, session: SessionKey, events: Sequence[NewEvent]) -> None:
        for event in events:
            if event.kind in self.NAMES:
                when = (str(session), self.turn_of[str(session)])
                self.marks[when][self.NAMES[event.kind]] = time.perf_counter()

    async def commit(self, record: SessionRecord, **rest: Any) -> SessionRecord:
        saved = await super().commit(record, **rest)
        self._note(record.key, rest.get("events", ()))
        return saved

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        written = await super().append(session, events, fence=fence)
        self._note(session, events)
        return written


class TimedNarrator:
    """Notes when the narrator's answers are in the engine's hands."""

    def __init__(self, inner: Narrator, marks: Marks, turn_of: dict[str, int]) -> None:
        self.inner, self.marks, self.turn_of = inner, marks, turn_of
        self.name = inner.name

    def _mark(self, session: SessionKey | None, what: str) -> None:
        self.marks[(str(session), self.turn_of[str(session)])][what] = time.perf_counter()

    async def prologue(self, request: PrologueRequest) -> str:
        return await self.inner.prologue(request)

    async def narrate(self, request: NarrationRequest) -> Narration:
        narration = await self.inner.narrate(request)
        self._mark(request.session, "narration")
        return narration

    async def choices(self, request: ChoiceRequest) -> tuple[Choice, ...]:
        choices = await self.inner.choices(request)
        self._mark(request.session, "choices")
        return choices

    def scene(
        self, cartridge: Cartridge, state: WorldState, narration: str, fate: Fate | None
    ) -> Scene:
        return self.inner.scene(cartridge, state, narration, fate)


class TimedPainter:
    def __init__(self, inner: Painter, marks: Marks, turn_of: dict[str, int]) -> None:
        self.inner, self.marks, self.turn_of = inner, marks, turn_of
        self.name = inner.name

    async def paint(self, request: PaintRequest) -> bytes:
        png = await self.inner.paint(request)
        key = (str(request.session), self.turn_of[str(request.session)])
        self.marks[key]["picture"] = time.perf_counter()
        return png


async def run_engine(
    root: Path, base_url: str, sessions: int, limit: int, turns: int
) -> tuple[Marks, Marks, Marks]:
    """(start times, provider marks, player marks) for every session and turn."""
    common = {"base_url": base_url, "max_concurrency": limit, "timeout": 60}
    settings = Settings(
        home=root,
        providers=[
            ProviderConfig(name="hosted", kind="chat", model="fake-chat", **common),
            ProviderConfig(name="paint", kind="image", model="fake-image", **common),
        ],
        memory_refresh_turns=1000,  # no summary calls: they are off the critical path anyway
    )
    starts: Marks = defaultdict(dict)
    provider: Marks = defaultdict(dict)
    players: Marks = defaultdict(dict)
    turn_of: dict[str, int] = defaultdict(int)
    providers = build_providers(settings)  # its own pools, as in production
    try:
        store = RecordingStore(players, turn_of)
        clock = SystemClock()
        engine = Engine(
            store=store,
            lease=lease_for(store, clock),
            media=FileMediaStore(root),
            narrator=TimedNarrator(providers.narrator, provider, turn_of),
            painter=TimedPainter(providers.painter, provider, turn_of),
            cartridges=CartridgeLibrary(),
            clock=clock,
            settings=settings,
        )

        async def play(n: int) -> None:
            key = SessionKey.parse(f"bench:s{n}")
            await engine.start(key, "dust-signal", seed=n)
            for turn in range(1, turns + 1):
                turn_of[str(key)] = turn
                starts[(str(key), turn)]["start"] = time.perf_counter()
                await engine.choose(key, 1)

        await asyncio.gather(*(play(n) for n in range(sessions)))
    finally:
        await providers.aclose()
    return starts, provider, players


async def step(marks: dict[str, float], name: str, seconds: float) -> None:
    await asyncio.sleep(seconds)
    marks[name] = time.perf_counter()


async def run_bare(sessions: int, turns: int, scale: float) -> tuple[Marks, Marks]:
    """The same latencies with nothing but asyncio.sleep: this loop's floor."""
    starts: Marks = defaultdict(dict)
    marks: Marks = defaultdict(dict)

    async def play(n: int) -> None:
        for turn in range(1, turns + 1):
            key = (f"bare:{n}", turn)
            starts[key]["start"] = time.perf_counter()
            await asyncio.sleep(NARRATE * scale)
            marks[key]["narration"] = time.perf_counter()
            await asyncio.gather(
                step(marks[key], "choices", CHOOSE * scale),
                step(marks[key], "picture", PAINT * scale),
            )
            marks[key]["votes open"] = time.perf_counter()

    await asyncio.gather(*(play(n) for n in range(sessions)))
    return starts, marks


def latencies(starts: Marks, marks: Marks) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {m: [] for m in MILESTONES}
    for key, begun in starts.items():
        for milestone in MILESTONES:
            if milestone in marks.get(key, {}):
                out[milestone].append(marks[key][milestone] - begun["start"])
    return out


def report(title: str, figures: dict[str, list[float]], path: dict[str, float]) -> None:
    print(f"  {title}")
    for m in MILESTONES:
        values = figures[m]
        if not values:
            print(f"    {m:<10} (none: the providers are not timed at the commit)")
            continue
        median, worst = statistics.median(values), max(values)
        print(
            f"    {m:<10} median {median:6.3f} s  worst {worst:6.3f} s  critical path "
            f"{path[m]:5.2f} s  ratio {median / path[m]:5.3f} (worst {worst / path[m]:5.3f})"
        )


async def serve(scale: float) -> None:
    """The simulated model server, run in its own process so its work is not counted."""

    def delay(route: str, body: dict[str, Any]) -> float:
        if route == "images":
            return PAINT * scale
        if route != "chat":
            return 0.0
        return (CHOOSE if schema_name(body) == "choices" else NARRATE) * scale

    async with FakeOpenAI() as server:
        server.delay_for = delay
        print(server.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF


RUNS = ((1, 4), (100, 100), (100, 20))  # (sessions, slots per provider)
QUICK_RUNS = ((1, 4), (10, 10), (10, 2))


async def main(turns: int, scale: float, runs: tuple[tuple[int, int], ...] = RUNS) -> None:
    path = critical_path(scale)
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--scale", str(scale),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert server.stdout is not None and server.stdin is not None
    base_url = f"http://127.0.0.1:{int(await server.stdout.readline())}/v1"
    try:
        for sessions, limit in runs:
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                starts, provider, players = await run_engine(
                    Path(tmp), base_url, sessions, limit, turns
                )
                wall = time.perf_counter() - started
            bare_starts, bare = await run_bare(sessions, turns, scale)
            print(
                f"== {sessions} session(s), {turns} turns each, {limit} slots per provider "
                f"({wall:.1f} s wall)"
            )
            report("bare asyncio floor", latencies(bare_starts, bare), path)
            report("provider (answer in the engine's hands)", latencies(starts, provider), path)
            report("players (event published by the engine)", latencies(starts, players), path)
            if limit < sessions:
                # Here the painter is the bottleneck: `limit` slots of PAINT seconds each.
                # Every session also painted its opening frame, so count turns + 1.
                done = sessions * (turns + 1)
                bound = limit / (PAINT * scale)
                print(
                    f"    throughput {done} frames in {wall:.1f} s = {done / wall:.2f}/s; "
                    f"{limit} painter slots allow at most {bound:.2f}/s "
                    f"(utilisation {done / wall / bound:.3f})"
                )
    finally:
        server.stdin.close()
        await server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every latency")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.scale = 1, 0.1
    runs = QUICK_RUNS if args.quick else RUNS
    asyncio.run(serve(args.scale) if args.serve else main(args.turns, args.scale, runs))
