"""Record what each step of a scenario answered (or raised), to compare two transports."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable
from typing import Any, TypeVar

from pydantic import BaseModel

from glitchcart.errors import GlitchcartError

T = TypeVar("T")


def dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    return value


class Transcript:
    def __init__(self) -> None:
        self.lines: list[tuple[Any, ...]] = []

    async def ok(self, label: str, call: Awaitable[T]) -> T:
        """Await ``call``, which must succeed; record its answer."""
        value = await call
        self.lines.append((label, "ok", dump(value)))
        return value

    async def fails(
        self, label: str, call: Awaitable[Any], expected: type[GlitchcartError]
    ) -> GlitchcartError:
        """Await ``call``, which must raise ``expected`` (exactly that class); record it."""
        try:
            value = await call
        except GlitchcartError as exc:
            self.lines.append((label, "raised", type(exc).__name__, str(exc)))
            assert type(exc) is expected, f"{label}: {type(exc).__name__}: {exc}"
            return exc
        raise AssertionError(f"{label}: expected {expected.__name__}, got {value!r}")

    def note(self, label: str, value: Any) -> None:
        self.lines.append((label, "note", dump(value)))
