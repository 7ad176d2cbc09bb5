"""HTTP connections for one provider, in small pools.

httpcore's connection pool does work that grows with the square of its size on
every request (it polls each pooled socket; see encode/httpcore#924, #1035):
at about a hundred concurrent connections in one pool a request waits around a
second for its connection on loopback. So a provider with many slots gets
several ``httpx.AsyncClient`` shards of at most :data:`SHARD` connections each
(8 measured best in ``benchmarks/bench_providers.py``), and each request takes
the least busy shard.

    pool = HttpPool(connections=100)           # 13 shards of 8
    async with pool.client() as http:
        response = await http.send(request)
    await pool.aclose()
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

SHARD = 8


class HttpPool:
    """Least-busy choice among a few ``httpx.AsyncClient`` shards."""

    def __init__(self, connections: int, *, shard: int = SHARD) -> None:
        count = max(1, math.ceil(connections / shard))
        per = math.ceil(connections / count)
        limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
        tls = httpx.create_ssl_context()  # loading the CA bundle once, not once per shard
        self._clients = [
            httpx.AsyncClient(limits=limits, timeout=None, verify=tls) for _ in range(count)
        ]
        self._busy = [0] * count
        self._owned = True

    @classmethod
    def wrap(cls, client: httpx.AsyncClient) -> HttpPool:
        """A pool of one client owned by the caller (tests, a shared client)."""
        pool = cls.__new__(cls)
        pool._clients, pool._busy, pool._owned = [client], [0], False
        return pool

    @property
    def shards(self) -> int:
        return len(self._clients)

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        index = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            yield self._clients[index]
        finally:
            self._busy[index] -= 1

    async def aclose(self) -> None:
        if self._owned:
            for client in self._clients:
                await client.aclose()
