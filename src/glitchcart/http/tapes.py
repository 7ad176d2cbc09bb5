"""Replay tapes: build one of the session's game on demand, list them, fetch the bytes.

A build answers once the file exists (201, or 200 if the same tape was already
there; a request for a tape being built joins that build). The bytes are
streamed from the file in chunks with their length and type (``image/gif``,
``video/mp4``), never read whole into memory. A tape's name is checked before
any file is looked at; a tape of another session is not found here. A server
with tapes turned off answers 404 (``NotFound``) on every route.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response
from fastapi.responses import StreamingResponse

from glitchcart.client.models import TAPE_CONTENT_TYPES, TAPE_NAME_PATTERN, TapeOut, TapeRequest
from glitchcart.http.answers import answer
from glitchcart.http.deps import Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["tapes"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
TapeName = Annotated[
    str,
    Path(
        description="a tape's file name: ``ref.name`` of a tape, or of a tape_ready event",
        json_schema_extra={"pattern": TAPE_NAME_PATTERN},
    ),
]


class TapeBytes(StreamingResponse):
    media_type = "image/gif"  # or video/mp4: set per answer


@router.post(
    "/tapes",
    response_model=TapeOut,
    status_code=201,
    responses={
        200: {"model": TapeOut, "description": "the tape was already there"},
        201: {"description": "the tape was built by this request (or the build it joined)"},
        **documented(404, 409, 413, 502),
    },
)
async def build(
    key: Key, api: Parts, body: Annotated[TapeRequest, Body(default_factory=TapeRequest)]
) -> Response:
    """Build a replay tape of the session's current game (GIF or MP4, the whole run or
    turns ``first`` to ``last``) and describe it; ``url`` answers its bytes. Takes
    seconds for a long run; no body is the whole run as GIF. 409 without a game; 422 for
    a range with no committed turn."""
    tape = await api.service.build_tape(key, body)
    return answer(tape, {"Location": tape.url}, status=201 if tape.built else 200)


@router.get("/tapes", response_model=list[TapeOut], responses=documented(404))
async def tapes(key: Key, api: Parts) -> Response:
    """The session's tapes, of every game it played, by name."""
    return answer(await api.service.list_tapes(key))


@router.get(
    "/tapes/{name}",
    response_class=TapeBytes,
    responses={
        200: {
            "description": "the tape's bytes",
            "content": {"image/gif": BINARY, "video/mp4": BINARY},
        },
        **documented(404),
    },
)
async def tape(key: Key, name: TapeName, api: Parts) -> TapeBytes:
    """A tape's bytes (GIF or MP4, by its name), streamed from the file."""
    size, chunks = await api.service.open_tape(key, name)
    return TapeBytes(
        _send(chunks),
        media_type=TAPE_CONTENT_TYPES[name.rpartition(".")[2]],
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


async def _send(chunks: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
    """The chunks, the file closed as soon as the answer ends or is cut off."""
    async with aclosing(chunks):
        async for chunk in chunks:
            yield chunk
