"""Successful answers: a wire model serialized once, straight to JSON bytes.

FastAPI would validate a returned model against the route's ``response_model``
again and encode it twice; the route still declares ``response_model`` for the
schema, and the conformance suite checks the client reads these answers back.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Response
from pydantic import BaseModel


class JsonAnswer(Response):
    media_type = "application/json"


def answer(
    value: BaseModel | Sequence[BaseModel],
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> JsonAnswer:
    if isinstance(value, BaseModel):
        body = value.model_dump_json()
    else:
        body = "[" + ",".join(item.model_dump_json() for item in value) + "]"
    return JsonAnswer(body, status_code=status, headers=headers)
