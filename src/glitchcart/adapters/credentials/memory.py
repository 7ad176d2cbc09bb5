"""Revocations in this process's memory: tests and throwaway servers."""

from __future__ import annotations


class MemoryRevocations:
    def __init__(self) -> None:
        self._at: dict[tuple[str, str], float] = {}

    async def revoke(self, namespace: str, player: str, at: float) -> None:
        key = (namespace, player)
        self._at[key] = max(at, self._at.get(key, at))

    async def revoked_at(self, namespace: str, player: str) -> float | None:
        return self._at.get((namespace, player))
