"""One engine, one client: in-process, or over real HTTP to the app serving that engine.

The conformance suite runs every scenario on both rigs (:func:`run_on_both`); a rig
also exposes the engine and its manual clock, so a test can pass time and fire
deadlines itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.client import Client, HttpTransport, InProcessTransport
from glitchcart.client.models import EventOut
from glitchcart.http import create_app
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.cartridges import mini_cartridge
from support.engines import Cartridges, make_engine
from support.servers import serving
from support.transcripts import Transcript

KINDS = ("inprocess", "http")
CARTS = Cartridges(mini_cartridge(), mini_cartridge(id="other", title="Other"))


@dataclass
class Rig:
    kind: str
    engine: Engine
    clock: ManualClock
    client: Client


@asynccontextmanager
async def rig(kind: str, root: Path, **engine_parts: Any) -> AsyncIterator[Rig]:
    clock = ManualClock()
    engine_parts.setdefault("cartridges", CARTS)
    engine = make_engine(root, clock=clock, **engine_parts)
    engine.events = LogEventBus(engine.store)
    if kind == "inprocess":
        async with Client(InProcessTransport(engine)) as client:
            yield Rig(kind, engine, clock, client)
        return
    app = create_app(unlimited(engine.settings), engine)
    async with (
        serving(app) as base_url,
        httpx.AsyncClient() as http,
        Client(HttpTransport(base_url, http=http)) as client,
    ):
        yield Rig(kind, engine, clock, client)
        await engine.drain()


def unlimited(settings: Settings) -> Settings:
    """Rate limits out of the way: they are the access tests' business, not conformance's."""
    return settings.model_copy(
        update={
            "api_rate": 1e9,
            "api_burst": 10**9,
            "player_rate": 1e9,
            "player_burst": 10**9,
            "new_sessions_per_hour": 10**6,
        }
    )


Scenario = Callable[[Rig, Transcript], Awaitable[None]]


async def run_on_both(tmp_path: Path, scenario: Scenario, **parts: Callable[[], Any]) -> None:
    """Run ``scenario`` on each transport (fresh engine parts each time); same transcript."""
    transcripts = {}
    for kind in KINDS:
        made = {name: make() for name, make in parts.items()}
        async with rig(kind, tmp_path / kind, **made) as r:
            transcript = Transcript()
            await scenario(r, transcript)
            transcripts[kind] = transcript.lines
    assert transcripts["http"] == transcripts["inprocess"]


async def take(stream: Any, *, until: str) -> list[EventOut]:
    """Events from ``stream`` up to and including the first of kind ``until``."""
    seen: list[EventOut] = []
    async with aclosing(stream) as events:
        async for event in events:
            seen.append(event)
            if event.kind == until:
                return seen
    return seen
