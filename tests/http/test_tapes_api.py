"""Replay tapes over HTTP: 201 then 200 for one tape, the bytes streamed with their type
and length, problem answers (404, 422) that write nothing, the ``tape_ready`` event on
the SSE stream, and the routes as the OpenAPI document describes them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from glitchcart.client.models import TAPE_NAME_PATTERN, TapeOut
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.http import create_app
from glitchcart.service.engine import Engine
from support.api import ADMIN_KEY, DISCORD_KEY, api_engine, api_settings, bearer
from support.servers import serving
from support.tapes import add_tapes, tape_folder

OPS = bearer(ADMIN_KEY)
ROOM, OTHER = "web:room", "web:other"
S = f"/v1/sessions/{ROOM}"
UNKNOWN = "g1-tape-00000-00003-0123456789.gif"


@asynccontextmanager
async def api(
    tmp_path: Path, *, tapes: bool = True, **changes: Any
) -> AsyncIterator[tuple[Engine, httpx.AsyncClient]]:
    """The app over an engine with ``web:room`` three turns in and ``web:other`` booted."""
    settings = api_settings(tmp_path, player_rate=1e6, player_burst=10**6, **changes)
    engine = api_engine(tmp_path, settings)
    if tapes:
        add_tapes(engine)
    await engine.boot(SessionKey.parse(ROOM), "mini", seed=1)
    await engine.boot(SessionKey.parse(OTHER), "mini", seed=2)
    for _ in range(3):
        await engine.choose(SessionKey.parse(ROOM), 1)
    transport = httpx.ASGITransport(app=create_app(settings, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        yield engine, http
    await engine.drain()


def problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["code"] == code and body["status"] == status
    return body


async def test_one_tape_is_built_once_and_served_with_its_type(tmp_path: Path) -> None:
    async with api(tmp_path) as (engine, http):
        made = await http.post(f"{S}/tapes", json={}, headers=OPS)
        assert made.status_code == 201 and made.headers["content-type"] == "application/json"
        gif = TapeOut.model_validate(made.json())
        assert (gif.first, gif.last, gif.turns, gif.format, gif.built) == (0, 3, 4, "gif", True)
        assert made.headers["location"] == gif.url == f"{S}/tapes/{gif.ref.name}"
        again = await http.post(f"{S}/tapes", json={"format": "gif"}, headers=OPS)
        assert again.status_code == 200 and again.json() == {**made.json(), "built": False}
        body = {"format": "mp4", "first": 1, "last": 2}
        mp4 = TapeOut.model_validate((await http.post(f"{S}/tapes", json=body, headers=OPS)).json())
        assert (mp4.first, mp4.last, mp4.turns) == (1, 2, 2)

        assert engine.tapes is not None
        folder = tape_folder(engine.tapes, ROOM)
        for tape, kind in ((gif, "image/gif"), (mp4, "video/mp4")):
            answer = await http.get(tape.url, headers=OPS)
            assert answer.status_code == 200 and answer.headers["content-type"] == kind
            assert int(answer.headers["content-length"]) == tape.size == len(answer.content)
            assert answer.headers["content-disposition"] == f'inline; filename="{tape.ref.name}"'
            assert answer.content == (folder / tape.ref.name).read_bytes()
        listed = (await http.get(f"{S}/tapes", headers=OPS)).json()
        assert [x["ref"]["name"] for x in listed] == sorted(p.name for p in folder.iterdir())
        assert {x["ref"]["name"]: x["built"] for x in listed} == {
            gif.ref.name: False,
            mp4.ref.name: False,
        }


async def test_unknown_and_foreign_tapes_are_not_found(tmp_path: Path) -> None:
    async with api(tmp_path) as (_, http):
        problem(await http.get(f"{S}/tapes/{UNKNOWN}", headers=OPS), 404, "MediaNotFound")
        name = (await http.post(f"{S}/tapes", json={}, headers=OPS)).json()["ref"]["name"]
        assert (await http.get(f"{S}/tapes/{name}", headers=OPS)).status_code == 200
        foreign = await http.get(f"/v1/sessions/{OTHER}/tapes/{name}", headers=OPS)
        problem(foreign, 404, "MediaNotFound")
        assert (await http.get(f"/v1/sessions/{OTHER}/tapes", headers=OPS)).json() == []
        nobody = "/v1/sessions/web:nobody/tapes"
        problem(await http.get(nobody, headers=OPS), 404, "SessionNotFound")
        problem(await http.post(nobody, json={}, headers=OPS), 404, "SessionNotFound")
        other_namespace = await http.get(f"{S}/tapes", headers=bearer(DISCORD_KEY))
        problem(other_namespace, 403, "Forbidden")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"format": "webm"}, "format"),
        ({"first": "1"}, "first"),
        ({"first": -1}, "first"),
        ({"first": 1.5}, "first"),
        ({"last": 10**9}, "last"),
        ({"turns": "1-2"}, "turns"),
        ([], ""),
    ],
)
async def test_bad_bodies_are_422_and_write_nothing(tmp_path: Path, body: Any, where: str) -> None:
    async with api(tmp_path) as (engine, http):
        answer = await http.post(f"{S}/tapes", json=body, headers=OPS)
        found = problem(answer, 422, "InvalidInput")
        assert where in found["detail"]
        assert engine.tapes is not None and not tape_folder(engine.tapes, ROOM).exists()


async def test_ranges_without_turns_and_names_of_no_tape_are_422(tmp_path: Path) -> None:
    async with api(tmp_path) as (engine, http):
        backwards = await http.post(f"{S}/tapes", json={"first": 3, "last": 1}, headers=OPS)
        assert "forwards" in problem(backwards, 422, "InvalidInput")["detail"]
        past = await http.post(f"{S}/tapes", json={"first": 20, "last": 30}, headers=OPS)
        assert "no committed turns" in problem(past, 422, "InvalidInput")["detail"]
        for name in ("x.gif", "g1-00000.png", "g1-tape-0-3-0123456789.gif", "g1-tape.webm"):
            problem(await http.get(f"{S}/tapes/{name}", headers=OPS), 422, "InvalidInput")
        assert engine.tapes is not None and not tape_folder(engine.tapes, ROOM).exists()


async def test_with_tapes_turned_off_every_tape_route_is_not_found(tmp_path: Path) -> None:
    async with api(tmp_path, tapes=False) as (_, http):
        for answer in (
            await http.post(f"{S}/tapes", json={}, headers=OPS),
            await http.get(f"{S}/tapes", headers=OPS),
            await http.get(f"{S}/tapes/{UNKNOWN}", headers=OPS),
        ):
            assert "turned off" in problem(answer, 404, "NotFound")["detail"]


async def test_a_tape_built_on_demand_is_announced_on_the_event_stream(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, sse_keepalive=0.05)
    engine = api_engine(tmp_path, settings)
    add_tapes(engine)
    await engine.boot(SessionKey.parse(ROOM), "mini", seed=1)
    await engine.choose(SessionKey.parse(ROOM), 2)
    async with serving(create_app(settings, engine)) as base, httpx.AsyncClient() as http:

        async def ready() -> dict[str, Any]:
            headers = {**OPS, "Accept": "text/event-stream"}
            async with http.stream("GET", f"{base}{S}/events?after=0", headers=headers) as s:
                async for line in s.aiter_lines():
                    if line.startswith("data:") and '"tape_ready"' in line:
                        found: dict[str, Any] = json.loads(line.partition(": ")[2])
                        return found
            raise AssertionError("the stream ended without a tape_ready event")

        waiting = asyncio.create_task(ready())
        made = (await http.post(f"{base}{S}/tapes", json={}, headers=OPS)).json()
        event = await asyncio.wait_for(waiting, 10)
        assert event["kind"] == "tape_ready" and event["session"] == ROOM
        assert event["data"]["ref"] == made["ref"] and event["data"]["size"] == made["size"]
        data = (await http.get(f"{base}{made['url']}", headers=OPS)).content
        assert len(data) == made["size"] and data.startswith(b"GIF89a")
    await engine.drain()


async def test_the_openapi_document_describes_the_tape_routes(tmp_path: Path) -> None:
    async with api(tmp_path) as (_, http):
        schema = (await http.get("/openapi.json")).json()
    paths = schema["paths"]
    build = paths["/v1/sessions/{key}/tapes"]["post"]
    assert {"200", "201", "404", "409", "413", "422", "502"} <= set(build["responses"])
    assert build["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TapeRequest"
    }
    listing = paths["/v1/sessions/{key}/tapes"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/TapeOut"
    }
    fetch = paths["/v1/sessions/{key}/tapes/{name}"]["get"]
    assert set(fetch["responses"]["200"]["content"]) == {"image/gif", "video/mp4"}
    assert fetch["responses"]["404"]["content"]["application/problem+json"]
    [name] = [p for p in fetch["parameters"] if p["name"] == "name"]
    assert name["schema"]["pattern"] == TAPE_NAME_PATTERN
    for operation in (build, paths["/v1/sessions/{key}/tapes"]["get"], fetch):
        assert operation["security"] == [{"ApiKey": []}, {"PlayerCookie": []}]
        assert operation["tags"] == ["tapes"]
    components = schema["components"]["schemas"]
    assert components["TapeRequest"]["properties"]["format"]["enum"] == ["gif", "mp4"]
    assert set(components["TapeOut"]["required"]) >= {"ref", "url", "size", "content_type"}
    assert "tape_ready" in components["EventOut"]["description"]


# ---------------------------------------------------------------- limits (issue 11, finding 7)


async def test_a_session_keeps_its_newest_tapes_per_session(tmp_path: Path) -> None:
    async with api(tmp_path, tapes_per_session=2) as (engine, http):
        frames = await engine.media.list(SessionKey.parse(ROOM), "frame")
        urls = []
        for first, last in ((0, 1), (0, 2), (1, 3), (2, 3)):  # each range a new file
            made = await http.post(f"{S}/tapes", json={"first": first, "last": last}, headers=OPS)
            assert made.status_code == 201, made.text
            urls.append(made.headers["location"])
        listed = [
            TapeOut.model_validate(t).url
            for t in (await http.get(f"{S}/tapes", headers=OPS)).json()
        ]
        assert sorted(listed) == sorted(urls[-2:])
        for gone in urls[:2]:  # the oldest were removed; built again on request
            problem(await http.get(gone, headers=OPS), 404, "MediaNotFound")
        assert await engine.media.list(SessionKey.parse(ROOM), "frame") == frames


async def test_a_session_whose_media_is_full_gets_no_new_tape(tmp_path: Path) -> None:
    async with api(tmp_path, media_bytes_per_session=1024 * 1024) as (engine, http):
        kept = await http.post(f"{S}/tapes", json={}, headers=OPS)
        assert kept.status_code == 201
        room = SessionKey.parse(ROOM)
        await engine.media.put(MediaRef(room, "frame", "filler.png"), bytes(1024 * 1024))
        refused = problem(
            await http.post(f"{S}/tapes", json={"first": 1}, headers=OPS), 429, "LimitExceeded"
        )
        assert "limit" in refused["detail"] and "MiB" in refused["detail"]
        assert len(await engine.media.list(room, "tape")) == 1
        again = await http.post(f"{S}/tapes", json={}, headers=OPS)  # made before: still served
        assert again.status_code == 200
        other = await http.post(f"/v1/sessions/{OTHER}/tapes", json={}, headers=OPS)
        assert other.status_code == 201  # the limit is per session


async def test_a_build_with_no_body_makes_the_whole_run_as_gif(tmp_path: Path) -> None:
    """Issue 12 item 10: every field is optional, so the body is too."""
    async with api(tmp_path) as (_, http):
        made = await http.post(f"{S}/tapes", headers=OPS)
        assert made.status_code == 201, made.text
        assert made.json()["format"] == "gif" and made.json()["first"] == 0
        spec = (await http.get("/openapi.json")).json()
        body = spec["paths"]["/v1/sessions/{key}/tapes"]["post"]["requestBody"]
        assert body.get("required", False) is False
