"""Providers from settings (env or a TOML file), and real models driving the engine."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.providers.chain import ChainNarrator, ChainPainter
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.providers.setup import build_providers
from glitchcart.adapters.providers.spend_ledger import SqliteSpendLedger
from glitchcart.bootstrap import SPEND_DB_NAME, open_engine
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.settings import Settings
from support.engines import make_engine
from support.fake_openai import FakeOpenAI, Reply, narration_reply

SECRET = "sk-test-secret-123"


def settings_for(server: FakeOpenAI, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "home": tmp_path,
        "providers": [
            server.config("hosted", supports_json_schema=True),
            server.config("paint", "image"),
        ],
        "provider_retries": 1,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


async def test_without_providers_the_offline_ones_are_used_unchanged(tmp_path: Path) -> None:
    providers = build_providers(Settings(home=tmp_path))
    assert isinstance(providers.narrator, OfflineNarrator)
    assert isinstance(providers.painter, OfflinePainter)
    await providers.aclose()


def test_providers_and_chains_come_from_a_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(
        """
[[providers]]
name = "hosted"
kind = "chat"
base_url = "https://api.example.com/v1"
model = "big-model"
api_key = "sk-from-file-999"
price_input_per_1k = 0.5
supports_json_schema = true

[[providers]]
name = "local"
kind = "chat"
base_url = "http://127.0.0.1:11434/v1"
model = "llama3"

[chains]
narrator = ["hosted", "local", "offline"]
""",
        encoding="utf-8",
    )
    settings = Settings(home=tmp_path, providers_file=path)
    assert [p.name for p in settings.providers] == ["hosted", "local"]
    assert settings.narrator_chain == ["hosted", "local", "offline"]
    assert settings.providers[0].paid and not settings.providers[1].paid
    assert "sk-from-file-999" not in repr(settings)
    assert "sk-from-file-999" not in settings.model_dump_json()
    assert settings.providers[0].api_key is not None
    assert settings.providers[0].api_key.get_secret_value() == "sk-from-file-999"


def test_providers_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    provider = {"name": "local", "kind": "chat", "base_url": "http://x/v1", "model": "m"}
    monkeypatch.setenv("GLITCHCART_PROVIDERS", json.dumps([provider]))
    monkeypatch.setenv("GLITCHCART_NARRATOR_CHAIN", '["local"]')
    monkeypatch.setenv("GLITCHCART_SESSION_BUDGET", "0.25")
    settings = Settings(home=tmp_path)
    assert settings.providers[0].name == "local"
    assert settings.narrator_chain == ["local"]
    assert settings.session_budget == 0.25


@pytest.mark.parametrize(
    "changes",
    [
        {"narrator_chain": ["nope"]},
        {"painter_chain": ["hosted"]},
        {"providers": [{"name": "a", "kind": "chat", "base_url": "u", "model": "m"}] * 2},
        {"providers": [{"name": "offline", "kind": "chat", "base_url": "u", "model": "m"}]},
        {"providers": [{"name": "a", "kind": "video", "base_url": "u", "model": "m"}]},
        {"providers_file": Path("/nonexistent/providers.toml")},
    ],
)
def test_bad_provider_settings_are_refused_at_start(changes: dict[str, object]) -> None:
    base: dict[str, object] = {
        "providers": [{"name": "hosted", "kind": "chat", "base_url": "u", "model": "m"}]
    }
    with pytest.raises(ValidationError):
        Settings(**{**base, **changes})  # type: ignore[arg-type]


async def test_real_models_drive_a_game_through_the_engine(tmp_path: Path) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script(
            "chat",
            Reply(content="You wake in the hall, the model says."),
            Reply(),  # the opening choices
            Reply(data=narration_reply(narration="You step into the yard.", move_to="yard")),
        )
        providers = build_providers(settings_for(server, tmp_path), http=http)
        assert isinstance(providers.narrator, ChainNarrator)
        assert isinstance(providers.painter, ChainPainter)
        engine = make_engine(tmp_path, narrator=providers.narrator, painter=providers.painter)
        key = SessionKey.parse("web:alpha")
        first = await engine.start(key, "mini", seed=3)
        assert first.narration == "You wake in the hall, the model says."
        assert len(first.choices) == 3 and first.frame is not None
        turn = await engine.choose(key, 1)
        assert turn.narration == "You step into the yard."
        assert turn.state.location == "yard" and not turn.fallback
        assert turn.choices == tuple(c for c in turn.choices if c.text.startswith("Option"))
        assert turn.frame is not None
        assert (await engine.snapshot(key)).phase is Phase.READY
        assert server.count("images") == 2
        await providers.aclose()


async def test_a_dead_provider_never_leaves_a_session_stuck_or_the_story_broken(
    tmp_path: Path,
) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        settings = settings_for(server, tmp_path)
        providers = build_providers(settings, http=http)
        engine = make_engine(tmp_path, narrator=providers.narrator, painter=providers.painter)
        key = SessionKey.parse("web:alpha")
        await engine.start(key, "mini", seed=3)
        server.script("chat", *[Reply(status=500, error_code="boom")] * 20)
        server.script("images", *[Reply(status=500)] * 20)
        turn = await engine.choose(key, 1)
        assert "500" not in turn.narration and "boom" not in turn.narration
        assert len(turn.choices) == 3 and turn.frame is not None  # offline story, signal lost
        assert (await engine.snapshot(key)).phase is Phase.READY
        await providers.aclose()


async def test_sessions_pick_providers_by_name(tmp_path: Path) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        providers = build_providers(settings_for(server, tmp_path), http=http)
        key = SessionKey.parse("web:alpha")
        assert isinstance(providers.narrator, ChainNarrator)
        assert isinstance(providers.painter, ChainPainter)
        assert providers.kinds == {"hosted": "chat", "paint": "image"}
        assert providers.narrator.plan(None, key, "g1", ["offline"]) == []
        assert providers.painter.plan(None, key, "g1", ["offline"]) == []
        assert providers.narrator.plan(None, key, "g1", ["paint"]) == ["hosted"]
        assert providers.painter.plan(None, key, "g1", ["paint"]) == ["paint"]
        assert providers.narrator.plan(None, key, "g1", None) == ["hosted"]
        await providers.aclose()


async def test_a_session_that_chose_offline_never_calls_the_models(tmp_path: Path) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        providers = build_providers(settings_for(server, tmp_path), http=http)
        engine = make_engine(tmp_path, narrator=providers.narrator, painter=providers.painter)
        engine.providers = providers.kinds
        quiet, busy = SessionKey.parse("web:quiet"), SessionKey.parse("web:busy")
        await engine.configure(quiet, {"providers": ["offline"]}, create=True)
        await engine.start(quiet, "mini", seed=3)
        await engine.choose(quiet, 1)
        assert (server.count("chat"), server.count("images")) == (0, 0)
        await engine.start(busy, "mini", seed=3)
        assert server.count("chat") >= 1 and server.count("images") == 1
        assert providers.meter.session(busy).calls == server.count("chat") + 1  # all of them
        assert providers.meter.session(quiet).calls == 0
        await providers.aclose()


async def test_the_runtime_keeps_spend_in_the_data_directory(tmp_path: Path) -> None:
    async with FakeOpenAI() as server:
        settings = settings_for(server, tmp_path)
        async with open_engine(settings, CartridgeLibrary()) as engine:
            await engine.start(SessionKey.parse("web:alpha"), "dust-signal", seed=3)
    ledger = SqliteSpendLedger(settings.data_dir / SPEND_DB_NAME)
    assert ledger.get("session", "web:alpha").calls >= 2  # prologue, choices, picture
    ledger.close()
