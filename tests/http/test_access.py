"""Access: keys, namespaces, roles, rate limits, body limits, loopback-only without keys."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from glitchcart.cli.app import app as cli_app
from glitchcart.core.keys import SessionKey
from glitchcart.errors import InvalidInput
from glitchcart.http import create_app
from glitchcart.http.access import check_bind
from glitchcart.settings import Settings
from support.api import ADMIN_KEY, DISCORD_KEY, WEB_KEY, api_engine, api_settings, bearer

PROBLEM = "application/problem+json"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client_for(app: Any, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://localhost")


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = api_settings(tmp_path)
    engine = api_engine(tmp_path, settings)
    async with client_for(create_app(settings, engine)) as http:
        for key in ("discord:1", "web:1"):
            booted = await http.put(
                f"/v1/sessions/{key}",
                json={"cartridge": "mini", "seed": 1},
                headers=bearer(ADMIN_KEY),
            )
            assert booted.status_code == 200
        await engine.drain()
        yield http


async def test_a_key_is_required_and_must_be_known(api: httpx.AsyncClient) -> None:
    for headers in ({}, bearer("not-a-key-at-all-000"), {"Authorization": "Basic eDp5"}):
        answer = await api.get("/v1/sessions/web:1", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["code"] == "Unauthorized"
    assert (await api.get("/healthz")).status_code == 200  # public
    assert (await api.get("/openapi.json")).status_code == 200


async def test_a_key_touches_only_its_namespaces(api: httpx.AsyncClient) -> None:
    bot = bearer(DISCORD_KEY)
    assert (await api.get("/v1/sessions/discord:1", headers=bot)).status_code == 200
    for method, path in (
        ("GET", "/v1/sessions/web:1"),
        ("POST", "/v1/sessions/web:1/votes"),
        ("GET", "/v1/sessions/web:1/events"),
        ("GET", "/v1/sessions/web:1/frames/g1-00000.png"),
        ("GET", "/v1/sessions/web:unknown"),
    ):
        body = {"player": "ann", "choice": 1, "turn": 1} if method == "POST" else None
        answer = await api.request(method, path, json=body, headers=bot)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["code"] == "Forbidden"
    games = (await api.get("/v1/games", headers=bot)).json()
    assert [g["session"] for g in games] == ["discord:1"]
    site_games = (await api.get("/v1/games", headers=bearer(WEB_KEY))).json()
    assert [g["session"] for g in site_games] == ["web:1"]


async def test_deletes_and_loads_need_an_admin_key(api: httpx.AsyncClient) -> None:
    bot, site, ops = bearer(DISCORD_KEY), bearer(WEB_KEY), bearer(ADMIN_KEY)
    [game] = (await api.get("/v1/games", headers=bot)).json()
    for method, path, body in (
        ("DELETE", "/v1/sessions/discord:1", None),
        ("DELETE", f"/v1/games/{game['game_id']}", None),
        ("POST", f"/v1/games/{game['game_id']}/load", {"session": "discord:2"}),
        ("PUT", "/v1/sessions/discord:1/crown", {"player": None}),
    ):
        answer = await api.request(method, path, json=body, headers=bot)
        assert answer.status_code == 403, (path, answer.text)
    # an admin of another namespace can't see (so can't load or delete) the game
    load = await api.post(
        f"/v1/games/{game['game_id']}/load", json={"session": "web:2"}, headers=site
    )
    assert load.status_code == 404 and load.json()["code"] == "GameNotFound"
    assert (await api.delete(f"/v1/games/{game['game_id']}", headers=site)).status_code == 404
    assert (await api.delete("/v1/sessions/discord:1", headers=ops)).json() == {
        "game_id": game["game_id"]
    }
    moved = await api.post(
        f"/v1/games/{game['game_id']}/load", json={"session": "web:2"}, headers=ops
    )
    assert moved.status_code == 200


async def test_each_key_has_its_own_rate_limit(tmp_path: Path) -> None:
    clock = FakeMonotonic()
    settings = api_settings(tmp_path, api_rate=1.0, api_burst=3)
    app = create_app(settings, api_engine(tmp_path, settings), now=clock)
    async with client_for(app) as http:
        answers = [await http.get("/v1/cartridges", headers=bearer(WEB_KEY)) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["code"] == "RateLimited" and refused.json()["retry_after"] > 0
        assert (await http.get("/v1/cartridges", headers=bearer(ADMIN_KEY))).status_code == 200
        clock.now += 1.0
        assert (await http.get("/v1/cartridges", headers=bearer(WEB_KEY))).status_code == 200
        assert (await http.get("/v1/cartridges", headers=bearer(WEB_KEY))).status_code == 429


async def test_each_player_has_their_own_rate_limit(tmp_path: Path) -> None:
    clock = FakeMonotonic()
    settings = api_settings(tmp_path, player_rate=0.5, player_burst=2)
    engine = api_engine(tmp_path, settings)
    app = create_app(settings, engine, now=clock)
    async with client_for(app) as http:
        ops = bearer(ADMIN_KEY)
        await http.put("/v1/sessions/web:1", json={"cartridge": "mini", "seed": 1}, headers=ops)
        join = "/v1/sessions/web:1/players"
        codes = [
            (await http.post(join, json={"player": "ann"}, headers=ops)).status_code
            for _ in range(3)
        ]
        assert codes == [204, 204, 429]
        refused = await http.post(join, json={"player": "ann"}, headers=ops)
        assert refused.headers["retry-after"] == "2"
        assert (await http.post(join, json={"player": "bob"}, headers=ops)).status_code == 204
        other = await http.post(
            "/v1/sessions/discord:1/players", json={"player": "ann"}, headers=ops
        )
        assert other.status_code == 404  # a player's bucket is per session; that one has no game
        clock.now += 2.0
        assert (await http.post(join, json={"player": "ann"}, headers=ops)).status_code == 204


async def test_bodies_over_the_limit_are_refused_unread(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, max_body_bytes=1024)
    engine = api_engine(tmp_path, settings)
    async with client_for(create_app(settings, engine)) as http:
        big = json.dumps({"player": "ann", "action": "x" * 2000, "turn": 1}).encode()
        as_json = {**bearer(ADMIN_KEY), "Content-Type": "application/json"}
        sized = await http.post("/v1/sessions/web:1/votes", content=big, headers=as_json)
        assert sized.status_code == 413 and sized.json()["code"] == "PayloadTooLarge"

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            for _ in range(4):
                yield b" " * 400

        streamed = await http.post("/v1/sessions/web:1/votes", content=chunks(), headers=as_json)
        assert streamed.status_code == 413
        assert not await engine.exists(SessionKey.parse("web:1"))


async def test_without_keys_only_loopback_clients_are_served(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    app = create_app(settings, api_engine(tmp_path, settings))
    for ip in ("127.0.0.1", "::1"):
        async with client_for(app, ip) as http:
            assert (await http.get("/v1/cartridges")).status_code == 200
    for ip in ("10.1.2.3", "192.168.0.9", "2001:db8::1", "testclient"):
        async with client_for(app, ip) as http:
            for path in ("/v1/cartridges", "/healthz", "/openapi.json"):
                answer = await http.get(path)
                assert answer.status_code == 403, (ip, path)
                assert "loopback" in answer.json()["detail"]


def test_binding_a_public_address_without_keys_is_refused(tmp_path: Path) -> None:
    bare = Settings(home=tmp_path)
    for host in ("127.0.0.1", "::1", "localhost"):
        check_bind(host, bare)
    for host in ("0.0.0.0", "::", "192.168.1.10", "example.org", ""):
        with pytest.raises(InvalidInput, match="without API keys"):
            check_bind(host, bare)
    check_bind("0.0.0.0", api_settings(tmp_path))  # keys configured: allowed


def test_serve_refuses_to_start_publicly_without_keys(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "data")], env={}
    )
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without API keys" in result.output
    assert not (tmp_path / "data").exists()
