"""The HTTP transport's own duties: errors translated where they enter, problem
details back into the project's exceptions, an event stream that resumes."""

from __future__ import annotations

import json
import socket
from contextlib import aclosing
from typing import Any

import httpx
import pytest

from glitchcart.client import Client, HttpTransport
from glitchcart.client.problems import error_class, error_from_problem
from glitchcart.errors import (
    GlitchcartError,
    PreconditionFailed,
    RateLimited,
    SessionNotFound,
    Unreachable,
)
from support.servers import serving

KEY = "web:stream"


async def lifespan(receive: Any, send: Any) -> None:
    """The lifespan protocol of a stand-in ASGI app: nothing to start or stop."""
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})


def problem(status: int, code: str, **extra: Any) -> dict[str, Any]:
    return {"type": "t", "title": "t", "status": status, "detail": "said so", "code": code, **extra}


def test_problems_become_the_classes_they_name() -> None:
    assert error_class("PreconditionFailed") is PreconditionFailed
    assert error_class("Exception") is GlitchcartError  # only classes of the one tree
    assert error_class("NoSuchThing") is GlitchcartError
    limited = error_from_problem(429, problem(429, "RateLimited", retry_after=2.5))
    assert isinstance(limited, RateLimited) and limited.retry_after == 2.5
    assert str(error_from_problem(404, problem(404, "SessionNotFound"))) == "said so"
    assert isinstance(error_from_problem(502, "<html>bad gateway</html>"), Unreachable)
    assert type(error_from_problem(418, None)) is GlitchcartError


async def test_a_server_that_cannot_be_reached_is_unreachable() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Client(HttpTransport(f"http://127.0.0.1:{port}")) as client:
        with pytest.raises(Unreachable) as caught:
            await client.snapshot(session=KEY)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_the_event_stream_reconnects_after_the_last_id_it_saw() -> None:
    """A stand-in server ends the first stream after two events; the client comes back
    with Last-Event-ID and gets the rest."""
    seen_headers: list[str | None] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        headers = dict(scope["headers"])
        last = headers.get(b"last-event-id")
        seen_headers.append(last.decode() if last else None)
        start = int(last) + 1 if last else 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        for i in range(start, start + 2):
            data = json.dumps({"session": KEY, "id": i, "kind": "notice", "data": {"n": i}})
            chunk = f": hi\n\nid: {i}\nevent: notice\ndata: {data}\n\n".encode()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async with serving(app) as base_url, Client(HttpTransport(base_url)) as client:
        got = []
        async with aclosing(client.events(after=None, session=KEY)) as events:
            async for event in events:
                got.append(event.id)
                if len(got) == 5:
                    break
    assert got == [1, 2, 3, 4, 5]
    assert seen_headers[:3] == [None, "2", "4"]


async def test_a_refused_stream_raises_the_servers_error() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        body = json.dumps(problem(404, "SessionNotFound")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"application/problem+json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async with serving(app) as base_url, Client(HttpTransport(base_url)) as client:
        with pytest.raises(SessionNotFound, match="said so"):
            await anext(client.events(session=KEY))
