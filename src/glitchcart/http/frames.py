"""The picture of a turn, by its file name within the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from glitchcart.client.models import FRAME_NAME_PATTERN
from glitchcart.http.deps import Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["frames"])


class PngResponse(Response):
    media_type = "image/png"


@router.get(
    "/frames/{name}",
    response_class=PngResponse,
    responses={
        200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}},
        **documented(404),
    },
)
async def frame(
    key: Key,
    name: Annotated[str, Path(json_schema_extra={"pattern": FRAME_NAME_PATTERN})],
    api: Parts,
) -> PngResponse:
    """The PNG of a turn (``frame.name`` of a turn). A name is checked before any file is
    looked at; a frame of another session is not found here."""
    png = await api.service.frame(key, name)
    return PngResponse(png, headers={"Cache-Control": "private, max-age=3600"})
