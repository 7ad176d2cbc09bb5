"""Votes and direct turns: the moves of a turn."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from glitchcart.client.models import Turn, TurnRequest, VoteReceiptOut, VoteRequest
from glitchcart.errors import Forbidden
from glitchcart.http.answers import answer
from glitchcart.http.deps import Caller, Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["turns"])
IF_MATCH = r'^(\*|(W/)?"[0-9]{1,18}"|[0-9]{1,18})$'  # the ETag, or the bare version

IfMatch = Annotated[
    str | None,
    Header(
        pattern=IF_MATCH,
        description='the session version the move was computed from, as its ETag ("12")',
    ),
]


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match == "*":
        return None
    found = re.search(r"[0-9]+", if_match)
    assert found is not None  # the header's pattern guarantees it
    return int(found.group())


@router.post("/votes", response_model=VoteReceiptOut, responses=documented(404, 409, 413))
async def vote(
    key: Key,
    body: Annotated[VoteRequest, Body()],
    api: Parts,
    caller: Caller,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=128,
            description="a repeat with the same key and body gets the same answer, applied once",
        ),
    ] = None,
) -> Response:
    """A player's vote for a listed choice or a free action, for the turn it names
    (``voting_on`` of the session; 409 WrongTurn with the open turn otherwise). The
    first vote opens the window; it closes at its deadline, or when every active
    player has voted."""
    body = api.acting(caller, key, body)
    return answer(await api.service.vote(key, body, idempotency_key))


@router.post("/turns", response_model=Turn, responses=documented(404, 409, 412, 413))
async def turn(
    key: Key,
    body: Annotated[TurnRequest, Body()],
    api: Parts,
    caller: Caller,
    if_match: IfMatch = None,
) -> Response:
    """Resolve the turn now with this choice or action (single player; no vote). While
    a crown is held, only its holder may."""
    body = api.acting(caller, key, body, required=False)
    return answer(await api.service.turn(key, body, expected_version(if_match)))


@router.post("/tick", response_model=Turn, responses=documented(404, 409, 412))
async def tick(key: Key, api: Parts, caller: Caller, if_match: IfMatch = None) -> Response:
    """Let time pass: a short situation report and fresh choices. Keys only: time is
    the server's (or an integration's) to move, not one player's."""
    if caller.player is not None:
        raise Forbidden("a player credential can't make time pass; only keys can")
    return answer(await api.service.tick(key, expected_version(if_match)))
