"""Requests holding an idempotency key while they are served.

A repeat of a finished request is answered from the receipt the engine stored;
a repeat that arrives while the first is still being served is refused with
:class:`Conflict` (HTTP 409), so it is never applied twice nor left waiting.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from glitchcart.errors import Conflict


class InFlight:
    def __init__(self) -> None:
        self._held: set[Hashable] = set()

    @contextmanager
    def hold(self, key: Hashable | None) -> Iterator[None]:
        """Hold ``key`` for the duration of a ``with`` block (None holds nothing)."""
        if key is None:
            yield
            return
        if key in self._held:
            raise Conflict("a request with this idempotency key is still in flight")
        self._held.add(key)
        try:
            yield
        finally:
            self._held.discard(key)
