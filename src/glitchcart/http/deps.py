"""What routes depend on: the app's parts, the caller, and the session key of the path.

The key in the path is parsed by :meth:`SessionKey.parse` (the one parser)
before anything else looks at it, then checked against the caller's namespaces.
Dependencies are few and ``async`` (FastAPI runs a plain function in a worker
thread): they are on the path of every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from pydantic import BaseModel

from glitchcart.client.inprocess import InProcessTransport
from glitchcart.client.models import KEY_PATTERN
from glitchcart.core.keys import SessionKey
from glitchcart.errors import Forbidden, InvalidInput, StorageError, Unauthorized
from glitchcart.http.access import Gatekeeper, Principal
from glitchcart.http.limits import TokenBuckets
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

B = TypeVar("B", bound=BaseModel)


@dataclass(slots=True)
class AppParts:
    """The parts of one app: built by :func:`create_app`, the engine bound at startup."""

    settings: Settings
    gatekeeper: Gatekeeper
    creations: TokenBuckets  # new sessions, per API key
    transport: InProcessTransport | None = field(default=None)

    def bind(self, engine: Engine) -> None:
        self.transport = InProcessTransport(engine)

    def acting(
        self,
        caller: Principal,
        key: SessionKey,
        body: B,
        field: str = "player",
        *,
        required: bool = True,
    ) -> B:
        """``body`` with its ``field`` (the player it acts for) set to the player
        ``caller`` proves (:meth:`Gatekeeper.player`): a player credential's own,
        a key's as named. Refused if a credential's body names someone else, or if
        nobody is named where a move needs its player (``required``)."""
        named = getattr(body, field)
        proven = self.gatekeeper.player(caller, key, named)
        if proven is None and required:
            raise Forbidden(f"a key acts for the player its body names: name one in {field!r}")
        return body if proven == named else body.model_copy(update={field: proven})

    @property
    def service(self) -> InProcessTransport:
        """Every answer goes through the in-process transport (as an in-process client's)."""
        if self.transport is None:
            raise StorageError("the engine is not running")
        return self.transport


def caller_of(request: Request) -> Principal:
    """The caller the access middleware admitted; refuses query parameters the route
    does not declare (a typo such as ``?limt=5`` is an error, not a silent default)."""
    found: Principal | None = getattr(request.state, "principal", None)
    if found is None:
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")
    if request.query_params:
        unknown = set(request.query_params) - _declared_query(request.scope.get("route"))
        if unknown:
            raise InvalidInput(f"unknown query parameter(s): {', '.join(sorted(unknown))[:200]}")
    return found


def _declared_query(route: object) -> set[str]:
    """The query parameters a route and its dependencies declare."""
    names: set[str] = set()
    pending = [getattr(route, "dependant", None)]
    while pending:
        dependant = pending.pop()
        if dependant is not None:
            names.update(str(p.alias) for p in dependant.query_params)
            pending.extend(dependant.dependencies)
    return names


async def parts(request: Request) -> AppParts:
    found: AppParts = request.app.state.parts
    return found


async def caller(request: Request) -> Principal:
    return caller_of(request)


async def admin(request: Request) -> Principal:
    found = caller_of(request)
    found.check_admin()
    return found


async def session_key(
    request: Request,
    key: Annotated[
        str,
        Path(
            description="the session key, namespace:id",
            json_schema_extra={"pattern": KEY_PATTERN},
            examples=["web:blue-fox"],
        ),
    ],
) -> SessionKey:
    return caller_of(request).check_session(SessionKey.parse(key))


Parts = Annotated[AppParts, Depends(parts)]
Caller = Annotated[Principal, Depends(caller)]
Admin = Annotated[Principal, Depends(admin)]
Key = Annotated[SessionKey, Depends(session_key)]
