"""The HTTP API: an app factory over one engine.

>>> app = create_app(load_settings())            # opens its own engine and timers
>>> app = create_app(settings, engine=engine)     # serves an engine its caller runs

Without an engine the app opens one at startup (:func:`glitchcart.bootstrap.open_runtime`),
runs its deadline timers and drains its turns at shutdown. Every answer goes
through the in-process transport, so HTTP and in-process clients see the same
values; every error is ``application/problem+json`` from :mod:`.problem`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException

from glitchcart.bootstrap import credential_parts, open_runtime
from glitchcart.client.models import TEXT_FORMAT, CartridgeInfo, EventOut, Problem
from glitchcart.core.options import OFFLINE
from glitchcart.errors import GlitchcartError
from glitchcart.http import crown, events, frames, games, identity, sessions, tapes, turns
from glitchcart.http.access import PUBLIC_PREFIX, AccessMiddleware, Gatekeeper
from glitchcart.http.answers import answer
from glitchcart.http.credentials import COOKIE, Credentials
from glitchcart.http.deps import AppParts, Caller, Parts
from glitchcart.http.docs import add_docs
from glitchcart.http.limits import BodyLimit, session_creations
from glitchcart.http.problem import documented, on_error, on_http_error, on_invalid_request
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

API_VERSION = "1.0.0"
COMMON = (401, 403, 422, 429, 503)  # any /v1 route may answer these
BEARER = (
    "an API key from the server's settings, or a player credential (gcp.<...>, also "
    "accepted as the glitchcart_player cookie); none on a loopback server without keys"
)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    now: Callable[[], float] = time.monotonic,
    credentials: Credentials | None = None,
) -> FastAPI:
    """Build the API. ``now`` is the clock of the rate limits (monotonic seconds);
    ``credentials`` issues and checks player credentials (default: signed with the
    settings' secret or one kept in the data directory, revocations in SQLite there)."""
    revocations = None
    if credentials is None:
        secret, revocations = credential_parts(settings)
        credentials = Credentials(secret, revocations, time.time, settings.credential_days * 86400)
    parts = AppParts(
        settings=settings,
        gatekeeper=Gatekeeper(settings, now, credentials),
        creations=session_creations(settings, now),
    )
    if engine is not None:
        parts.bind(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            if engine is not None:
                yield  # the caller runs the engine (and its timers, if it wants them)
                return
            async with open_runtime(settings) as (running, _timers):
                parts.bind(running)
                yield
        finally:
            if revocations is not None:
                revocations.close()

    app = FastAPI(
        title="glitchcart",
        version=API_VERSION,
        summary="AI-narrated multiplayer choose-your-own-adventure games",
        lifespan=lifespan,
        docs_url=None,  # served by add_docs, without a CDN
        redoc_url=None,
    )
    add_docs(app)
    app.state.parts = parts
    app.add_exception_handler(GlitchcartError, on_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
    app.add_exception_handler(Exception, on_error)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(AccessMiddleware, gatekeeper=parts.gatekeeper)
    if settings.cors_origins:  # closed unless configured: no Access-Control-* headers at all
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Content-Type", "Idempotency-Key", "If-Match", "Last-Event-ID"],
            max_age=600,
        )

    @app.get("/healthz", tags=["meta"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get(
        "/v1/cartridges",
        response_model=list[CartridgeInfo],
        tags=["meta"],
        responses=documented(*COMMON),
    )
    async def cartridges(api: Parts, _: Caller) -> Response:
        """The cartridges (game definitions) on offer."""
        return answer(await api.service.cartridges())

    for module in (sessions, turns, crown, frames, tapes, events, games, identity):
        app.include_router(module.router, responses=documented(*COMMON))
    app.include_router(sessions.admin_router, responses=documented(*COMMON))
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """The generated schema, plus what FastAPI can't know: the Problem model and the
    configured longest action text."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            routes=app.routes,
            tags=None,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, EventOut):
            components[model.__name__] = model.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
        schema["components"]["securitySchemes"] = {
            "ApiKey": {"type": "http", "scheme": "bearer", "description": BEARER},
            "PlayerCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": COOKIE,
                "description": "a player credential, set by PUT /v1/credentials/cookie",
            },
        }
        for route, path in schema["paths"].items():
            for operation in path.values():
                if route.startswith(PUBLIC_PREFIX):
                    operation["security"] = [{"ApiKey": []}, {"PlayerCookie": []}]
                for param in operation.get("parameters", ()):
                    _drop_null(param)
        known = sorted({OFFLINE, *(p.name for p in settings.providers)})
        for model in components.values():
            _name_providers(model.get("properties", {}).get("providers"), known)
            for prop in model.get("properties", {}).values():
                if prop.get("format") == TEXT_FORMAT:
                    prop["maxLength"] = settings.max_action_length
                    prop["description"] = (
                        "printable text; spaces are folded; at most "
                        f"{settings.max_action_length} characters"
                    )
        app.openapi_schema = schema
    return app.openapi_schema


def _name_providers(prop: dict[str, Any] | None, known: list[str]) -> None:
    """A session may pick only the providers this server has: list them in the schema."""
    for option in (prop or {}).get("anyOf", ()):
        if option.get("type") == "array":
            option["items"] = {"type": "string", "enum": known}
            option["uniqueItems"] = True


def _drop_null(param: dict[str, Any]) -> None:
    """A header or query value is absent or a string, never JSON null: say so."""
    options = param.get("schema", {}).get("anyOf")
    if options is None:
        return
    kept = [o for o in options if o.get("type") != "null"]
    if len(kept) == 1:
        rest = {k: v for k, v in param["schema"].items() if k != "anyOf"}
        param["schema"] = {**kept[0], **rest}
