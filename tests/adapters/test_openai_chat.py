"""The OpenAI-compatible chat transport against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import socket

import httpx
import pytest

from glitchcart.adapters.providers.http_pool import HttpPool
from glitchcart.adapters.providers.openai.chat import ChatClient, json_instruction, retry_after
from glitchcart.errors import (
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
)
from support.fake_openai import FakeOpenAI, Reply

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
SECRET = "sk-test-secret-123"


async def test_plain_completion_sends_model_key_and_limits() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        chat = ChatClient(server.config(), http)
        reply = await chat.complete(MESSAGES, max_tokens=42, temperature=0.3)
        assert reply.text == "The story goes on, quiet and strange."
        assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0
        sent = server.requests[-1]
        assert sent.path == "/v1/chat/completions"
        assert sent.headers["authorization"] == f"Bearer {SECRET}"
        assert sent.json["model"] == "fake-chat"
        assert sent.json["max_tokens"] == 42
        assert sent.json["messages"] == MESSAGES
        assert "stream" not in sent.json


async def test_structured_output_uses_json_schema_when_the_server_supports_it() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        chat = ChatClient(server.config(supports_json_schema=True), http)
        data, _ = await chat.complete_json(MESSAGES, schema=SCHEMA, name="probe", max_tokens=20)
        assert data == {"ok": True}
        fmt = server.requests[-1].json["response_format"]
        assert fmt == {"type": "json_schema", "json_schema": {"name": "probe", "schema": SCHEMA}}
        assert server.requests[-1].json["messages"] == MESSAGES


async def test_without_json_schema_the_schema_goes_in_the_prompt_and_the_reply_is_repaired() -> (
    None
):
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(content='Sure!\n```json\n{"ok": true,}\n```'))
        chat = ChatClient(server.config(supports_json_schema=False), http)
        data, _ = await chat.complete_json(MESSAGES, schema=SCHEMA, name="probe", max_tokens=20)
        assert data == {"ok": True}
        sent = server.requests[-1].json
        assert "response_format" not in sent
        assert sent["messages"][0]["content"].endswith(json_instruction(SCHEMA))
        assert sent["messages"][1] == MESSAGES[1]


async def test_malformed_json_that_cannot_be_repaired_is_rejected_but_still_metered() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(content="I would rather tell you a story instead."))
        chat = ChatClient(server.config(), http)
        used = []
        with pytest.raises(ProviderBadOutput):
            await chat.complete_json(
                MESSAGES, schema=SCHEMA, name="probe", max_tokens=20, on_usage=used.append
            )
        assert len(used) == 1 and used[0].output_tokens > 0


async def test_a_body_that_is_not_json_is_bad_output() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(body=b"<html>gateway</html>"), Reply(body=b'{"choices": []}'))
        chat = ChatClient(server.config(), http)
        with pytest.raises(ProviderBadOutput):
            await chat.complete(MESSAGES, max_tokens=5)
        with pytest.raises(ProviderBadOutput):
            await chat.complete(MESSAGES, max_tokens=5)


async def test_streaming_passes_the_text_on_as_it_grows() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        chat = ChatClient(server.config(supports_stream=True), http)
        seen: list[str] = []
        reply = await chat.complete(MESSAGES, max_tokens=50, on_text=seen.append)
        assert reply.text == "The story goes on, quiet and strange."
        assert len(seen) > 3
        assert all(b.startswith(a) for a, b in itertools.pairwise(seen))
        assert seen[-1] == reply.text
        assert reply.usage.output_tokens == len(reply.text) // 4  # as reported in the stream
        assert server.requests[-1].json["stream"] is True


async def test_a_server_that_does_not_stream_is_asked_without_stream() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        chat = ChatClient(server.config(supports_stream=False), http)
        seen: list[str] = []
        await chat.complete(MESSAGES, max_tokens=50, on_text=seen.append)
        assert seen == [] and "stream" not in server.requests[-1].json


async def test_a_stream_dropped_halfway_is_a_transient_failure() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(break_stream=True))
        chat = ChatClient(server.config(supports_stream=True), http)
        with pytest.raises(ProviderUnavailable):
            await chat.complete(MESSAGES, max_tokens=50, on_text=lambda _: None)


async def test_a_hanging_server_times_out_within_the_configured_timeout() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(hang=True))
        chat = ChatClient(server.config(timeout=0.2), http)
        with pytest.raises(ProviderTimeout):
            await chat.complete(MESSAGES, max_tokens=5)


async def test_a_slow_stream_times_out_as_a_whole() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(chunk_delay=0.05))
        chat = ChatClient(server.config(timeout=0.2, supports_stream=True), http)
        with pytest.raises(ProviderTimeout):
            await chat.complete(MESSAGES, max_tokens=50, on_text=lambda _: None)


async def test_429_carries_retry_after_and_quota() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script(
            "chat",
            Reply(status=429, headers={"Retry-After": "7"}),
            Reply(status=429, headers={"retry-after-ms": "250"}),
            Reply(status=429, error_code="insufficient_quota"),
        )
        chat = ChatClient(server.config(), http)
        with pytest.raises(ProviderRateLimited) as first:
            await chat.complete(MESSAGES, max_tokens=5)
        assert first.value.retry_after == 7.0 and not first.value.quota
        with pytest.raises(ProviderRateLimited) as second:
            await chat.complete(MESSAGES, max_tokens=5)
        assert second.value.retry_after == 0.25
        with pytest.raises(ProviderRateLimited) as third:
            await chat.complete(MESSAGES, max_tokens=5)
        assert third.value.quota and third.value.retry_after is None


def test_retry_after_as_an_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"})
    assert retry_after(response, now=lambda: 1445412500.0) == 10.0
    assert retry_after(httpx.Response(429, headers={"Retry-After": "soon"})) is None


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_unavailable(status: int) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("chat", Reply(status=status))
        with pytest.raises(ProviderUnavailable, match=f"HTTP {status}"):
            await ChatClient(server.config(), http).complete(MESSAGES, max_tokens=5)


async def test_refusals_are_recognised_in_every_form() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script(
            "chat",
            Reply(refusal="I can't help with that."),
            Reply(finish_reason="content_filter"),
            Reply(status=400, error_code="content_policy_violation"),
            Reply(refusal="no"),
        )
        chat = ChatClient(server.config(), http)
        streamer = ChatClient(server.config(supports_stream=True), http)
        for _ in range(3):
            with pytest.raises(ProviderRefused):
                await chat.complete(MESSAGES, max_tokens=5)
        with pytest.raises(ProviderRefused):
            await streamer.complete(MESSAGES, max_tokens=5, on_text=lambda _: None)


async def test_an_unreachable_server_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        config = server.config(base_url=f"http://127.0.0.1:{port}/v1")
        with pytest.raises(ProviderUnavailable):
            await ChatClient(config, http).complete(MESSAGES, max_tokens=5)


async def test_errors_and_logs_never_carry_the_key_or_the_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        leaky = json.dumps({"error": {"message": f"bad key {SECRET}", "code": "invalid_api_key"}})
        server.script("chat", Reply(status=401, body=leaky.encode()))
        config = server.config()
        with pytest.raises(ProviderError) as caught:
            await ChatClient(config, http).complete(MESSAGES, max_tokens=5)
        assert str(caught.value) == "provider fake: HTTP 401"
        assert SECRET not in repr(config) and SECRET not in str(config.model_dump())
    assert SECRET not in caplog.text


async def test_models_are_listed() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        assert await ChatClient(server.config(), http).list_models() == ["fake-chat", "fake-image"]


async def test_the_provider_timeout_governs_not_httpx_default() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient(timeout=0.05) as http:
        server.script("chat", Reply(delay=0.2))
        reply = await ChatClient(server.config(timeout=2.0), http).complete(MESSAGES, max_tokens=5)
        assert reply.text


async def test_a_provider_pool_spreads_calls_over_small_shards() -> None:
    pool = HttpPool(connections=45, shard=20)
    assert pool.shards == 3
    async with FakeOpenAI() as server:
        server.delay_for = lambda route, body: 0.05
        chat = ChatClient(server.config(), pool)
        replies = await asyncio.gather(*(chat.complete(MESSAGES, max_tokens=5) for _ in range(45)))
        assert len(replies) == 45 and server.max_in_flight["chat"] == 45
    await pool.aclose()
