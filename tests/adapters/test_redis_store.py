"""What the Redis store adds to the store contract: one slot per session, errors
translated where they enter, and the persistence warning read from the server."""

from __future__ import annotations

import pytest
import redis
from redis.crc import key_slot

from glitchcart.adapters.stores.redis import RedisSessionStore, persistence_risk
from glitchcart.adapters.stores.redis_keys import RedisKeys
from glitchcart.core.keys import SessionKey
from glitchcart.errors import StorageUnavailable
from support.redis_server import fresh_prefix, require_redis
from support.serve_process import free_port

FOX = SessionKey.parse("discord:1234567890")


def test_every_key_of_a_session_is_in_one_cluster_slot() -> None:
    keys = RedisKeys("gc")
    names = ["rec", "fence", "lease", "events", "head", "games", "owned"]
    found = [keys.of(FOX, n) for n in names] + [keys.turns(FOX, "g-1"), keys.turns(FOX, "G2")]
    assert {key_slot(k.encode()) for k in found} == {key_slot(b"discord:1234567890")}
    assert keys.session_of(keys.of(FOX, "rec")) == FOX


def test_a_game_pointer_is_in_the_games_own_slot_whatever_its_id() -> None:
    keys = RedisKeys("gc")
    assert keys.owner("g-1") == "gc:{g:g-1}:owner"
    assert keys.owner("a}b{") == "gc:{g:x617d627b}:owner"  # braces never reach a key


@pytest.mark.parametrize(
    ("appendonly", "appendfsync", "risk"),
    [
        ("yes", "always", None),
        ("no", "always", "appendonly no"),
        ("yes", "everysec", "appendfsync everysec"),
        ("yes", "no", "appendfsync no"),
    ],
)
def test_the_persistence_warning_names_the_setting_that_risks_turns(
    appendonly: str, appendfsync: str, risk: str | None
) -> None:
    found = persistence_risk(appendonly, appendfsync)
    assert found is None if risk is None else (found is not None and risk in found)
    assert found is None or "\n" not in found  # one line


async def test_the_warning_is_read_from_the_server_settings() -> None:
    store = RedisSessionStore.from_url(require_redis(), prefix=fresh_prefix())
    try:
        with redis.Redis.from_url(require_redis(), decode_responses=True) as plain:
            config = plain.config_get("append*")
        expected = persistence_risk(config["appendonly"], config["appendfsync"])
        assert await store.durability_warning() == expected
    finally:
        await store.close()


async def test_a_redis_that_does_not_answer_is_storage_unavailable() -> None:
    store = RedisSessionStore.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix="gc")
    try:
        with pytest.raises(StorageUnavailable):
            await store.load(FOX)
        with pytest.raises(StorageUnavailable):
            await store.durability_warning()
    finally:
        await store.close()
