"""The crown: take, pass, drop, grant (admin), twist, veto, force; and the voting mode."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from glitchcart.client.models import (
    ForceRequest,
    GrantCrown,
    HolderRequest,
    JoinRequest,
    ModeRequest,
    PassCrown,
    TwistRequest,
    VetoRequest,
    VoteReceiptOut,
)
from glitchcart.http.answers import answer
from glitchcart.http.deps import Admin, Caller, Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["crown"])
DONE = {"status_code": 204, "response_class": Response, "responses": documented(404, 409, 413)}


@router.post("/crown/take", **DONE)  # type: ignore[arg-type]
async def take(key: Key, body: JoinRequest, api: Parts, caller: Caller) -> Response:
    """Take a free crown, if the session lets players take it."""
    body = api.acting(caller, key, body)
    await api.service.take_crown(key, body)
    return Response(status_code=204)


@router.post("/crown/pass", **DONE)  # type: ignore[arg-type]
async def pass_(key: Key, body: PassCrown, api: Parts, caller: Caller) -> Response:
    """The holder passes the crown to another player of the session."""
    body = api.acting(caller, key, body, "holder")
    await api.service.pass_crown(key, body)
    return Response(status_code=204)


@router.post("/crown/drop", **DONE)  # type: ignore[arg-type]
async def drop(key: Key, body: HolderRequest, api: Parts, caller: Caller) -> Response:
    """The holder gives the crown up."""
    body = api.acting(caller, key, body, "holder")
    await api.service.drop_crown(key, body)
    return Response(status_code=204)


@router.put("/crown", **DONE)  # type: ignore[arg-type]
async def grant(key: Key, body: GrantCrown, api: Parts, _: Admin) -> Response:
    """Set the holder (or none) and whether a free crown may be taken. Admin keys only."""
    await api.service.grant_crown(key, body)
    return Response(status_code=204)


@router.post("/crown/twist", **DONE)  # type: ignore[arg-type]
async def twist(key: Key, body: TwistRequest, api: Parts, caller: Caller) -> Response:
    """A line the narrator must weave into the next consequence."""
    body = api.acting(caller, key, body, "holder")
    await api.service.twist(key, body)
    return Response(status_code=204)


@router.post("/crown/veto", **DONE)  # type: ignore[arg-type]
async def veto(key: Key, body: VetoRequest, api: Parts, caller: Caller) -> Response:
    """Strike a listed choice for this turn; votes for it are discarded."""
    body = api.acting(caller, key, body, "holder")
    await api.service.veto(key, body)
    return Response(status_code=204)


@router.post("/crown/force", response_model=VoteReceiptOut, responses=documented(404, 409, 413))
async def force(
    key: Key, body: Annotated[ForceRequest, Body()], api: Parts, caller: Caller
) -> Response:
    """The holder closes the window now with its own pick."""
    body = api.acting(caller, key, body, "holder")
    return answer(await api.service.force(key, body))


@router.put("/mode", **DONE)  # type: ignore[arg-type]
async def set_mode(key: Key, body: ModeRequest, api: Parts, caller: Caller) -> Response:
    """Change the voting mode; with a crown held, only its holder may."""
    body = api.acting(caller, key, body, required=False)
    await api.service.set_mode(key, body)
    return Response(status_code=204)
