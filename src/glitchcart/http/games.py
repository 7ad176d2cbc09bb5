"""Saved games: list (those of the caller's namespaces), load into a session, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from glitchcart.client.inprocess import InProcessTransport
from glitchcart.client.models import GAME_ID_PATTERN, GameInfo, GameRef, LoadRequest
from glitchcart.core.keys import SessionKey
from glitchcart.errors import GameNotFound
from glitchcart.http.access import Principal
from glitchcart.http.answers import answer
from glitchcart.http.deps import Admin, Caller, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/games", tags=["games"])
GameId = Annotated[str, Path(json_schema_extra={"pattern": GAME_ID_PATTERN})]


async def visible(service: InProcessTransport, caller: Principal) -> list[GameInfo]:
    return [
        g for g in await service.games() if caller.may_touch(SessionKey.parse(g.session).namespace)
    ]


async def find(service: InProcessTransport, caller: Principal, game_id: str) -> GameInfo:
    """A game the caller may see; a game of another namespace is not found, like a missing one."""
    for game in await visible(service, caller):
        if game.game_id == game_id:
            return game
    raise GameNotFound(f"no saved game {game_id}")


@router.get("", response_model=list[GameInfo], responses=documented())
async def games(api: Parts, caller: Caller) -> Response:
    """Saved games of the caller's namespaces, most recently played first."""
    return answer(await visible(api.service, caller))


@router.post("/{game_id}/load", response_model=GameRef, responses=documented(404, 409, 413))
async def load(game_id: GameId, body: LoadRequest, api: Parts, caller: Admin) -> Response:
    """Load a saved game into a session (its pictures move with it). Admin keys only."""
    key = caller.check_session(SessionKey.parse(body.session))
    await find(api.service, caller, game_id)
    return answer(await api.service.load_game(key, game_id, body.swap))


@router.delete(
    "/{game_id}", status_code=204, response_class=Response, responses=documented(404, 409)
)
async def delete(game_id: GameId, api: Parts, caller: Admin) -> Response:
    """Delete a saved game, its history and its pictures; refused while it runs. Admin only."""
    await find(api.service, caller, game_id)
    await api.service.delete_game(game_id)
    return Response(status_code=204)
