"""An in-memory session store for tests: the SQLite store's behaviour, nothing on disk.

Records and turns are kept as JSON text, exactly as the SQLite store keeps them,
so a caller can never change stored state through an object it holds and every
round trip goes through ``to_dict``/``from_dict`` like a real store. A commit
has no ``await`` inside, so it is atomic on one event loop.

>>> import asyncio
>>> from glitchcart.core.session import empty_session
>>> store = MemorySessionStore()
>>> key = SessionKey.parse("cli:alice")
>>> asyncio.run(store.commit(empty_session(key), expected_version=0)).version
1
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from glitchcart.adapters.events.memory import KEEP, MemoryEventLog
from glitchcart.adapters.stores.codec import index_entry, summarize
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import GameRecord, SessionRecord
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import InvalidInput, StaleVersion, StorageError
from glitchcart.ports import Event, EventPage, GameSummary, NewEvent, SessionSummary


def _dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


class MemorySessionStore:
    """A :class:`~glitchcart.ports.SessionStore` that lives and dies with the process."""

    def __init__(self, *, keep_events: int = KEEP) -> None:
        # session -> (version, id of the game it has loaded, record JSON)
        self._records: dict[SessionKey, tuple[int, str | None, str]] = {}
        self._turns: dict[str, dict[int, str]] = {}
        # the saved-games index: game id -> (its entry, game JSON)
        self._games: dict[str, tuple[GameSummary, str]] = {}
        self._closed = False
        # the newest lease fence per session (shared with a MemorySessionLease)
        self.fences: dict[SessionKey, int] = {}
        self.leases: dict[SessionKey, object] = {}  # a MemorySessionLease's holders
        self.events = MemoryEventLog(keep_events, self.fences)

    async def load(self, key: SessionKey) -> SessionRecord | None:
        self._check_open()
        stored = self._records.get(key)
        return None if stored is None else SessionRecord.from_dict(json.loads(stored[2]))

    async def commit(
        self,
        record: SessionRecord,
        *,
        expected_version: int,
        turns: Sequence[TurnRecord] = (),
        events: Sequence[NewEvent] = (),
        fence: int | None = None,
    ) -> SessionRecord:
        self._check_open()
        self.events.check_fence(record.key, fence)
        stored = self._records.get(record.key)
        current = 0 if stored is None else stored[0]
        if current != expected_version:
            raise StaleVersion(
                f"session {record.key} is at version {current}, not {expected_version}"
            )
        new_turns: dict[tuple[str, int], str] = {}
        for turn in turns:
            slot = (turn.game_id, turn.turn)
            if slot in new_turns or turn.turn in self._turns.get(turn.game_id, {}):
                raise StaleVersion(f"turn {turn.turn} of game {turn.game_id} is already stored")
            new_turns[slot] = _dumps(turn.to_dict())
        saved = replace(record, version=expected_version + 1)
        record_json, game = _dumps(saved.to_dict()), saved.game
        indexed = None if game is None else (index_entry(saved, game), _dumps(game.to_dict()))
        # Everything is checked and serialized; from here on nothing can fail halfway.
        loaded = None if indexed is None else indexed[0].game_id
        self._records[record.key] = (saved.version, loaded, record_json)
        if indexed is not None:
            self._games[indexed[0].game_id] = indexed
        for (game_id, number), data in new_turns.items():
            self._turns.setdefault(game_id, {})[number] = data
        self.events.write(record.key, events)
        return saved

    # ------------------------------------------------------------ EventLog

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        self._check_open()
        return await self.events.append(session, events, fence=fence)

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage:
        self._check_open()
        return await self.events.read(session, after=after, limit=limit)

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None:
        self._check_open()
        await self.events.wait(session, after=after, within=within)

    async def history(
        self, game_id: str, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        self._check_open()
        if limit is not None and limit < 0:
            raise InvalidInput("history limit cannot be negative")
        stored = self._turns.get(game_id, {})
        numbers = sorted(n for n in stored if n >= start)
        if limit is not None:
            numbers = numbers[:limit]
        return [TurnRecord.from_dict(json.loads(stored[n])) for n in numbers]

    async def list_sessions(self) -> list[SessionSummary]:
        self._check_open()
        return [
            summarize(SessionRecord.from_dict(json.loads(self._records[key][2])))
            for key in sorted(self._records)
        ]

    async def delete(self, key: SessionKey) -> bool:
        self._check_open()
        if self._records.pop(key, None) is None:
            return False
        self.events.forget(key)
        for game_id in [g for g, (entry, _) in self._games.items() if entry.session == key]:
            del self._games[game_id]
            self._turns.pop(game_id, None)
        return True

    async def list_games(self) -> list[GameSummary]:
        self._check_open()
        live = self._live()
        entries = [replace(entry, live=entry.game_id in live) for entry, _ in self._games.values()]
        entries.sort(key=lambda e: e.game_id)
        entries.sort(key=lambda e: e.updated_at, reverse=True)  # stable: ties stay by id
        return entries

    async def load_game(self, game_id: str) -> tuple[GameRecord, GameSummary] | None:
        self._check_open()
        if game_id not in self._games:
            return None
        entry, data = self._games[game_id]
        return GameRecord.from_dict(json.loads(data)), replace(entry, live=game_id in self._live())

    async def delete_game(self, game_id: str) -> bool:
        self._check_open()
        self._turns.pop(game_id, None)
        return self._games.pop(game_id, None) is not None

    async def rewrite_history(self, game_id: str, turns: Sequence[TurnRecord]) -> None:
        self._check_open()
        for turn in turns:
            if turn.game_id != game_id:
                raise InvalidInput(
                    f"turn {turn.turn} belongs to game {turn.game_id}, not {game_id}"
                )
        stored = self._turns.get(game_id, {})
        rewritten: dict[int, str] = {}
        for turn in turns:
            if turn.turn not in stored:
                raise StorageError(f"turn {turn.turn} of game {game_id} is not stored")
            rewritten[turn.turn] = _dumps(turn.to_dict())
        stored.update(rewritten)

    async def close(self) -> None:
        self._closed = True

    def _live(self) -> set[str | None]:
        """The ids of the games some session has loaded."""
        return {loaded for _, loaded, _ in self._records.values()}

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the session store is closed")
