"""Sessions: boot, look, exit, reset, regenerate, join, options; history and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from glitchcart.client.models import (
    BootRequest,
    GameRef,
    HistoryPage,
    JoinRequest,
    OptionsRequest,
    PlayerRequest,
    SessionExport,
    SessionOptionsOut,
    SessionView,
    Turn,
)
from glitchcart.errors import SessionNotFound
from glitchcart.http.answers import answer
from glitchcart.http.deps import Admin, Caller, Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["sessions"])


def etag(version: int) -> str:
    return f'"{version}"'


@router.put("", response_model=Turn, responses=documented(404, 409, 413))
async def boot(key: Key, body: BootRequest, api: Parts, caller: Caller) -> Response:
    """Boot a cartridge as a new game and return its prologue. 409 while a game runs,
    unless ``swap`` asks to save it and take its place (the roster stays; with a crown
    held, only its holder may). A key may create ``new_sessions_per_hour`` sessions; a
    namespace holds a bounded number."""
    body = api.acting(caller, key, body, required=False)
    try:
        await api.service.snapshot(key)
    except SessionNotFound:
        api.creations.take(caller.name, what="new sessions by this API key")
    return answer(await api.service.boot(key, body))


@router.get(
    "",
    response_model=SessionView,
    responses={
        200: {"headers": {"ETag": {"schema": {"type": "string"}, "required": True}}},
        304: {"description": "Not Modified"},
        **documented(404),
    },
)
async def snapshot(
    key: Key,
    api: Parts,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The session now: state, choices, vote window, roster, crown. ``version`` is the ETag."""
    view = await api.service.snapshot(key)
    tag = etag(view.version)
    if if_none_match is not None and tag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": tag})
    return answer(view, headers={"ETag": tag})


@router.delete("", response_model=GameRef, responses=documented(404, 409))
async def exit_game(key: Key, api: Parts, _: Admin) -> Response:
    """Save and eject the running game (it stays in the saved games). Admin keys only."""
    return answer(await api.service.exit(key))


admin_router = APIRouter(prefix="/v1/admin/sessions/{key}", tags=["sessions"])


@admin_router.delete("", status_code=204, response_class=Response, responses=documented(404))
async def delete_session(key: Key, api: Parts, _: Admin) -> Response:
    """Delete the session for good: its record, history, saved games, media and events
    (``DELETE /v1/sessions/{key}`` only ejects the game). Admin keys only."""
    await api.service.delete_session(key)
    return Response(status_code=204)


@router.post("/reset", response_model=Turn, responses=documented(404, 409, 413))
async def reset(
    key: Key, api: Parts, caller: Caller, body: PlayerRequest | None = None
) -> Response:
    """Start the cartridge over as a new game. While a crown is held, only its holder may."""
    body = api.acting(caller, key, body or PlayerRequest(), required=False)
    return answer(await api.service.reset(key, body))


@router.post("/regenerate", response_model=SessionView, responses=documented(404, 409))
async def regenerate(
    key: Key, api: Parts, caller: Caller, body: PlayerRequest | None = None
) -> Response:
    """New choices for the same state. While a crown is held, only its holder may;
    while the open window holds votes, 409 (new choices would void them)."""
    body = api.acting(caller, key, body or PlayerRequest(), required=False)
    return answer(await api.service.regenerate(key, body))


@router.post("/players", status_code=204, response_class=Response, responses=documented(404, 413))
async def join(key: Key, body: JoinRequest, api: Parts, caller: Caller) -> Response:
    """Seat a player without a vote (a first vote seats them too)."""
    body = api.acting(caller, key, body)
    await api.service.join(key, body)
    return Response(status_code=204)


@router.patch("/options", response_model=SessionOptionsOut, responses=documented(403, 404, 413))
async def configure(key: Key, body: OptionsRequest, api: Parts, caller: Caller) -> Response:
    """Change the session's own options (its model providers, flipbook and video modes)
    as a JSON merge patch: a field left out stays, ``null`` hands it back to the server's
    default. A session must exist (boot one with ``options`` to choose before its first
    prologue). With a crown held, only its holder may."""
    body = api.acting(caller, key, body, required=False)
    return answer(await api.service.configure(key, body))


@router.get("/history", response_model=HistoryPage, responses=documented(404))
async def history(
    key: Key,
    api: Parts,
    start: Annotated[int, Query(ge=0, le=10**9, description="first turn")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Turns of the running game, a page at a time."""
    return answer(await api.service.history(key, start, limit))


@router.get("/export", response_model=SessionExport, responses=documented(404))
async def export(key: Key, api: Parts) -> Response:
    """The session and the whole history of its running game."""
    return answer(await api.service.export(key))
