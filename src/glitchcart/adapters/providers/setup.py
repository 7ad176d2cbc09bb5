"""Building the model providers of a process from its settings.

With no providers configured this returns the offline narrator and painter
unchanged, so offline runs stay deterministic. Otherwise every configured
provider gets its own fair scheduler (``max_concurrency`` slots), bench and
retry policy, and the engine is handed two chains::

    narrator: ChainNarrator(narrator_chain..., then offline)
    painter:  ChainPainter(painter_chain..., then offline if the chain names it,
                           then the "signal lost" frame)

All providers share one ``httpx.AsyncClient``, one :class:`Meter` (budgets)
and one :class:`StoryMemory`. Close it with ``aclose`` (or use
:func:`open_providers`)::

    async with open_providers(settings) as providers:
        engine = Engine(narrator=providers.narrator, painter=providers.painter, ...)
        ...
        for line in providers.notices(key): tell_players(key, line)

``kinds`` names the configured providers ("chat" or "image"); a session picks
among them by storing its choice (:class:`~glitchcart.core.options.SessionOptions`),
which every request then carries.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from glitchcart.adapters.providers.chain import OFFLINE, ChainNarrator, ChainPainter
from glitchcart.adapters.providers.http_pool import HttpPool
from glitchcart.adapters.providers.metering import Meter, SpendLedger
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.providers.openai.chat import ChatClient, HttpProvider
from glitchcart.adapters.providers.openai.narrator import NarrationStream, OpenAINarrator
from glitchcart.adapters.providers.openai.painter import OpenAIPainter
from glitchcart.adapters.providers.resilient import ProviderCaller, ProviderHealth, RetryPolicy
from glitchcart.adapters.providers.scheduler import FairScheduler
from glitchcart.adapters.providers.story_memory import StoryMemory
from glitchcart.core.keys import SessionKey
from glitchcart.ports import Narrator, Painter
from glitchcart.settings import ProviderConfig, Settings


@dataclass
class Providers:
    """The narrator and painter for the engine, and what the surfaces may ask of them."""

    narrator: Narrator
    painter: Painter
    meter: Meter
    memory: StoryMemory
    callers: dict[str, ProviderCaller] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # provider name -> "chat" | "image"
    pools: list[HttpPool] = field(default_factory=list)

    def notices(self, session: SessionKey) -> list[str]:
        """Lines to tell this session's players (a spent budget), each returned once."""
        return self.meter.notices(session)

    async def aclose(self) -> None:
        await self.memory.aclose()
        self.meter.ledger.close()
        for pool in self.pools:
            await pool.aclose()


def _chain(configured: Sequence[str], configs: Sequence[ProviderConfig], kind: str) -> list[str]:
    if configured:
        return list(configured)
    return [c.name for c in configs if c.kind == kind]


def build_providers(
    settings: Settings,
    *,
    http: httpx.AsyncClient | None = None,
    stream: NarrationStream | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
    ledger: SpendLedger | None = None,
) -> Providers:
    """The process's providers.

    Each provider gets its own connection pool sized to its ``max_concurrency``,
    unless ``http`` is given (one client for all: tests). Session and game spend go
    to ``ledger`` (default: memory only; the composition root passes the data
    directory's :class:`~glitchcart.adapters.providers.spend_ledger.SqliteSpendLedger`).
    """
    configs = settings.providers
    memory = StoryMemory(
        refresh_every=settings.memory_refresh_turns, max_chars=settings.memory_summary_chars
    )
    meter = Meter(
        {c.name: c for c in configs},
        session_budget=settings.session_budget,
        game_budget=settings.game_budget,
        ledger=ledger,
    )
    if not configs:
        return Providers(OfflineNarrator(), OfflinePainter(), meter, memory)
    pools: list[HttpPool] = []
    policy = RetryPolicy(retries=settings.provider_retries, max_wait=settings.provider_max_wait)
    callers: dict[str, ProviderCaller] = {}
    narrators: list[OpenAINarrator] = []
    painters: list[OpenAIPainter] = []
    for config in configs:
        pool = HttpPool.wrap(http) if http is not None else HttpPool(config.max_concurrency)
        pools.append(pool)
        health = ProviderHealth(config.name, settings.provider_bench_seconds, clock=clock)
        caller = ProviderCaller(
            config.name,
            FairScheduler(config.max_concurrency),
            health,
            policy,
            sleep=sleep,
            rng=rng,
        )
        callers[config.name] = caller
        if config.kind == "chat":
            chat = ChatClient(config, pool)
            narrators.append(OpenAINarrator(chat, caller, meter, memory, stream))
        else:
            painters.append(OpenAIPainter(HttpProvider(config, pool), caller, meter))
    painter_chain = _chain(settings.painter_chain, configs, "image")
    offline_painter = OfflinePainter() if OFFLINE in painter_chain or not painters else None
    return Providers(
        narrator=ChainNarrator(
            narrators,
            OfflineNarrator(),
            meter,
            default=_chain(settings.narrator_chain, configs, "chat"),
            memory=memory,
        ),
        painter=ChainPainter(painters, meter, offline=offline_painter, default=painter_chain),
        meter=meter,
        memory=memory,
        callers=callers,
        kinds={c.name: c.kind for c in configs},
        pools=pools,
    )


@asynccontextmanager
async def open_providers(
    settings: Settings, *, stream: NarrationStream | None = None
) -> AsyncIterator[Providers]:
    """:func:`build_providers`, closed on exit."""
    providers = build_providers(settings, stream=stream)
    try:
        yield providers
    finally:
        await providers.aclose()
