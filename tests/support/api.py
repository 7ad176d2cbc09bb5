"""Apps under test: the real HTTP app over an injected engine, with keys and limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glitchcart.adapters.clock import ManualClock
from glitchcart.adapters.events.log_bus import LogEventBus
from glitchcart.ports import SessionStore
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.engines import make_engine
from support.rigs import CARTS

ADMIN_KEY = "admin-key-0123456789"
DISCORD_KEY = "discord-play-0123456789"
WEB_KEY = "web-play-0123456789"
KEYS = [
    {"name": "ops", "key": ADMIN_KEY, "namespaces": ["*"], "role": "admin"},
    {"name": "bot", "key": DISCORD_KEY, "namespaces": ["discord"], "role": "play"},
    {"name": "site", "key": WEB_KEY, "namespaces": ["web"], "role": "admin"},
]


def api_settings(root: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {"home": root, "api_keys": KEYS}
    values.update(changes)
    return Settings(**values)


def api_engine(
    root: Path, settings: Settings | None = None, store: SessionStore | None = None
) -> Engine:
    engine = make_engine(
        root, cartridges=CARTS, clock=ManualClock(), store=store, settings=settings
    )
    engine.events = LogEventBus(engine.store)
    return engine


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
