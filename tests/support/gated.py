"""A store that holds commits while armed, to keep a request in flight."""

from __future__ import annotations

import asyncio
from typing import Any

from glitchcart.adapters.stores.memory import MemorySessionStore


class GatedStore(MemorySessionStore):
    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def commit(self, record: Any, *, expected_version: int, **rest: Any) -> Any:
        if self.armed:
            self.entered.set()
            await self.gate.wait()
        return await super().commit(record, expected_version=expected_version, **rest)
