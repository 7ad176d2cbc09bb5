"""The Revocations port: memory and SQLite behave alike; SQLite is shared by processes;
the kept secret is made once, private, and the same for every reader."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from glitchcart.adapters.credentials.memory import MemoryRevocations
from glitchcart.adapters.credentials.secret import SECRET_NAME, kept_secret
from glitchcart.adapters.credentials.sqlite import SqliteRevocations
from glitchcart.errors import StorageError
from glitchcart.ports import Revocations


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Revocations]:
    if request.param == "memory":
        yield MemoryRevocations()
        return
    found = SqliteRevocations(tmp_path / "credentials.db")
    yield found
    found.close()


async def test_a_revocation_is_kept_per_player_and_only_moves_forward(store: Revocations) -> None:
    assert await store.revoked_at("web", "alice") is None
    await store.revoke("web", "alice", 100.0)
    await store.revoke("web", "alice", 50.0)  # an older revocation never undoes a newer one
    assert await store.revoked_at("web", "alice") == 100.0
    assert await store.revoked_at("discord", "alice") is None
    assert await store.revoked_at("web", "bob") is None


async def test_sqlite_revocations_are_seen_by_every_process(tmp_path: Path) -> None:
    one, two = (SqliteRevocations(tmp_path / "credentials.db") for _ in range(2))
    try:
        await one.revoke("web", "alice", 7.0)
        assert await two.revoked_at("web", "alice") == 7.0
    finally:
        one.close()
        two.close()
    assert await one.revoked_at("web", "alice") == 7.0  # opened again on use (a restart)
    one.close()


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = kept_secret(tmp_path / "data")
    assert len(first) >= 32 and kept_secret(tmp_path / "data") == first
    mode = (tmp_path / "data" / SECRET_NAME).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == [SECRET_NAME]  # no draft left
    (tmp_path / "data" / SECRET_NAME).write_text("short")
    with pytest.raises(StorageError, match="too short"):
        kept_secret(tmp_path / "data")
