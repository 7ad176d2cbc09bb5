"""A real HTTP server on loopback that speaks enough of the OpenAI API for tests.

It runs in the test's own event loop on ``127.0.0.1`` with an ephemeral port, so
a client that blocked the loop would stall the server too and the test would
notice. Routes::

    POST /v1/chat/completions    plain, ``stream: true`` (SSE) and ``response_format``
    POST /v1/images/generations  ``b64_json`` or ``url``
    GET  /v1/models
    GET  /v1/files/<name>        the image behind a ``url`` reply

Each route answers from a script of :class:`Reply` values (one per request,
first in first out) and, when the script is empty, from a default that returns
something valid: a narration for a "turn" schema, choices for "choices", a
short text otherwise. Every request is recorded in ``server.requests``.

    async with FakeOpenAI() as server:
        server.script("chat", Reply(status=429, headers={"Retry-After": "0.05"}), Reply())
        config = server.config("hosted")
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from glitchcart.settings import ProviderConfig

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}  # fmt: skip


def tiny_png(
    colour: tuple[int, int, int] = (200, 60, 40), size: tuple[int, int] = (64, 48)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


PNG = tiny_png()


@dataclass
class Reply:
    """One scripted answer. Leave fields unset for the route's normal answer."""

    status: int = 200
    delay: float = 0.0  # seconds before the status line
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None  # chat: the assistant's text
    data: dict[str, Any] | None = None  # chat: object to send as the content, JSON-encoded
    refusal: str | None = None  # chat: a refusal instead of content
    finish_reason: str = "stop"
    body: bytes | None = None  # the raw response body, sent as is
    error_code: str | None = None  # error.code in a JSON error body
    hang: bool = False  # never answer (until the client gives up)
    chunk_delay: float = 0.0  # streaming: pause between chunks
    break_stream: bool = False  # streaming: drop the connection halfway
    image: str = "b64"  # images: "b64" or "url"
    image_url: str | None = None  # images: this exact url
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


def narration_reply(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "narration": "The wind shifts and you press on, careful and quiet.",
        "damage": 0,
        "injury": None,
        "healed_injury": None,
        "items_gained": [],
        "items_lost": [],
        "move_to": None,
        "chaos": 1,
        "advance_time": False,
        "event": "pressed on",
        "dead": False,
        "cause": None,
    }
    data.update(changes)
    return data


def choices_reply(count: int = 3, prefix: str = "Option") -> dict[str, Any]:
    return {
        "choices": [
            {"text": f"{prefix} {i + 1}", "intent": "act", "target": None} for i in range(count)
        ]
    }


