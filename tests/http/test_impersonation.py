"""Issue 11: for every route that acts for a player, alice's credential used as bob is
403, and an integration key outside its namespace is 403. Nothing is applied either way.

The table names each route with a valid body naming ``bob``; a route that acts for a
player and is missing here fails :func:`test_every_acting_route_is_listed`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from glitchcart.adapters.credentials.memory import MemoryRevocations
from glitchcart.http import create_app
from glitchcart.http.credentials import Credentials
from support.api import ADMIN_KEY, DISCORD_KEY, api_engine, api_settings, bearer

S = "/v1/sessions/web:1"
ACTING: list[tuple[str, str, dict[str, Any]]] = [
    ("PUT", "", {"cartridge": "mini", "swap": True, "player": "bob"}),
    ("POST", "/votes", {"player": "bob", "choice": 1, "turn": 1}),
    ("POST", "/turns", {"player": "bob", "choice": 1}),
    ("POST", "/reset", {"player": "bob"}),
    ("POST", "/regenerate", {"player": "bob"}),
    ("POST", "/players", {"player": "bob"}),
    ("PATCH", "/options", {"player": "bob", "flipbook": True}),
    ("PUT", "/mode", {"player": "bob", "mode": "anarchy"}),
    ("POST", "/crown/take", {"player": "bob"}),
    ("POST", "/crown/pass", {"holder": "bob", "to": "alice"}),
    ("POST", "/crown/drop", {"holder": "bob"}),
    ("POST", "/crown/twist", {"holder": "bob", "text": "a storm"}),
    ("POST", "/crown/veto", {"holder": "bob", "choice": 1}),
    ("POST", "/crown/force", {"holder": "bob", "choice": 1}),
]


@pytest.fixture
async def api(tmp_path: Path) -> Any:
    settings = api_settings(tmp_path, player_rate=1e6, player_burst=10**6)
    engine = api_engine(tmp_path, settings)
    credentials = Credentials("s" * 40, MemoryRevocations(), lambda: 1e9, 3600.0)
    app = create_app(settings, engine, credentials=credentials)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        for key in ("web:1", "discord:1"):
            booted = await http.put(
                f"/v1/sessions/{key}", json={"cartridge": "mini"}, headers=bearer(ADMIN_KEY)
            )
            assert booted.status_code == 200
        await engine.drain()
        yield http, credentials


@pytest.mark.parametrize(("method", "path", "body"), ACTING, ids=[f"{m} {p}" for m, p, _ in ACTING])
async def test_alices_credential_cannot_act_as_bob(
    api: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    http, credentials = api
    before = (await http.get(S, headers=bearer(ADMIN_KEY))).json()
    alice = bearer(credentials.issue("web", "alice")[0])
    answer = await http.request(method, f"{S}{path}", json=body, headers=alice)
    assert answer.status_code == 403, answer.text
    assert "can't act as 'bob'" in answer.json()["detail"]
    assert (await http.get(S, headers=bearer(ADMIN_KEY))).json() == before


@pytest.mark.parametrize(("method", "path", "body"), ACTING, ids=[f"{m} {p}" for m, p, _ in ACTING])
async def test_credentials_and_keys_outside_their_namespace_are_refused(
    api: Any, method: str, path: str, body: dict[str, Any]
) -> None:
    http, credentials = api
    before = (await http.get(S, headers=bearer(ADMIN_KEY))).json()
    bob_on_discord = bearer(credentials.issue("discord", "bob")[0])
    for caller in (bearer(DISCORD_KEY), bob_on_discord):
        answer = await http.request(method, f"{S}{path}", json=body, headers=caller)
        assert answer.status_code == 403, answer.text
        assert "namespace 'web'" in answer.json()["detail"]
    assert (await http.get(S, headers=bearer(ADMIN_KEY))).json() == before


def test_every_acting_route_is_listed(tmp_path: Path) -> None:
    """Every route whose body names a player or a holder is in the table above."""
    schema = create_app(api_settings(tmp_path)).openapi()
    listed = {(m, f"/v1/sessions/{{key}}{p}") for m, p, _ in ACTING}
    found = set()
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            text = str(ref)
            bodies = [
                schema["components"]["schemas"][r.rsplit("/", 1)[1]]
                for r in _refs(text)
                if r.rsplit("/", 1)[1] in schema["components"]["schemas"]
            ]
            if any({"player", "holder"} & set(b.get("properties", {})) for b in bodies):
                found.add((method.upper(), route))
    found.discard(("PUT", "/v1/sessions/{key}/crown"))  # admin only: grants the crown
    found.discard(("POST", "/v1/credentials"))  # keys only: issues (tests/http/test_identity)
    assert found == listed


def _refs(text: str) -> list[str]:
    return re.findall(r"#/components/schemas/[A-Za-z0-9_]+", text)
