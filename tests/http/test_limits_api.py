"""Issue 11, findings 4, 7 and 9 over HTTP: answers and defaults of the limits."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from glitchcart.core.keys import SessionKey
from glitchcart.http import create_app
from support.api import ADMIN_KEY, DISCORD_KEY, WEB_KEY, api_engine, api_settings, bearer

ROOM = "/v1/sessions/web:room"


class FrozenMonotonic:
    """The rate limits' clock, stopped: every request below arrives at once."""

    def __call__(self) -> float:
        return 1000.0


def client_for(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://api")


async def test_finding_9_a_50_player_room_votes_at_once_through_one_key(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)  # the default rates
    engine = api_engine(tmp_path, settings)
    app = create_app(settings, engine, now=FrozenMonotonic())
    async with client_for(app) as http:
        booted = await http.put(
            ROOM, json={"cartridge": "mini", "seed": 1}, headers=bearer(ADMIN_KEY)
        )
        assert booted.status_code == 200
        await engine.drain()
        site = bearer(WEB_KEY)

        async def join(n: int) -> httpx.Response:
            return await http.post(f"{ROOM}/players", json={"player": f"p{n}"}, headers=site)

        async def look(n: int) -> httpx.Response:
            return await http.get(ROOM, headers=site)

        async def vote(n: int) -> httpx.Response:
            body = {"player": f"p{n}", "choice": 1, "turn": 1}
            return await http.post(f"{ROOM}/votes", json=body, headers=site)

        joined = await asyncio.gather(*(join(n) for n in range(50)))
        looked_and_voted = await asyncio.gather(
            *(look(n) for n in range(50)), *(vote(n) for n in range(50))
        )
        await engine.drain()
    answers = [*joined, *looked_and_voted]
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {204: 50, 200: 100}, statuses


async def test_finding_4_a_full_session_answers_429_with_retry_after(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, max_players=1)
    engine = api_engine(tmp_path, settings)
    async with client_for(create_app(settings, engine)) as http:
        admin = bearer(ADMIN_KEY)
        await http.put(ROOM, json={"cartridge": "mini", "seed": 1}, headers=admin)
        await engine.drain()
        assert (
            await http.post(f"{ROOM}/players", json={"player": "ann"}, headers=admin)
        ).is_success
        full = await http.post(f"{ROOM}/players", json={"player": "bob"}, headers=admin)
    assert full.status_code == 429
    assert full.headers["retry-after"] == "3600"
    assert full.json()["code"] == "SessionFull"
    assert "a seat frees in 3600 s" in full.json()["detail"]


async def test_finding_7_an_admin_deletes_a_session_for_good(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    engine = api_engine(tmp_path, settings)
    async with client_for(create_app(settings, engine)) as http:
        admin = bearer(ADMIN_KEY)
        await http.put(ROOM, json={"cartridge": "mini", "seed": 1}, headers=admin)
        await engine.drain()
        folder = engine.media.session_folder(SessionKey.parse("web:room"))  # type: ignore[attr-defined]
        assert folder.exists()
        player_key = bearer(DISCORD_KEY)  # a play key (and of another namespace)
        discord = await http.put(
            "/v1/sessions/discord:9", json={"cartridge": "mini", "seed": 1}, headers=admin
        )
        assert discord.status_code == 200
        await engine.drain()
        refused = await http.delete("/v1/admin/sessions/discord:9", headers=player_key)
        assert refused.status_code == 403
        gone = await http.delete("/v1/admin/sessions/web:room", headers=admin)
        assert gone.status_code == 204
        assert (await http.get(ROOM, headers=admin)).status_code == 404
        assert not folder.exists()
        again = await http.delete("/v1/admin/sessions/web:room", headers=admin)
        assert again.status_code == 404


async def test_finding_7_new_sessions_per_key_are_rate_limited(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, new_sessions_per_hour=2)
    engine = api_engine(tmp_path, settings)
    app = create_app(settings, engine, now=FrozenMonotonic())
    boot = {"cartridge": "mini", "seed": 1}
    async with client_for(app) as http:
        site, admin = bearer(WEB_KEY), bearer(ADMIN_KEY)
        for room in ("web:a", "web:b"):
            assert (await http.put(f"/v1/sessions/{room}", json=boot, headers=site)).is_success
            await engine.drain()
        swap = await http.put("/v1/sessions/web:a", json={**boot, "swap": True}, headers=site)
        assert swap.status_code == 200  # booting an existing session creates nothing
        await engine.drain()
        third = await http.put("/v1/sessions/web:c", json=boot, headers=site)
        assert third.status_code == 429
        assert third.headers["retry-after"] == "1800"
        assert "new sessions" in third.json()["detail"]
        other_key = await http.put("/v1/sessions/web:c", json=boot, headers=admin)
        assert other_key.status_code == 200
        await engine.drain()
