"""Fixtures every test directory shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.redis_cluster import redis_cluster
from support.redis_server import forget_prefixes


@pytest.fixture(autouse=True)
def _redis_keys_cleaned() -> Iterator[None]:
    """Keys written under a test's Redis prefixes are gone after it."""
    yield
    forget_prefixes()


@pytest.fixture(scope="session")
def redis_cluster_ports() -> Iterator[list[int]]:
    """A 3-master Redis Cluster on loopback ports, started once for the run."""
    with redis_cluster() as ports:
        yield ports
