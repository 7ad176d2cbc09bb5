"""A session's events as server-sent events, resumable with ``Last-Event-ID``.

Each message carries the event's id (durable, rising within the session, the
same on every process sharing the store), its kind as the SSE event name and the
event as JSON; an ephemeral event (``narration_partial``) has no ``id:`` line.
``Last-Event-ID`` resumes after that id, across restarts and processes; an id
the session never reached is refused (422) before the stream starts, and one
whose successors were trimmed starts with a ``trimmed`` event and a snapshot.
A comment line is sent when nothing happened for ``sse_keepalive`` seconds, so
proxies keep the stream open and a vanished subscriber is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from glitchcart.client.inprocess import InProcessTransport
from glitchcart.client.models import EventOut
from glitchcart.client.sse import encode
from glitchcart.core.keys import SessionKey
from glitchcart.http.deps import Key, Parts
from glitchcart.http.problem import documented

router = APIRouter(prefix="/v1/sessions/{key}", tags=["events"])
_END = object()
SSE_EVENT = {  # one message of the stream (OpenAPI 3.1: the schema describes each event)
    "type": "object",
    "required": ["event", "data"],  # no id: an ephemeral event (narration_partial)
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "event": {"type": "string"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/EventOut"},
        },
    },
}


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


@router.get(
    "/events",
    response_class=EventStream,
    responses={
        200: {
            "description": "an endless stream of events; each event's data is an EventOut",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        },
        **documented(404, 422),
    },
)
async def events(
    key: Key,
    api: Parts,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", pattern=r"^[0-9]{1,18}$")
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=10**18, description="resume after")] = None,
) -> EventStream:
    """Vote cast, window opened and closed, turn resolving, narration, frame ready,
    choices, crown moved, game over, ... as they happen."""
    start = int(last_event_id) if last_event_id is not None else after
    await api.service.check_resume(key, start)
    body = _stream(api.service, key, start, api.settings.sse_keepalive)
    return EventStream(body, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _stream(
    service: InProcessTransport, key: SessionKey, after: int | None, keepalive: float
) -> AsyncIterator[str]:
    queue: asyncio.Queue[EventOut | object] = asyncio.Queue(maxsize=256)

    async def pump() -> None:
        try:
            async for event in service.events(key, after):
                await queue.put(event)
        finally:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(_END)

    task = asyncio.get_running_loop().create_task(pump())
    try:
        yield ": stream open\n\n"
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=keepalive)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if not isinstance(item, EventOut):
                return
            # an ephemeral event (id 0) carries no id: it must not move Last-Event-ID
            yield encode(item.id or None, item.kind, item.model_dump_json())
    finally:
        task.cancel()  # it ends the bus subscription on its own
