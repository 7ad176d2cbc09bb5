"""Issue 11, findings 1, 2, 3 and 8: who acts is proven, browsers can't drive the API,
a vote lands only on the turn it was cast for, and names are checked.

Each test reproduces a finding as it was reported (it failed before the fix)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from glitchcart.adapters.credentials.memory import MemoryRevocations
from glitchcart.http import create_app
from glitchcart.http.credentials import COOKIE, Credentials
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings
from support.api import ADMIN_KEY, DISCORD_KEY, WEB_KEY, api_engine, api_settings, bearer

S = "/v1/sessions/web:1"
OPS = bearer(ADMIN_KEY)
EVIL = "https://evil.example"


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def served(
    tmp_path: Path, settings: Settings | None = None, host: str = "localhost"
) -> AsyncIterator[tuple[httpx.AsyncClient, Credentials, WallClock, Engine]]:
    settings = settings or api_settings(tmp_path, player_rate=1e6, player_burst=10**6)
    engine = api_engine(tmp_path, settings)
    clock = WallClock()
    credentials = Credentials("s" * 40, MemoryRevocations(), clock, 3600.0)
    app = create_app(settings, engine, credentials=credentials)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as http:
        booted = await http.put(S, json={"cartridge": "mini", "seed": 1}, headers=OPS)
        assert booted.status_code == 200, booted.text
        await engine.drain()
        yield http, credentials, clock, engine


def player(credentials: Credentials, who: str, namespace: str = "web") -> dict[str, str]:
    return bearer(credentials.issue(namespace, who)[0])


async def view(http: httpx.AsyncClient) -> dict[str, Any]:
    found: dict[str, Any] = (await http.get(S, headers=OPS)).json()
    return found


# ---------------------------------------------------------------- finding 1


async def test_finding_1_a_page_of_another_site_cannot_reset_a_keyless_server(
    tmp_path: Path,
) -> None:
    async with served(tmp_path, Settings(home=tmp_path)) as (http, _, _, _):
        before = (await http.get(S)).json()["game_id"]
        form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": EVIL}
        refused = await http.post(f"{S}/reset", content=b"", headers=form)
        assert refused.status_code == 403, refused.text
        no_origin_form = await http.post(
            f"{S}/reset", content=b"a=1", headers={"Content-Type": "text/plain"}
        )
        assert no_origin_form.status_code == 415
        cross_site = await http.post(
            f"{S}/reset", json={}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert cross_site.status_code == 403
        assert (await http.get(S)).json()["game_id"] == before  # nothing changed
        same_origin = await http.post(
            f"{S}/reset",
            json={},
            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        )
        assert same_origin.status_code == 200, same_origin.text


async def test_finding_1_a_rebound_host_name_is_refused(tmp_path: Path) -> None:
    async with served(tmp_path, Settings(home=tmp_path)) as (http, _, _, _):
        for host in ("evil.example:8000", "127.evil.example", "localhost.evil.example"):
            answer = await http.get(S, headers={"Host": host})
            assert answer.status_code == 403, host
            assert "GLITCHCART_PUBLIC_HOST" in answer.json()["detail"]
        for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "app.localhost"):
            assert (await http.get(S, headers={"Host": host})).status_code == 200, host
        assert (await http.get("/healthz", headers={"Host": "10.0.0.5"})).status_code == 200
        assert (
            await http.get("/openapi.json", headers={"Host": "evil.example"})
        ).status_code == 403


async def test_finding_1_the_public_host_and_configured_origins_are_served(
    tmp_path: Path,
) -> None:
    settings = Settings(
        home=tmp_path, public_host="game.example.org", cors_origins=["https://site.example"]
    )
    async with served(tmp_path, settings) as (http, _, _, _):
        assert (await http.get(S, headers={"Host": "game.example.org"})).status_code == 200
        preflight = await http.options(
            f"{S}/reset",
            headers={"Origin": "https://site.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://site.example"
        allowed = await http.post(f"{S}/reset", json={}, headers={"Origin": "https://site.example"})
        assert allowed.status_code == 200
        assert (await http.post(f"{S}/reset", json={}, headers={"Origin": EVIL})).status_code == 403


async def test_finding_1_cors_is_closed_unless_configured(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, _, _, _):
        preflight = await http.options(
            f"{S}/reset", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers
        answer = await http.get(S, headers={**OPS, "Origin": EVIL})
        assert "access-control-allow-origin" not in answer.headers
        assert answer.headers["x-content-type-options"] == "nosniff"


async def test_finding_1_with_keys_cookie_requests_get_the_browser_checks(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, credentials, _, _):
        token = credentials.issue("web", "alice")[0]
        jar = {"Cookie": f"{COOKIE}={token}"}
        join = {"player": "alice"}
        refused = await http.post(f"{S}/players", json=join, headers={**jar, "Origin": EVIL})
        assert refused.status_code == 403
        rebound = await http.post(
            f"{S}/players", json=join, headers={**jar, "Host": "evil.example"}
        )
        assert rebound.status_code == 403
        assert (await http.post(f"{S}/players", json=join, headers=jar)).status_code == 204
        # a key is not something a page of another site holds: its requests pass
        keyed = await http.post(
            f"{S}/players", json={"player": "bo"}, headers={**OPS, "Origin": EVIL}
        )
        assert keyed.status_code == 204


# ---------------------------------------------------------------- finding 2


async def test_finding_2_a_player_credential_acts_only_as_its_player(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, credentials, _, _):
        alice, bob = player(credentials, "alice"), player(credentials, "bob")
        await http.post(f"{S}/players", json={}, headers=bob)  # two seats: the window stays open
        as_bob = await http.post(
            f"{S}/votes", json={"player": "bob", "choice": 1, "turn": 1}, headers=alice
        )
        assert as_bob.status_code == 403 and "can't act as 'bob'" in as_bob.json()["detail"]
        own = await http.post(f"{S}/votes", json={"choice": 2, "turn": 1}, headers=alice)
        assert own.status_code == 200 and own.json()["player"] == "alice"
        assert [v["player"] for v in (await view(http))["window"]["votes"]] == ["alice"]
        other_room = await http.get("/v1/sessions/discord:1", headers=alice)
        assert other_room.status_code == 403


async def test_finding_2_credentials_are_checked_signed_unexpired_unrevoked(
    tmp_path: Path,
) -> None:
    async with served(tmp_path) as (http, credentials, clock, _):
        token = credentials.issue("web", "alice")[0]
        assert (await http.get(S, headers=bearer(token))).status_code == 200
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert (await http.get(S, headers=bearer(forged))).status_code == 401
        other_secret = Credentials("t" * 40, MemoryRevocations(), clock, 60.0)
        assert (await http.get(S, headers=player(other_secret, "alice"))).status_code == 401
        revoke = await http.delete("/v1/credentials/web/alice", headers=bearer(WEB_KEY))
        assert revoke.status_code == 204
        assert (await http.get(S, headers=bearer(token))).status_code == 401
        clock.now += 1
        fresh = credentials.issue("web", "alice")[0]
        assert (await http.get(S, headers=bearer(fresh))).status_code == 200
        clock.now += 3601
        expired = await http.get(S, headers=bearer(fresh))
        assert expired.status_code == 401 and "expired" in expired.json()["detail"]


async def test_finding_2_credentials_are_issued_by_keys_of_the_namespace(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, _credentials, _, _):
        ask = {"namespace": "web", "player": "alice"}
        assert (
            await http.post("/v1/credentials", json=ask, headers=bearer(DISCORD_KEY))
        ).status_code == 403
        issued = await http.post("/v1/credentials", json=ask, headers=bearer(WEB_KEY))
        assert issued.status_code == 201 and issued.json()["player"] == "alice"
        token = issued.json()["token"]
        assert (
            await http.post("/v1/credentials", json=ask, headers=bearer(token))
        ).status_code == 403
        cookie = await http.put("/v1/credentials/cookie", headers=bearer(token))
        assert cookie.status_code == 204
        set_cookie = cookie.headers["set-cookie"].lower()
        assert f"{COOKIE}=" in set_cookie
        assert (
            "httponly" in set_cookie
            and "samesite=strict" in set_cookie
            and "path=/v1/" in set_cookie
        )
        http.cookies.set(COOKIE, token, domain="localhost.local")
        joined = await http.post(f"{S}/players", json={}, headers={"Cookie": f"{COOKIE}={token}"})
        assert joined.status_code == 204
        assert [p["id"] for p in (await view(http))["roster"]] == ["alice"]


async def test_finding_2_the_crown_guards_reset_turns_regenerate_and_options(
    tmp_path: Path,
) -> None:
    async with served(tmp_path) as (http, credentials, _, _):
        alice, bob = player(credentials, "alice"), player(credentials, "bob")
        await http.post(f"{S}/players", json={}, headers=bob)
        assert (await http.post(f"{S}/crown/take", json={}, headers=alice)).status_code == 204
        for method, path, body in (
            ("POST", "/reset", {}),
            ("POST", "/turns", {"choice": 1}),
            ("POST", "/regenerate", {}),
            ("PATCH", "/options", {"flipbook": True}),
            ("PUT", "/mode", {"mode": "anarchy"}),
        ):
            refused = await http.request(method, f"{S}{path}", json=body, headers=bob)
            assert refused.status_code == 403, (path, refused.text)
            assert "held by 'alice'" in refused.json()["detail"]
        assert (await http.post(f"{S}/regenerate", json={}, headers=alice)).status_code == 200
        tick = await http.post(f"{S}/tick", headers=alice)  # time is not a player's to move
        assert tick.status_code == 403 and "time" in tick.json()["detail"]


async def test_finding_2_regenerate_never_drops_counted_votes(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, credentials, _, _):
        alice, bob = player(credentials, "alice"), player(credentials, "bob")
        await http.post(f"{S}/players", json={}, headers=bob)
        voted = await http.post(f"{S}/votes", json={"choice": 1, "turn": 1}, headers=alice)
        assert voted.status_code == 200 and not voted.json()["closed"]
        regen = await http.post(f"{S}/regenerate", json={}, headers=bob)
        assert regen.status_code == 409 and "void them" in regen.json()["detail"]
        assert [v["player"] for v in (await view(http))["window"]["votes"]] == ["alice"]


async def test_finding_2_nobody_spends_another_callers_player_budget(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, player_rate=0.001, player_burst=6)
    async with served(tmp_path, settings) as (http, credentials, _, _):
        for _ in range(6):  # "alice", named by the site's key (or by another player: 403)
            await http.post(f"{S}/players", json={"player": "alice"}, headers=bearer(WEB_KEY))
        spent = await http.post(f"{S}/players", json={"player": "alice"}, headers=bearer(WEB_KEY))
        assert spent.status_code == 429
        own = await http.post(
            f"{S}/votes", json={"choice": 1, "turn": 1}, headers=player(credentials, "alice")
        )
        assert own.status_code == 200, own.text


# ---------------------------------------------------------------- finding 3


async def test_finding_3_a_late_vote_is_refused_with_the_open_turn(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, credentials, _, engine):
        alice = player(credentials, "alice")
        first = await http.post(f"{S}/votes", json={"choice": 1, "turn": 1}, headers=alice)
        assert first.json()["closed"]  # the only player: the window closed on it
        await engine.drain()
        late = await http.post(f"{S}/votes", json={"choice": 2, "turn": 1}, headers=alice)
        assert late.status_code == 409 and late.json()["code"] == "WrongTurn"
        assert late.json()["turn"] == 2 == (await view(http))["voting_on"]
        assert (await view(http))["window"] is None  # nothing landed on turn 2
        missing = await http.post(f"{S}/votes", json={"choice": 2}, headers=alice)
        assert missing.status_code == 422  # a vote names its turn


async def test_finding_3_votes_of_an_ended_game_never_land_in_the_next(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, credentials, _, engine):
        alice = player(credentials, "alice")
        old = (await view(http))["game_id"]
        assert (await http.post(f"{S}/reset", json={}, headers=OPS)).status_code == 200
        await engine.drain()
        now = await view(http)
        assert now["voting_on"] == 1 and now["game_id"] != old
        stale = await http.post(
            f"{S}/votes", json={"choice": 1, "turn": 1, "game_id": old}, headers=alice
        )
        assert stale.status_code == 409 and stale.json()["game_id"] == now["game_id"]
        assert (await view(http))["window"] is None


# ---------------------------------------------------------------- finding 8


async def test_finding_8_names_and_ids_are_checked_at_the_edge(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, _, _, _):
        join = f"{S}/players"
        for bad in (".", "..", ".env", "-rf"):
            assert (await http.post(join, json={"player": bad}, headers=OPS)).status_code == 422
        for name in ("evil\u202egnp.exe", "bell\x07", "x" * 41):
            answer = await http.post(join, json={"player": "eve", "name": name}, headers=OPS)
            assert answer.status_code == 422, name
        assert (await http.post(join, json={"player": "alice"}, headers=OPS)).status_code == 204
        twin = await http.post(join, json={"player": "ALICE"}, headers=OPS)
        assert twin.status_code == 409 and "taken" in twin.json()["detail"]
        hostile = "<img src=x onerror=alert(1)>"
        assert (
            await http.post(join, json={"player": "mal", "name": hostile}, headers=OPS)
        ).status_code == 204
        roster = (await view(http))["roster"]
        assert [p["id"] for p in roster] == ["alice", "mal"] and roster[1]["name"] == hostile
        shown = await http.get(S, headers=OPS)
        assert shown.headers["content-type"] == "application/json"  # never sniffed as HTML


async def test_finding_8_reserved_words_are_not_player_ids(tmp_path: Path) -> None:
    async with served(tmp_path) as (http, _, _, _):
        for word in ("null", "NULL", "Undefined", "none", "NaN"):
            joined = await http.post(f"{S}/players", json={"player": word}, headers=OPS)
            assert joined.status_code == 422 and "reserved" in joined.text, word
            issued = await http.post(
                "/v1/credentials", json={"namespace": "web", "player": word}, headers=OPS
            )
            assert issued.status_code == 422 and "reserved" in issued.text, word
            revoked = await http.delete(f"/v1/credentials/web/{word}", headers=OPS)
            assert revoked.status_code == 422, word
        assert (await view(http))["roster"] == []
