"""Errors as ``application/problem+json``: the ONE table from the exception tree to statuses.

A status is found by walking the exception's classes from the most specific,
so a subclass may have its own row (``PreconditionFailed`` 412 under
``StaleVersion`` 409). ``code`` names the class in :mod:`glitchcart.errors`;
the client turns it back into that class. A 5xx answer never carries the
exception's message (it may name a file or a database): only a fixed line.
"""

from __future__ import annotations

import logging
import math
import re
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from glitchcart.client.models import Problem
from glitchcart.client.problems import error_code, plain_sentence
from glitchcart.errors import (
    Conflict,
    Forbidden,
    GlitchcartError,
    InvalidInput,
    LimitExceeded,
    NoSessionResolved,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    ProviderError,
    SessionMismatch,
    StorageError,
    TurnResolving,
    Unauthorized,
    Unreachable,
    UnsupportedMediaType,
    WrongTurn,
)

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

STATUS: dict[type[GlitchcartError], int] = {
    InvalidInput: 422,
    UnsupportedMediaType: 415,
    NoSessionResolved: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    SessionMismatch: 404,
    PreconditionFailed: 412,
    Conflict: 409,
    PayloadTooLarge: 413,
    LimitExceeded: 429,
    ProviderError: 502,
    StorageError: 503,
    Unreachable: 502,
    GlitchcartError: 500,
}

HIDDEN = {
    500: "something went wrong inside the server; it has been logged",
    502: "an upstream service failed; try again later",
    503: "the server's storage is unavailable; try again later",
}


def status_of(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        status = STATUS.get(cls)
        if status is not None:
            return status
    return 500


def problem_response(
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = Problem(
        type=f"urn:glitchcart:problem:{code}",
        title=phrase,
        status=status,
        detail=detail,
        code=code,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def error_response(exc: BaseException) -> JSONResponse:
    """The problem answer for any exception; a 5xx one is logged, never described."""
    status = status_of(exc)
    if status >= 500:
        log.error("request failed with %s", type(exc).__name__, exc_info=exc)
        return problem_response(status, error_code(exc), HIDDEN.get(status, HIDDEN[500]))
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(exc, LimitExceeded) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        extra["retry_after"] = exc.retry_after
    elif isinstance(exc, TurnResolving):
        headers["Retry-After"] = "1"
    elif isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, WrongTurn):
        extra.update(turn=exc.turn, game_id=exc.game_id)
    return problem_response(status, error_code(exc), str(exc)[:1000], headers, **extra)


async def on_error(request: Request, exc: Exception) -> JSONResponse:
    return error_response(exc)


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own answers (no such route, method not allowed) as problems."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:  # a body that could not even be parsed
        return problem_response(422, "InvalidInput", "the request body cannot be parsed")
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request))
    return problem_response(exc.status_code, code, detail, headers)


def _allowed(request: Request) -> list[str]:
    """Every method the schema offers at this path (Starlette names only one route's)."""
    path = request.scope["path"]
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), path):
            methods = {m.upper() for m in operations}
            return sorted(methods | ({"HEAD"} if "GET" in methods else set()))
    return []


async def on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A request that does not match the schema: 422, naming each field (never echoing it)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))[:200]}
        for err in exc.errors()[:20]
    ]
    detail = plain_sentence(exc.errors())  # one sentence; ``errors`` keeps every field
    return problem_response(422, "InvalidInput", detail, errors=errors)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem answers with these statuses."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {"schema": schema}},
            **(
                {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                if status == 429
                else {}
            ),
        }
        for status in statuses
    }
