"""One attempt at an OpenAI-compatible chat completion, over ``httpx.AsyncClient``.

Works with any server that speaks ``POST {base_url}/chat/completions``: hosted
APIs and local ones (Ollama, vLLM, llama.cpp server, LocalAI). What a server
can do comes from its :class:`~glitchcart.settings.ProviderConfig`:

- ``supports_json_schema``: structured replies are requested with
  ``response_format = {"type": "json_schema", ...}``; otherwise the schema is
  described in the system prompt and the reply is repaired
  (:func:`~glitchcart.adapters.providers.openai.json_repair.parse_object`).
- ``supports_stream``: with an ``on_text`` callback the reply is streamed
  (server-sent events) and ``on_text`` sees the text as it grows.

Every failure leaves as a :class:`ProviderError` branch raised ``from`` the httpx
error, with the provider's name and status only (the ``ProviderError`` branch of
:mod:`glitchcart.errors`). The key goes into the ``Authorization`` header and
nowhere else. This class makes exactly one attempt; retries, fair queueing and
benching are :class:`~glitchcart.adapters.providers.resilient.ProviderCaller`'s.

    chat = ChatClient(config, httpx.AsyncClient())
    reply = await chat.complete([{"role": "user", "content": "Hi"}], max_tokens=50)
    data, reply = await chat.complete_json(messages, schema=SCHEMA, name="turn", max_tokens=600)
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from glitchcart.adapters.providers.http_pool import HttpPool
from glitchcart.adapters.providers.metering import Usage
from glitchcart.adapters.providers.openai.json_repair import parse_object
from glitchcart.core.memory import estimate_tokens
from glitchcart.errors import (
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
)
from glitchcart.settings import ProviderConfig

Message = dict[str, str]
TextCallback = Callable[[str], None]
UsageCallback = Callable[[Usage], None]  # told the usage of every answered call, even unusable ones
MAX_REPLY_BYTES = 512_000
REFUSAL_CODES = {"content_policy_violation", "content_filter", "moderation_blocked"}


@dataclass(frozen=True, slots=True)
class ChatReply:
    text: str
    usage: Usage
    finish_reason: str | None = None


def json_instruction(schema: dict[str, Any]) -> str:
    """The system-prompt paragraph that asks a server without JSON mode for one object."""
    return (
        "Reply with exactly one JSON object and nothing else: no code fence, no remarks. "
        f"It must match this JSON schema: {json.dumps(schema, separators=(',', ':'))}"
    )


class HttpProvider:
    """What chat and image clients share: URL, headers, error translation."""

    def __init__(self, config: ProviderConfig, http: httpx.AsyncClient | HttpPool) -> None:
        self.config = config
        self.pool = http if isinstance(http, HttpPool) else HttpPool.wrap(http)
        self.base = config.base_url.rstrip("/")

    @property
    def name(self) -> str:
        return self.config.name

    def headers(self) -> dict[str, str]:
        key = self.config.api_key
        return {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}

    @asynccontextmanager
    async def request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """A streamed response with a 2xx status; errors translated, within the timeout.

        ``path`` is relative to ``base_url``, or a full URL the caller has checked.
        """
        url = path if path.startswith(("http://", "https://")) else self.base + path
        try:
            async with asyncio.timeout(self.config.timeout), self.pool.client() as http:
                request = http.build_request(
                    method,
                    url,
                    json=body,
                    headers=self.headers(),
                    timeout=httpx.Timeout(self.config.timeout),  # not httpx's 5 s default
                )
                response = await http.send(request, stream=True)
                try:
                    if response.status_code >= 300:
                        await _raise_for_status(self.name, response)
                    yield response
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise ProviderTimeout(f"provider {self.name}: no answer in time") from exc
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(f"provider {self.name}: no answer in time") from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"provider {self.name}: {exc.__class__.__name__} talking to the server"
            ) from exc

    async def read_json(
        self, response: httpx.Response, *, limit: int = MAX_REPLY_BYTES
    ) -> dict[str, Any]:
        body = await read_limited(response, limit, self.name)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ProviderBadOutput(f"provider {self.name}: reply is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderBadOutput(f"provider {self.name}: reply is not a JSON object")
        return data

    async def list_models(self) -> list[str]:
        """The model ids the server lists at ``GET /models``."""
        async with self.request("GET", "/models") as response:
            data = await self.read_json(response)
        items = data.get("data")
        if not isinstance(items, list):
            raise ProviderBadOutput(f"provider {self.name}: /models has no data list")
        return [str(m["id"]) for m in items if isinstance(m, dict) and "id" in m]


class ChatClient(HttpProvider):
    """Chat completions from one provider: plain text, JSON, or streamed."""

    async def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int,
        temperature: float = 0.8,
        on_text: TextCallback | None = None,
        response_format: dict[str, Any] | None = None,
        on_usage: UsageCallback | None = None,
    ) -> ChatReply:
        """One completion; streamed when the provider streams and ``on_text`` is given."""
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if response_format is not None:
            body["response_format"] = response_format
        if on_text is not None and self.config.supports_stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
            reply = await self._stream(body, messages, on_text)
        else:
            async with self.request("POST", "/chat/completions", body) as response:
                data = await self.read_json(response)
            reply = self._reply(data, messages)
        if on_usage is not None:
            on_usage(reply.usage)
        return reply

    async def complete_json(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any],
        name: str,
        max_tokens: int,
        temperature: float = 0.8,
        on_text: TextCallback | None = None,
        on_usage: UsageCallback | None = None,
    ) -> tuple[dict[str, Any], ChatReply]:
        """A reply that is one JSON object, by JSON-schema mode or by prompt and repair.

        The object is parsed, not validated: checking it against the game's rules
        is the caller's job. Unparseable output raises :class:`ProviderBadOutput`.
        """
        fmt = None
        if self.config.supports_json_schema:
            fmt = {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
        else:
            first, *rest = messages
            messages = [
                {
                    "role": first["role"],
                    "content": first["content"] + "\n\n" + json_instruction(schema),
                },
                *rest,
            ]
        reply = await self.complete(
            messages,
            max_tokens=max_tokens,
            temperature=temperature,
            on_text=on_text,
            response_format=fmt,
            on_usage=on_usage,
        )
        try:
            return parse_object(reply.text), reply
        except ValueError as exc:
            raise ProviderBadOutput(f"provider {self.name}: {exc}") from exc

    def _reply(self, data: dict[str, Any], messages: list[Message]) -> ChatReply:
        try:
            choice = data["choices"][0]
            message = choice["message"]
            text = message.get("content") or ""
            refusal = message.get("refusal")
            finish = choice.get("finish_reason")
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ProviderBadOutput(f"provider {self.name}: reply has no message") from exc
        if refusal or finish == "content_filter":
            raise ProviderRefused(f"provider {self.name}: the model declined")
        if not isinstance(text, str) or not text.strip():
            raise ProviderBadOutput(f"provider {self.name}: empty reply")
        return ChatReply(text, _usage(data.get("usage"), messages, text), finish)

    async def _stream(
        self, body: dict[str, Any], messages: list[Message], on_text: TextCallback
    ) -> ChatReply:
        parts: list[str] = []
        usage_data: Any = None
        finish: str | None = None
        size = 0
        async with self.request("POST", "/chat/completions", body) as response:
            async for line in response.aiter_lines():
                size += len(line)
                if size > MAX_REPLY_BYTES:
                    raise ProviderBadOutput(f"provider {self.name}: reply too long")
                if not line.startswith("data:"):
                    continue  # comments, event names, blank separators
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    chunk = json.loads(payload)
                except ValueError as exc:
                    raise ProviderBadOutput(f"provider {self.name}: bad stream chunk") from exc
                if not isinstance(chunk, dict):
                    raise ProviderBadOutput(f"provider {self.name}: bad stream chunk")
                if "error" in chunk:
                    raise ProviderUnavailable(f"provider {self.name}: error in the stream")
                usage_data = chunk.get("usage") or usage_data
                for choice in chunk.get("choices") or ():
                    delta = choice.get("delta") or {}
                    if delta.get("refusal") or choice.get("finish_reason") == "content_filter":
                        raise ProviderRefused(f"provider {self.name}: the model declined")
                    finish = choice.get("finish_reason") or finish
                    piece = delta.get("content")
                    if isinstance(piece, str) and piece:
                        parts.append(piece)
                        on_text("".join(parts))
        text = "".join(parts)
        if not text.strip():
            raise ProviderBadOutput(f"provider {self.name}: empty reply")
        return ChatReply(text, _usage(usage_data, messages, text), finish)


def _usage(data: Any, messages: list[Message], text: str) -> Usage:
    """Usage as reported, else estimated from the text (so metering never reads zero)."""
    if isinstance(data, dict):
        try:
            return Usage(int(data.get("prompt_tokens", 0)), int(data.get("completion_tokens", 0)))
        except (TypeError, ValueError):
            pass
    prompt = sum(estimate_tokens(m.get("content", "")) for m in messages)
    return Usage(prompt, estimate_tokens(text))


async def read_limited(response: httpx.Response, limit: int, name: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ProviderBadOutput(f"provider {name}: reply too large")
        chunks.append(chunk)
    return b"".join(chunks)


def retry_after(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms``, ``Retry-After`` seconds or date)."""
    ms = response.headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now())


async def _raise_for_status(name: str, response: httpx.Response) -> None:
    status = response.status_code
    code = ""
    try:
        body = json.loads(await read_limited(response, 64_000, name))
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code") or error.get("type") or "")
    except (ValueError, ProviderError, httpx.HTTPError):
        pass
    message = f"provider {name}: HTTP {status}"
    if status == 429 or status == 402:
        quota = status == 402 or code == "insufficient_quota"
        raise ProviderRateLimited(message, retry_after=retry_after(response), quota=quota)
    if code in REFUSAL_CODES:
        raise ProviderRefused(message + " (declined by content policy)")
    if status >= 500 or status in (408, 409):
        raise ProviderUnavailable(message, retry_after=retry_after(response))
    raise ProviderError(message)
