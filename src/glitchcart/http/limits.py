"""Rate limits (token buckets per API key, per player and for new sessions per key)
and the request body limit. Connections are guarded apart, in :mod:`.connections`."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glitchcart.errors import PayloadTooLarge, RateLimited
from glitchcart.http.problem import error_response
from glitchcart.settings import Settings

MAX_BUCKETS = 100_000


class TokenBuckets:
    """One token bucket per name: ``rate`` tokens a second, holding at most ``burst``.

    A request takes a token or is refused with :class:`RateLimited` saying when
    the next token comes. The least recently used buckets are forgotten past
    ``max_buckets`` (a forgotten bucket is a full one, which an idle name has anyway).
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        now: Callable[[], float],
        *,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._now = now
        self._max = max_buckets
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def take(self, name: Hashable, rate: float | None = None, what: str = "requests") -> None:
        rate = rate or self.rate
        burst = max(self.burst, 1)
        now = self._now()
        tokens, since = self._buckets.pop(name, (float(burst), now))
        tokens = min(float(burst), tokens + (now - since) * rate)
        if tokens < 1.0:
            self._buckets[name] = (tokens, now)
            wait = (1.0 - tokens) / rate
            raise RateLimited(
                f"too many {what}; try again in {math.ceil(wait)} s", retry_after=wait
            )
        self._buckets[name] = (tokens - 1.0, now)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)


def session_creations(settings: Settings, now: Callable[[], float]) -> TokenBuckets:
    """Buckets of new sessions per API key: ``new_sessions_per_hour``, all at once at most."""
    per_hour = settings.new_sessions_per_hour
    return TokenBuckets(per_hour / 3600, per_hour, now)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before the app reads them.

    A body is read here whole (it is small by definition) and replayed to the app,
    so a chunked body without a length is held to the limit too.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_large = PayloadTooLarge(f"a request body is at most {self.limit} bytes")
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await error_response(too_large)(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await error_response(too_large)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([whole], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