def schema_name(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and isinstance(fmt.get("json_schema"), dict):
        return str(fmt["json_schema"].get("name"))
    system = next((m["content"] for m in body.get("messages", []) if m["role"] == "system"), "")
    if "It must match this JSON schema:" in system:
        schema = system.split("It must match this JSON schema:", 1)[1]
        if '"narration"' in schema:
            return "turn"
        if '"choices"' in schema:
            return "choices"
        return "object"
    return None


def default_chat(body: dict[str, Any]) -> str:
    name = schema_name(body)
    if name == "turn":
        return json.dumps(narration_reply())
    if name == "choices":
        return json.dumps(choices_reply())
    if name is not None:
        return json.dumps({"ok": True})
    return "The story goes on, quiet and strange."


class FakeOpenAI:
    """The server. Use as ``async with FakeOpenAI() as server``."""

    def __init__(self) -> None:
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[Recorded] = []
        self.chat_content: Callable[[dict[str, Any]], str] = default_chat
        self.delay_for: Callable[[str, dict[str, Any]], float] = lambda route, body: 0.0
        self.in_flight: dict[str, int] = defaultdict(int)
        self.max_in_flight: dict[str, int] = defaultdict(int)
        self.models = ["fake-chat", "fake-image"]
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def config(self, name: str = "fake", kind: str = "chat", **changes: Any) -> ProviderConfig:
        values: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "base_url": self.base_url,
            "model": "fake-chat" if kind == "chat" else "fake-image",
            "api_key": "sk-test-secret-123",
            "timeout": 2.0,
            "max_concurrency": 4,
        }
        values.update(changes)
        return ProviderConfig(**values)

    def script(self, route: str, *replies: Reply) -> None:
        """Queue answers for ``route``: "chat", "images", "models" or "files"."""
        self._scripts[route].extend(replies)

    def clear(self) -> None:
        """Forget every scripted reply not yet used."""
        self._scripts.clear()

    def count(self, route: str) -> int:
        paths = {"chat": "/v1/chat/completions", "images": "/v1/images/generations"}
        return sum(1 for r in self.requests if r.path == paths.get(route, route))

    async def __aenter__(self) -> FakeOpenAI:
        # A deep backlog: a burst of new connections must not wait for SYN retransmits.
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    # ------------------------------------------------------------ HTTP

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        line = await reader.readline()
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        payload = json.loads(body) if body else None
        self.requests.append(Recorded(method, target, headers, payload))
        route = {
            "/v1/chat/completions": "chat",
            "/v1/images/generations": "images",
            "/v1/models": "models",
        }.get(target, "files" if target.startswith("/v1/files/") else "unknown")
        reply = self._scripts[route].popleft() if self._scripts[route] else Reply()
        self.in_flight[route] += 1
        self.max_in_flight[route] = max(self.max_in_flight[route], self.in_flight[route])
        try:
            if reply.hang:
                await asyncio.sleep(3600)
            await asyncio.sleep(reply.delay + self.delay_for(route, payload or {}))
            return await self._answer(route, reply, payload or {}, writer)
        finally:
            self.in_flight[route] -= 1

    async def _answer(
        self, route: str, reply: Reply, body: dict[str, Any], writer: asyncio.StreamWriter
    ) -> bool:
        if reply.body is not None:
            return await _send(writer, reply.status, reply.body, reply.headers)
        if reply.status >= 400:
            error = {"error": {"message": "scripted failure", "code": reply.error_code}}
            return await _send(writer, reply.status, json.dumps(error).encode(), reply.headers)
        if route == "models":
            data = {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}
            return await _send(writer, 200, json.dumps(data).encode(), reply.headers)
        if route == "files":
            return await _send(writer, 200, PNG, {"Content-Type": "image/png", **reply.headers})
        if route == "images":
            if reply.image == "url" or reply.image_url:
                item = {"url": reply.image_url or f"http://127.0.0.1:{self.port}/v1/files/f.png"}
            else:
                item = {"b64_json": base64.b64encode(PNG).decode()}
            return await _send(writer, 200, json.dumps({"data": [item]}).encode(), reply.headers)
        if route == "chat":
            return await self._chat(reply, body, writer)
        return await _send(writer, 404, b'{"error": {"message": "no such route"}}', {})

    async def _chat(self, reply: Reply, body: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        if reply.data is not None:
            content = json.dumps(reply.data)
        elif reply.content is not None:
            content = reply.content
        else:
            content = self.chat_content(body)
        prompt = sum(len(m.get("content", "")) for m in body.get("messages", [])) // 4
        usage = reply.usage or (prompt, len(content) // 4)
        usage_obj = {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                     "total_tokens": sum(usage)}  # fmt: skip
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if reply.refusal is not None:
                message = {"role": "assistant", "content": None, "refusal": reply.refusal}
            data = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
                "usage": usage_obj,
            }
            return await _send(writer, 200, json.dumps(data).encode(), reply.headers)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
        )
        writer.write((head + _extra(reply.headers) + "\r\n").encode())
        pieces = [content[i : i + 7] for i in range(0, len(content), 7)] or [""]
        for n, piece in enumerate(pieces):
            if reply.break_stream and n == len(pieces) // 2:
                writer.transport.abort()
                return False
            delta: dict[str, Any] = {"content": piece}
            if reply.refusal is not None:
                delta = {"refusal": reply.refusal}
            chunk = {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            await _chunk(writer, f"data: {json.dumps(chunk)}\n\n")
            if reply.chunk_delay:
                await asyncio.sleep(reply.chunk_delay)
        end = {"choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]}
        await _chunk(writer, f"data: {json.dumps(end)}\n\n")
        await _chunk(writer, f"data: {json.dumps({'choices': [], 'usage': usage_obj})}\n\n")
        await _chunk(writer, "data: [DONE]\n\n")
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


def _extra(headers: dict[str, str]) -> str:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items())


async def _send(
    writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str]
) -> bool:
    base = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n" + _extra({**base, **headers})
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    return True


async def _chunk(writer: asyncio.StreamWriter, text: str) -> None:
    data = text.encode()
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
    await writer.drain()


@contextlib.contextmanager
def serve_in_thread() -> Iterator[FakeOpenAI]:
    """The server on its own event loop in a thread, for code that runs ``asyncio.run``."""
    server = FakeOpenAI()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop: asyncio.Future[None] | None = None

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with server:
            ready.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield server
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(5)
        loop.close()
