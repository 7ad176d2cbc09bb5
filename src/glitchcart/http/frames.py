"""The picture of a turn, by its file name within the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from glitchcart.client.models import FRAME_NAME_PATTERN
from glitchcart.http.deps import Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["frames"])


class PictureResponse(Response):
    media_type = "image/png"


@router.get(
    "/frames/{name}",
    response_class=PictureResponse,
    responses={
        200: {
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/gif": {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **documented(404),
    },
)
async def frame(
    key: Key,
    name: Annotated[str, Path(json_schema_extra={"pattern": FRAME_NAME_PATTERN})],
    api: Parts,
) -> PictureResponse:
    """The picture of a turn (``frame.name`` of a turn): a PNG, or a GIF for a session in
    flipbook mode. A name is checked before any file is looked at; a frame of another
    session is not found here."""
    picture = await api.service.frame(key, name)
    kind = "image/gif" if name.endswith(".gif") else "image/png"
    return PictureResponse(
        picture, media_type=kind, headers={"Cache-Control": "private, max-age=3600"}
    )
