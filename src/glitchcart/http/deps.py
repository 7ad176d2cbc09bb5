"""What routes depend on: the app's parts, the caller, and the session key of the path.

The key in the path is parsed by :meth:`SessionKey.parse` (the one parser)
before anything else looks at it, then checked against the caller's namespaces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPBearer

from glitchcart.client.inprocess import InProcessTransport
from glitchcart.client.models import KEY_PATTERN
from glitchcart.core.keys import SessionKey
from glitchcart.errors import StorageError, Unauthorized
from glitchcart.http.access import Gatekeeper, Principal
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

bearer = HTTPBearer(auto_error=False, description="an API key from the server's settings")


@dataclass(slots=True)
class AppParts:
    """The parts of one app: built by :func:`create_app`, the engine bound at startup."""

    settings: Settings
    gatekeeper: Gatekeeper
    engine: Engine | None = None
    transport: InProcessTransport | None = field(default=None)

    def bind(self, engine: Engine) -> None:
        self.engine = engine
        self.transport = InProcessTransport(engine)


def parts(request: Request) -> AppParts:
    found: AppParts = request.app.state.parts
    return found


def transport(request: Request) -> InProcessTransport:
    found = parts(request).transport
    if found is None:
        raise StorageError("the engine is not running")
    return found


def principal(request: Request, _: Annotated[object, Depends(bearer)] = None) -> Principal:
    """The caller the access middleware admitted (documented as a bearer key)."""
    found: Principal | None = getattr(request.state, "principal", None)
    if found is None:
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    return found


def session_key(
    caller: Annotated[Principal, Depends(principal)],
    key: Annotated[
        str,
        Path(
            description="the session key, namespace:id",
            json_schema_extra={"pattern": KEY_PATTERN},
            examples=["web:blue-fox"],
        ),
    ],
) -> SessionKey:
    return caller.check_session(SessionKey.parse(key))


def admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    caller.check_admin()
    return caller


Parts = Annotated[AppParts, Depends(parts)]
Service = Annotated[InProcessTransport, Depends(transport)]
Caller = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(admin)]
Key = Annotated[SessionKey, Depends(session_key)]
