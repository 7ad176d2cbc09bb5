"""The Redis server tests run against, and a fresh key prefix per use.

Tests talk to the real ``redis-server`` at ``GLITCHCART_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/0``; ``make test`` starts one there when none
answers). If none answers, a Redis test is skipped with the reason, except on CI
(``CI=true``), where it fails: CI must not pass by skipping the Redis half.

Every store, lease or log a test builds gets its own key prefix; the prefix's
keys are deleted when the store closes (:func:`redis_store`) or at the end of
the test (:func:`forget_prefixes`), so tests share one database without seeing
each other.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
import redis

URL = os.environ.get("GLITCHCART_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_made: list[str] = []
_answer: list[str | None] = []  # the cached outcome of the first ping: None if it answered


def require_redis() -> str:
    """The server's URL; skips the test (fails it on CI) if no server answers."""
    if not _answer:
        try:
            with redis.Redis.from_url(URL, socket_timeout=1, socket_connect_timeout=1) as client:
                client.ping()
            _answer.append(None)
        except redis.RedisError as exc:
            _answer.append(f"no Redis server answers at {URL} ({exc})")
    reason = _answer[0]
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the Redis tests (make test starts one)")
        pytest.skip(f"{reason}; run `make test` or start redis-server to include them")
    return URL


def fresh_prefix() -> str:
    """A key prefix no other test uses; its keys go at :func:`forget_prefixes`."""
    prefix = f"gctest-{uuid.uuid4().hex[:12]}"
    _made.append(prefix)
    return prefix


def forget_prefixes() -> None:
    """Delete every key under the prefixes handed out so far."""
    if not _made:
        return
    with redis.Redis.from_url(URL) as client:
        for prefix in _made:
            keys: list[Any] = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
    _made.clear()
