"""HTTP-only promises: ETags and If-Match, Idempotency-Key, problem details that never
leak internals, server-sent events resumable with Last-Event-ID, schema and docs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.errors import StorageError
from glitchcart.http import create_app
from glitchcart.service.engine import Engine
from support.api import ADMIN_KEY, api_engine, api_settings, bearer
from support.gated import GatedStore
from support.servers import serving

OPS = bearer(ADMIN_KEY)
S = "/v1/sessions/web:room"


@asynccontextmanager
async def booted(tmp_path: Path, **parts: Any) -> AsyncIterator[tuple[Engine, httpx.AsyncClient]]:
    settings = api_settings(tmp_path, player_rate=1e6, player_burst=10**6)
    engine = api_engine(tmp_path, settings, parts.pop("store", None))
    for name, part in parts.items():
        setattr(engine, name, part)
    transport = httpx.ASGITransport(app=create_app(settings, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        answer = await http.put(S, json={"cartridge": "mini", "seed": 1}, headers=OPS)
        assert answer.status_code == 200, answer.text
        yield engine, http


async def test_etag_and_if_match(tmp_path: Path) -> None:
    async with booted(tmp_path) as (_, http):
        first = await http.get(S, headers=OPS)
        tag = first.headers["etag"]
        assert tag == f'"{first.json()["version"]}"'
        unchanged = await http.get(S, headers={**OPS, "If-None-Match": tag})
        assert unchanged.status_code == 304 and unchanged.headers["etag"] == tag
        moved = await http.post(f"{S}/turns", json={"choice": 1}, headers={**OPS, "If-Match": tag})
        assert moved.status_code == 200 and moved.json()["turn"] == 1
        stale = await http.post(f"{S}/turns", json={"choice": 1}, headers={**OPS, "If-Match": tag})
        assert stale.status_code == 412 and stale.json()["code"] == "PreconditionFailed"
        assert (await http.post(f"{S}/tick", headers={**OPS, "If-Match": tag})).status_code == 412
        fresh = (await http.get(S, headers=OPS)).headers["etag"]
        assert fresh != tag
        assert (await http.post(f"{S}/tick", headers={**OPS, "If-Match": fresh})).status_code == 200
        busy = await http.put(S, json={"cartridge": "mini"}, headers=OPS)
        assert busy.status_code == 409 and busy.json()["code"] == "Conflict"


async def test_idempotency_key_same_answer_422_on_other_body_409_in_flight(
    tmp_path: Path,
) -> None:
    store = GatedStore()
    async with booted(tmp_path, store=store) as (_, http):
        await http.post(f"{S}/players", json={"player": "bob"}, headers=OPS)
        idem = {**OPS, "Idempotency-Key": "abc-1"}
        vote = {"player": "ann", "choice": 2, "turn": 1}
        first = await http.post(f"{S}/votes", json=vote, headers=idem)
        again = await http.post(f"{S}/votes", json=vote, headers=idem)
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        assert len((await http.get(S, headers=OPS)).json()["window"]["votes"]) == 1
        other = await http.post(
            f"{S}/votes", json={"player": "ann", "choice": 3, "turn": 1}, headers=idem
        )
        assert other.status_code == 422 and other.json()["code"] == "IdempotencyMismatch"

        store.armed = True
        held = {**OPS, "Idempotency-Key": "abc-2"}
        slow = asyncio.create_task(
            http.post(f"{S}/votes", json={"player": "cy", "choice": 1, "turn": 1}, headers=held)
        )
        await store.entered.wait()
        dup = await http.post(
            f"{S}/votes", json={"player": "cy", "choice": 1, "turn": 1}, headers=held
        )
        assert dup.status_code == 409 and "in flight" in dup.json()["detail"]
        store.armed = False
        store.gate.set()
        assert (await slow).status_code == 200


class ExplodingStore(MemorySessionStore):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    async def load(self, key: SessionKey) -> Any:
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (StorageError("cannot open /srv/secret/glitchcart.db: disk I/O"), 503, "StorageError"),
        (RuntimeError("bug at /srv/secret/app.py line 3"), 500, "GlitchcartError"),
    ],
)
async def test_failures_inside_never_reach_the_answer(
    tmp_path: Path, exc: Exception, status: int, code: str
) -> None:
    settings = api_settings(tmp_path)
    engine = api_engine(tmp_path, settings)
    engine.store = ExplodingStore(exc)
    transport = httpx.ASGITransport(app=create_app(settings, engine), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        answer = await http.get(S, headers=OPS)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["code"] == code
    text = answer.text
    assert "/srv/secret" not in text and "Traceback" not in text and "line 3" not in text


async def read_events(response: httpx.Response, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line.startswith(("id:", "event:", "data:")):
            name, _, value = line.partition(": ")
            current[name] = value
        elif not line and current:
            events.append(current)
            current = {}
            if len(events) == count:
                break
    return events


async def test_server_sent_events_resume_after_last_event_id(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, player_rate=1e6, player_burst=10**6, sse_keepalive=0.05)
    engine = api_engine(tmp_path, settings)
    await engine.boot(SessionKey.parse("web:room"), "mini", seed=1)
    await engine.join(SessionKey.parse("web:room"), "bob")  # event 7; a window stays open
    async with serving(create_app(settings, engine)) as base, httpx.AsyncClient() as http:
        headers = {**OPS, "Accept": "text/event-stream"}
        async with http.stream("GET", f"{base}{S}/events?after=0", headers=headers) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            first = await read_events(stream, 5)
        # commit order (issue 12 item 15): the game is booted, then its first turn resolves
        assert [e["event"] for e in first][:2] == ["game_booted", "turn_resolving"]
        assert [int(e["id"]) for e in first] == [1, 2, 3, 4, 5]
        assert json.loads(first[0]["data"])["kind"] == "game_booted"
        resume = {**headers, "Last-Event-ID": "3"}
        async with http.stream("GET", f"{base}{S}/events", headers=resume) as stream:
            lines = []
            async for line in stream.aiter_lines():
                lines.append(line)
                if line.startswith("id: 5"):
                    break
        assert [line for line in lines if line.startswith("id:")] == ["id: 4", "id: 5"]

        async def live() -> list[dict[str, Any]]:
            async with http.stream("GET", f"{base}{S}/events?after=7", headers=headers) as s:
                return await read_events(s, 3)

        waiting = asyncio.create_task(live())
        await asyncio.sleep(0.2)  # a keep-alive comment or two go by
        await http.post(
            f"{base}{S}/votes", json={"player": "ann", "choice": 1, "turn": 1}, headers=OPS
        )
        got = await asyncio.wait_for(waiting, 10)
        # ann is seated by her first vote: others learn it (issue 12 item 15)
        assert [e["event"] for e in got] == ["player_joined", "window_opened", "vote_cast"]
        await engine.drain()


async def test_schema_and_docs_are_served(tmp_path: Path) -> None:
    async with booted(tmp_path) as (_, http):
        schema = (await http.get("/openapi.json")).json()
        assert "/v1/sessions/{key}/votes" in schema["paths"]
        assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
        docs = await http.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_options_patch_merges_and_a_flipbook_frame_is_served_as_gif(
    tmp_path: Path,
) -> None:
    async with booted(tmp_path) as (_, http):
        answer = await http.patch(f"{S}/options", json={"flipbook": True}, headers=OPS)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"providers": None, "flipbook": True, "video": None}
        answer = await http.patch(f"{S}/options", json={"video": True}, headers=OPS)
        assert answer.json() == {"providers": None, "flipbook": True, "video": True}
        answer = await http.patch(f"{S}/options", json={"flipbook": None}, headers=OPS)
        assert answer.json() == {"providers": None, "flipbook": None, "video": True}
        for bad in ({"video": "on"}, {"providers": "offline"}, {"speed": 2}, [1]):
            answer = await http.patch(f"{S}/options", json=bad, headers=OPS)
            assert answer.status_code == 422, bad
            assert answer.headers["content-type"] == "application/problem+json"
        assert (await http.get(S, headers=OPS)).json()["options"]["video"] is True
        await http.patch(f"{S}/options", json={"flipbook": True}, headers=OPS)
        turn = (await http.post(f"{S}/turns", json={"choice": 1}, headers=OPS)).json()
        name = turn["frame"]["name"]
        assert name.endswith(".gif")
        picture = await http.get(f"{S}/frames/{name}", headers=OPS)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/gif"
        schema = (await http.get("/openapi.json")).json()
        assert "patch" in schema["paths"]["/v1/sessions/{key}/options"]
