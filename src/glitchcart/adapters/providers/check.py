"""``glitchcart providers check``: can we reach each provider, and what does it support?

For each configured provider: list the server's models (is ours among them?),
and, with ``calls=True``, make the smallest real calls to see what works:

    chat   a one-word completion; the same with a JSON schema; the same streamed
    image  (only with ``paint=True``, since an image costs money) one picture

A report holds the provider's name, URL, model and whether a key is set, never
the key. Failures are reported by their sanitized message (provider and HTTP
status only).

    reports = await check_providers(settings, calls=True)
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx

from glitchcart.adapters.providers.openai.chat import ChatClient, HttpProvider
from glitchcart.adapters.providers.openai.painter import fit_png
from glitchcart.errors import ProviderError
from glitchcart.settings import ProviderConfig, Settings

_PROBE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ok"],
    "properties": {"ok": {"type": "boolean"}},
}
_PROBE = [
    {"role": "system", "content": "You are a connectivity check. Answer in one word."},
    {"role": "user", "content": 'Reply with {"ok": true}.'},
]


@dataclass
class ProviderReport:
    name: str
    kind: str
    base_url: str
    model: str
    key_set: bool
    reachable: bool = False
    model_listed: bool | None = None  # None: the server lists no models
    completes: bool | None = None  # None: not tried
    json_schema: bool | None = None
    stream: bool | None = None
    paints: bool | None = None
    latency_ms: float | None = None
    configured: dict[str, bool] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reachable and self.completes is not False and self.paints is not False


async def _timed(report: ProviderReport, what: str, call: Awaitable[object]) -> bool:
    started = time.perf_counter()
    try:
        await call
    except ProviderError as exc:
        report.problems.append(f"{what}: {exc}")
        return False
    if report.latency_ms is None:
        report.latency_ms = (time.perf_counter() - started) * 1000
    report.reachable = True
    return True


async def check_provider(
    config: ProviderConfig, http: httpx.AsyncClient, *, calls: bool, paint: bool
) -> ProviderReport:
    report = ProviderReport(
        name=config.name,
        kind=config.kind,
        base_url=config.base_url,
        model=config.model,
        key_set=config.api_key is not None,
        configured={"json_schema": config.supports_json_schema, "stream": config.supports_stream},
    )
    client = HttpProvider(config, http)
    try:
        models = await client.list_models()
    except ProviderError as exc:
        report.problems.append(f"models: {exc}")
    else:
        report.reachable = True
        report.model_listed = config.model in models if models else None
    if config.kind == "chat" and calls:
        await _check_chat(report, config, http)
    if config.kind == "image" and paint:
        await _check_image(report, client)
    return report


async def _check_chat(
    report: ProviderReport, config: ProviderConfig, http: httpx.AsyncClient
) -> None:
    plain = ChatClient(config.model_copy(update={"supports_json_schema": False}), http)
    report.completes = await _timed(report, "chat", plain.complete(_PROBE, max_tokens=8))
    if not report.completes:
        return
    schema_client = ChatClient(config.model_copy(update={"supports_json_schema": True}), http)
    report.json_schema = await _timed(
        report,
        "json_schema",
        schema_client.complete_json(_PROBE, schema=_PROBE_SCHEMA, name="probe", max_tokens=16),
    )
    streamer = ChatClient(config.model_copy(update={"supports_stream": True}), http)
    pieces: list[str] = []
    streamed = await _timed(
        report, "stream", streamer.complete(_PROBE, max_tokens=8, on_text=pieces.append)
    )
    report.stream = streamed and bool(pieces)


async def _check_image(report: ProviderReport, client: HttpProvider) -> None:
    body = {"model": client.config.model, "prompt": "a grey test card", "n": 1,
            "size": client.config.image_size, "response_format": "b64_json"}  # fmt: skip

    async def paint() -> None:
        async with client.request("POST", "/images/generations", body) as response:
            data = await client.read_json(response, limit=24_000_000)
        try:
            fit_png(base64.b64decode(data["data"][0]["b64_json"]), 64, 36, client.name)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ProviderError(f"provider {client.name}: no b64_json image") from exc

    report.paints = await _timed(report, "image", paint())


async def check_providers(
    settings: Settings,
    *,
    calls: bool = True,
    paint: bool = False,
    http: httpx.AsyncClient | None = None,
) -> list[ProviderReport]:
    """One report per configured provider, in the order they are configured."""
    if http is not None:
        return [await check_provider(c, http, calls=calls, paint=paint) for c in settings.providers]
    async with httpx.AsyncClient(timeout=None) as own:
        return [await check_provider(c, own, calls=calls, paint=paint) for c in settings.providers]
