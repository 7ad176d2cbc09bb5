"""Media kept in this process's memory: for tests, benchmarks and throwaway runs.

It keeps the :class:`~glitchcart.ports.MediaStore` contract (the suite in
``tests/adapters/test_media_conformance.py`` runs it beside the file store): a
ref is published whole or not at all (its bytes are stored as one immutable
value), a put never overwrites, and each session's media is its own. Nothing is
written to disk and nothing survives the process; like the memory session store,
it holds everything it is given, so it is not for long-running servers.

Usage::

    media = MemoryMediaStore()             # or MemoryMediaStore(now=clock.now)
    await media.put(MediaRef(key, "frame", "0001.png"), png)
"""

from __future__ import annotations

import builtins
import time
from collections.abc import AsyncIterator, Callable

from glitchcart.core.keys import MediaKind, MediaRef, SessionKey
from glitchcart.errors import InvalidInput, MediaNotFound

CHUNK_SIZE = 64 * 1024


class MemoryMediaStore:
    """A :class:`~glitchcart.ports.MediaStore` in a dict per session."""

    def __init__(self, *, now: Callable[[], float] = time.time) -> None:
        self._now = now  # when a file is published: its written_at
        self._sessions: dict[SessionKey, dict[MediaRef, bytes]] = {}
        self._written: dict[MediaRef, float] = {}

    async def put(self, ref: MediaRef, data: bytes) -> bool:
        files = self._sessions.setdefault(ref.session, {})
        if ref in files:
            return False
        files[ref] = bytes(data)  # a copy: the caller's buffer may change afterwards
        self._written[ref] = self._now()
        return True

    async def get(self, ref: MediaRef) -> bytes:
        return self._find(ref)

    async def size(self, ref: MediaRef) -> int:
        return len(self._find(ref))

    async def read(self, ref: MediaRef, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        if chunk_size < 1:
            raise InvalidInput("a chunk is at least one byte")
        data = self._find(ref)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def written_at(self, ref: MediaRef) -> float:
        self._find(ref)
        return self._written[ref]

    async def exists(self, ref: MediaRef) -> bool:
        return ref in self._sessions.get(ref.session, {})

    async def list(self, session: SessionKey, kind: MediaKind) -> builtins.list[MediaRef]:
        """The session's media of one kind, sorted by name."""
        refs = [ref for ref in self._sessions.get(session, {}) if ref.kind == kind]
        return sorted(refs, key=lambda ref: ref.name)

    async def delete_session(self, session: SessionKey) -> None:
        for ref in self._sessions.pop(session, {}):
            self._written.pop(ref, None)

    async def delete(self, ref: MediaRef) -> bool:
        files = self._sessions.get(ref.session, {})
        if files.pop(ref, None) is None:
            return False
        self._written.pop(ref, None)
        if not files:
            self._sessions.pop(ref.session, None)
        return True

    def locate(self, ref: MediaRef) -> str:
        return f"memory:{ref}"

    def _find(self, ref: MediaRef) -> bytes:
        try:
            return self._sessions[ref.session][ref]
        except KeyError:
            raise MediaNotFound(f"no media {ref}") from None
