"""Sessions: boot, look, exit, reset, regenerate, join; history and export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from glitchcart.client.models import (
    BootRequest,
    GameRef,
    HistoryPage,
    JoinRequest,
    PlayerRequest,
    SessionExport,
    SessionView,
    Turn,
)
from glitchcart.http.deps import Admin, Key, Parts, Service
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["sessions"])


def etag(version: int) -> str:
    return f'"{version}"'


@router.put("", response_model=Turn, responses=documented(404, 409, 413))
async def boot(key: Key, body: BootRequest, service: Service) -> Turn:
    """Boot a cartridge as a new game and return its prologue. 409 while a game runs,
    unless ``swap`` asks to save it and take its place (the roster stays)."""
    return await service.boot(key, body)


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
    service: Service,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> SessionView | Response:
    """The session now: state, choices, vote window, roster, crown. ``version`` is the ETag."""
    view = await service.snapshot(key)
    tag = etag(view.version)
    if if_none_match is not None and tag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return view


@router.delete("", response_model=GameRef, responses=documented(404, 409))
async def exit_game(key: Key, service: Service, _: Admin) -> GameRef:
    """Save and eject the running game (it stays in the saved games). Admin keys only."""
    return await service.exit(key)


@router.post("/reset", response_model=Turn, responses=documented(404, 409, 413))
async def reset(
    key: Key, service: Service, parts: Parts, body: PlayerRequest | None = None
) -> Turn:
    """Start the cartridge over as a new game."""
    body = body or PlayerRequest()
    parts.gatekeeper.player(key, body.player)
    return await service.reset(key, body)


@router.post("/regenerate", response_model=SessionView, responses=documented(404, 409))
async def regenerate(key: Key, service: Service) -> SessionView:
    """New choices for the same state."""
    return await service.regenerate(key)


@router.post("/players", status_code=204, response_class=Response, responses=documented(404, 413))
async def join(key: Key, body: JoinRequest, service: Service, parts: Parts) -> Response:
    """Seat a player without a vote (a first vote seats them too)."""
    parts.gatekeeper.player(key, body.player)
    await service.join(key, body)
    return Response(status_code=204)


@router.get("/history", response_model=HistoryPage, responses=documented(404))
async def history(
    key: Key,
    service: Service,
    start: Annotated[int, Query(ge=0, le=10**9, description="first turn")] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HistoryPage:
    """Turns of the running game, a page at a time."""
    return await service.history(key, start, limit)


@router.get("/export", response_model=SessionExport, responses=documented(404))
async def export(key: Key, service: Service) -> SessionExport:
    """The session and the whole history of its running game."""
    return await service.export(key)
