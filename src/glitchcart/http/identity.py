"""Player credentials over HTTP: issue, trade for the web page's cookie, revoke.

>>> POST /v1/credentials {"namespace": "web", "player": "alice"}   (a key of ``web``)
... {"token": "gcp....", "namespace": "web", "player": "alice", ...}
>>> PUT /v1/credentials/cookie   (Authorization: Bearer gcp....)  -> Set-Cookie
>>> DELETE /v1/credentials/web/alice                             -> every one revoked

The cookie is httpOnly (a page's scripts can't read it), SameSite=Strict (a page of
another site can't send it), scoped to ``/v1/``, and Secure over HTTPS.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from glitchcart.client.models import (
    NAMESPACE_PATTERN,
    NOT_RESERVED,
    PLAYER_DESCRIPTION,
    PLAYER_PATTERN,
    CredentialOut,
)
from glitchcart.client.models import CredentialRequest as CredentialBody
from glitchcart.errors import Forbidden
from glitchcart.http.access import PUBLIC_PREFIX, Principal
from glitchcart.http.answers import answer
from glitchcart.http.credentials import COOKIE
from glitchcart.http.deps import Caller, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/credentials", tags=["credentials"])
Namespace = Annotated[str, Path(pattern=NAMESPACE_PATTERN)]
Player = Annotated[str, Path(pattern=PLAYER_PATTERN, description=PLAYER_DESCRIPTION), NOT_RESERVED]
DONE = {"status_code": 204, "response_class": Response}


def _keyholder(caller: Principal, namespace: str) -> None:
    if caller.player is not None:
        raise Forbidden("a player credential can't issue or revoke other credentials")
    if not caller.may_touch(namespace):
        raise Forbidden(f"this API key may not touch namespace {namespace!r}")


@router.post("", response_model=CredentialOut, status_code=201, responses=documented(413))
async def issue(body: CredentialBody, api: Parts, caller: Caller) -> Response:
    """Issue a credential for one player of one namespace. Keys of that namespace only
    (an integration key, an admin key; the loopback user of a server without keys)."""
    _keyholder(caller, body.namespace)
    token, made = api.gatekeeper.credentials.issue(body.namespace, body.player)
    out = CredentialOut(
        token=token,
        namespace=made.namespace,
        player=made.player,
        issued_at=made.issued_at,
        expires_at=made.expires_at,
    )
    return answer(out, status=201, headers={"Cache-Control": "no-store"})


@router.put("/cookie", **DONE, responses=documented())  # type: ignore[arg-type]
async def set_cookie(request: Request, api: Parts, caller: Caller) -> Response:
    """Trade the player credential sent as a bearer token for the web page's cookie."""
    if caller.player is None or caller.via_cookie:
        raise Forbidden("send a player credential as Authorization: Bearer gcp.<...>")
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip()
    answered = Response(status_code=204)
    answered.set_cookie(
        COOKIE,
        token,
        max_age=int(api.gatekeeper.credentials.lifetime),
        path=PUBLIC_PREFIX,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return answered


@router.delete("/cookie", **DONE, responses=documented())  # type: ignore[arg-type]
async def clear_cookie(request: Request, _: Caller) -> Response:
    """Forget the cookie in this browser (the credential itself stays valid)."""
    answered = Response(status_code=204)
    answered.delete_cookie(
        COOKIE,
        path=PUBLIC_PREFIX,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return answered


@router.delete("/{namespace}/{player}", **DONE, responses=documented())  # type: ignore[arg-type]
async def revoke(namespace: Namespace, player: Player, api: Parts, caller: Caller) -> Response:
    """Revoke every credential issued to the player until now: a key of the namespace,
    or the player itself (signing out everywhere)."""
    signing_out = caller.player == player and caller.namespaces == {namespace}
    if not signing_out:
        _keyholder(caller, namespace)
    await api.gatekeeper.credentials.revoke(namespace, player)
    return Response(status_code=204)
