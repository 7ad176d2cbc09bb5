"""The scale-out session store: Redis, shared by every glitchcart process.

Every key of a session carries the session's hash tag (:mod:`.redis_keys`), so
each Lua script (:mod:`.redis_scripts`) touches one Redis Cluster slot. A commit
is one script, run by ``EVALSHA`` (registered once): it checks the version and
the lease fence, writes the record, the saved-games entry and the turns, and
``XADD``\\ s the commit's events to the session's stream, so an event exists if
and only if its commit does. No WATCH/MULTI retry loop: a refused script writes
nothing and says why, once.

Where a game's turns live. A game is played in one session at a time but can be
loaded into another (a saved game, a swap). Its turns live in a sorted set (score:
the turn number) in the slot of the session that saved the game last, and a
pointer ``{g:<game>}:owner`` in the game's own slot names that session, so
``history`` is two reads wherever the game went. A commit cannot reach the old
session's slot, so a game moves in steps after the commit that brings it in
(the commit script reports the games its session does not own yet):

1. copy the previous owner's turns into this session's set (the commit's own
   turns win), and mark the game owned here (one script, this slot);
2. point the game's pointer here;
3. drop the game's entry and turns from the previous owner's slot.

Each step repeats harmlessly, and a game stays "not owned" until step 1 has run,
so a process that dies between steps leaves a copy that the session's next commit
finishes moving. Two sessions taking the same game at the same moment is left
unguarded (the service loads a game under the target session's lease only).

Listings (``list_sessions``, ``list_games`` and a game's ``live`` flag) SCAN the
keyspace: they are for operators and the saved-games menu, not for every request.

Redis errors are translated where they enter: a connection or timeout error is
:class:`StorageUnavailable`, any other :class:`StorageError`.

    store = RedisSessionStore.from_url("redis://127.0.0.1:6379/0")
    saved = await store.commit(record, expected_version=record.version, turns=[turn])
    await store.close()
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import redis.asyncio as aioredis
from redis import exceptions as rx

from glitchcart.adapters.stores import redis_scripts as lua
from glitchcart.adapters.stores.codec import (
    decode,
    encode,
    encode_record,
    event_from_row,
    index_entry,
    summarize,
)
from glitchcart.adapters.stores.redis_events import PolledHeads, StreamWatcher
from glitchcart.adapters.stores.redis_keys import RedisKeys
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import GameRecord, Phase, SessionRecord
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import (
    InvalidInput,
    LeaseLost,
    StaleVersion,
    StorageError,
    StorageUnavailable,
)
from glitchcart.ports import Event, EventPage, GameSummary, NewEvent, SessionSummary

KEEP = 1000  # events kept per session (at least; MAXLEN ~ trims in whole stream nodes)
SCAN_COUNT = 500


class _State(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@asynccontextmanager
async def translated(what: str) -> AsyncIterator[None]:
    """Redis errors raised inside become the project's storage errors."""
    try:
        yield
    except (rx.ConnectionError, rx.TimeoutError) as exc:
        raise StorageUnavailable(f"Redis did not answer ({what}): {exc}") from exc
    except rx.RedisError as exc:
        raise StorageError(f"Redis failed ({what}): {exc}") from exc


def connect(url: str) -> aioredis.Redis:
    """A client for ``url`` as every Redis adapter here expects it (text replies)."""
    return aioredis.Redis.from_url(url, decode_responses=True, health_check_interval=30)


class RedisSessionStore:
    """A :class:`~glitchcart.ports.SessionStore` (and event log) on one Redis.

    ``client`` must decode replies to ``str`` (:func:`connect` makes one);
    the store closes it in :meth:`close`. ``event_poll`` is the change signal's
    poll on a cluster client; on one Redis, :meth:`wait` is a blocking ``XREAD``.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "glitchcart",
        keep_events: int = KEEP,
        event_poll: float = 0.05,
    ) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.keep_events = keep_events
        # One blocking XREAD per process; a cluster client polls (one XREAD, one slot).
        self.watcher: StreamWatcher | PolledHeads = (
            PolledHeads(client, self.keys, event_poll)
            if isinstance(client, aioredis.RedisCluster)
            else StreamWatcher(client, self.keys)
        )
        self._commit = client.register_script(lua.COMMIT)
        self._append = client.register_script(lua.APPEND)
        self._read = client.register_script(lua.READ)
        self._adopt = client.register_script(lua.ADOPT)
        self._drop = client.register_script(lua.DROP)
        self._forget = client.register_script(lua.FORGET)
        self._delete = client.register_script(lua.DELETE)
        self._rewrite = client.register_script(lua.REWRITE)
        self._state = _State.OPEN

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisSessionStore:
        return cls(connect(url), **options)

    # ------------------------------------------------------------ SessionStore

    async def load(self, key: SessionKey) -> SessionRecord | None:
        async with self._io("load"):
            text = await self.client.hget(self.keys.of(key, "rec"), "data")
        return None if text is None else decode(SessionRecord.from_dict, text)

    async def commit(
        self,
        record: SessionRecord,
        *,
        expected_version: int,
        turns: Sequence[TurnRecord] = (),
        events: Sequence[NewEvent] = (),
        fence: int | None = None,
    ) -> SessionRecord:
        saved = replace(record, version=expected_version + 1)
        key = saved.key
        record_json, game_json = encode_record(saved)
        s = summarize(saved)
        summary = encode([s.phase, s.cartridge, s.game_id, s.turn, s.alive, s.updated_at])
        game_id, entry = "", ""
        if saved.game is not None:
            e = index_entry(saved, saved.game)
            game_id = e.game_id
            fields = [e.cartridge, e.turn, e.alive, list(e.players), e.created_at, e.updated_at]
            entry = f'{{"e":{encode(fields)},"g":{game_json}}}'
        keys = [self.keys.of(key, n) for n in ("rec", "fence", "events", "head", "games", "owned")]
        turn_games = list(dict.fromkeys(t.game_id for t in turns))
        keys += [self.keys.turns(key, g) for g in turn_games]
        args: list[Any] = [expected_version, saved.version, _fence(fence), record_json, summary]
        args += [game_id, entry, self.keep_events, len(events), len(turns)]
        for event in events:
            args += [event.kind, encode(event.data)]
        for t in turns:
            args += [7 + turn_games.index(t.game_id), t.turn, encode(t.to_dict())]
        owned = ([game_id] if game_id else []) + [g for g in turn_games if g != game_id]
        async with self._io("commit"):
            answer = await self._commit(keys=keys, args=[*args, *owned])
        _check(answer, f"session {key} is no longer at version {expected_version}")
        for moved in answer[2:]:
            await self._move_in(key, moved)
        if events:
            self.watcher.poke()
        return saved

    async def _move_in(self, session: SessionKey, game_id: str) -> None:
        """Bring a game's turns and index entry to ``session`` (see the module docstring)."""
        pointer = self.keys.owner(game_id)
        async with self._io("move a game"):
            previous = await self.client.get(pointer)
            pairs: list[Any] = []
            if previous is not None and previous != str(session):
                old = SessionKey.parse(previous)
                stored = await self.client.zrange(
                    self.keys.turns(old, game_id), 0, -1, withscores=True
                )
                pairs = [x for text, score in stored for x in (int(score), text)]
            mine = [self.keys.of(session, "owned"), self.keys.of(session, "games")]
            mine.append(self.keys.turns(session, game_id))
            await self._adopt(keys=mine, args=[game_id, *pairs])
            await self.client.set(pointer, str(session))
            if previous is not None and previous != str(session):
                old = SessionKey.parse(previous)
                theirs = [self.keys.of(old, "owned"), self.keys.of(old, "games")]
                await self._drop(keys=[*theirs, self.keys.turns(old, game_id)], args=[game_id])

    # ------------------------------------------------------------ EventLog

    async def append(
        self, session: SessionKey, events: Sequence[NewEvent], *, fence: int | None = None
    ) -> list[Event]:
        if not events:
            if fence is not None:  # still refuse a stale holder, as the other stores do
                await self._check_fence(session, fence)
            return []
        keys = [self.keys.of(session, n) for n in ("rec", "fence", "events", "head")]
        args: list[Any] = ["", "", _fence(fence), self.keep_events, len(events)]
        for event in events:
            args += [event.kind, encode(event.data)]
        async with self._io("append events"):
            answer = await self._append(keys=keys, args=args)
        _check(answer, "")
        last = int(answer[1])
        first = last - len(events) + 1
        self.watcher.poke()
        return [Event(session, first + i, e.kind, dict(e.data)) for i, e in enumerate(events)]

    async def _check_fence(self, session: SessionKey, fence: int) -> None:
        async with self._io("check a fence"):
            current = await self.client.get(self.keys.of(session, "fence"))
        if current != str(fence):
            raise LeaseLost(f"the lease of {session} has passed to a newer holder")

    async def read(self, session: SessionKey, *, after: int, limit: int = 256) -> EventPage:
        keys = [self.keys.of(session, "events"), self.keys.of(session, "head")]
        async with self._io("read events"):
            answer = await self._read(keys=keys, args=[after, max(limit, 0)])
        last, oldest = int(answer[0]), answer[1]
        events = tuple(
            event_from_row(session, _event_id(sid), fields[1], fields[3])
            for sid, fields in answer[2:]
        )
        return EventPage(events, _event_id(oldest) if oldest else last + 1, last)

    async def wait(self, session: SessionKey, *, after: int, within: float) -> None:
        self._check_open()
        await self.watcher.wait(session, after, within)

    # ------------------------------------------------------------ history, listings

    async def history(
        self, game_id: str, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        if limit is not None and limit < 0:
            raise InvalidInput("history limit cannot be negative")
        if limit == 0:
            return []
        async with self._io("history"):
            owner = await self.client.get(self.keys.owner(game_id))
            if owner is None:
                return []
            texts = await self.client.zrangebyscore(
                self.keys.turns(SessionKey.parse(owner), game_id),
                start,
                "+inf",
                start=None if limit is None else 0,
                num=limit,
            )
        return [decode(TurnRecord.from_dict, text) for text in texts]

    async def list_sessions(self) -> list[SessionSummary]:
        rows = await self._scan_fields("rec", "sum")
        summaries = [_summary(self.keys.session_of(k), v, s) for k, (v, s) in rows]
        summaries.sort(key=lambda s: s.key)
        return summaries

    async def delete(self, key: SessionKey) -> bool:
        owned_key = self.keys.of(key, "owned")
        async with self._io("delete"):
            games = sorted(await self.client.smembers(owned_key))
            keys = [self.keys.of(key, n) for n in ("rec", "games", "owned", "events")]
            keys += [self.keys.turns(key, g) for g in games]
            answer = await self._delete(keys=keys, args=games)
            late = list(answer[1:])
            for game_id in late:
                await self.client.delete(self.keys.turns(key, game_id))
            for game_id in [*games, *late]:
                await self._forget(keys=[self.keys.owner(game_id)], args=[str(key)])
        return int(answer[0]) == 1

    async def list_games(self) -> list[GameSummary]:
        live = {s.game_id for s in await self.list_sessions() if s.game_id is not None}
        found: dict[str, list[tuple[SessionKey, str]]] = {}
        async with self._io("list games"):
            for k in await self._scan("games"):
                session = self.keys.session_of(k)
                for game_id, text in (await self.client.hgetall(k)).items():
                    found.setdefault(game_id, []).append((session, text))
            games: list[GameSummary] = []
            for game_id, copies in found.items():
                session, text = await self._owning(game_id, copies)
                games.append(_game_summary(game_id, session, game_id in live, text))
        games.sort(key=lambda g: (-g.updated_at, g.game_id))
        return games

    async def _owning(
        self, game_id: str, copies: list[tuple[SessionKey, str]]
    ) -> tuple[SessionKey, str]:
        """The copy of a game entry its pointer names (one, but for a move cut short)."""
        if len(copies) > 1:
            owner = await self.client.get(self.keys.owner(game_id))
            for session, text in copies:
                if str(session) == owner:
                    return session, text
        return copies[0]

    async def load_game(self, game_id: str) -> tuple[GameRecord, GameSummary] | None:
        async with self._io("load a game"):
            owner = await self.client.get(self.keys.owner(game_id))
            if owner is None:
                return None
            session = SessionKey.parse(owner)
            text = await self.client.hget(self.keys.of(session, "games"), game_id)
        if text is None:
            return None
        live = any(s.game_id == game_id for s in await self.list_sessions())
        game = decode(lambda data: GameRecord.from_dict(data["g"]), text)
        return game, _game_summary(game_id, session, live, text)

    async def delete_game(self, game_id: str) -> bool:
        pointer = self.keys.owner(game_id)
        async with self._io("delete a game"):
            owner = await self.client.get(pointer)
            if owner is None:
                return False
            session = SessionKey.parse(owner)
            keys = [self.keys.of(session, "owned"), self.keys.of(session, "games")]
            had = await self._drop(keys=[*keys, self.keys.turns(session, game_id)], args=[game_id])
            await self._forget(keys=[pointer], args=[owner])
        return int(had) == 1

    async def rewrite_history(self, game_id: str, turns: Sequence[TurnRecord]) -> None:
        self._check_open()
        for t in turns:
            if t.game_id != game_id:
                raise InvalidInput(f"turn {t.turn} belongs to game {t.game_id}, not {game_id}")
        if not turns:
            return
        async with self._io("rewrite history"):
            owner = await self.client.get(self.keys.owner(game_id))
            if owner is None:
                raise StorageError(f"turn {turns[0].turn} of game {game_id} is not stored")
            key = self.keys.turns(SessionKey.parse(owner), game_id)
            args = [x for t in turns for x in (t.turn, encode(t.to_dict()))]
            answer = await self._rewrite(keys=[key], args=args)
        if answer[0] == "missing":
            raise StorageError(f"turn {answer[1]} of game {game_id} is not stored")

    async def close(self) -> None:
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        await self.watcher.close()
        async with translated("close"):
            await self.client.aclose()

    async def durability_warning(self) -> str | None:
        """One line saying how acknowledged writes could be lost on a Redis restart,
        from the server's AOF settings; None when every write is fsynced first."""
        try:
            async with self._io("read the persistence settings"):
                found = await self.client.config_get("append*")
        except StorageUnavailable:
            raise
        except StorageError:  # CONFIG refused (a managed Redis): say we could not tell
            return (
                "Redis refused CONFIG GET, so glitchcart cannot tell whether acknowledged"
                " turns survive a Redis restart; set appendonly yes, appendfsync always"
            )
        return persistence_risk(found.get("appendonly", "no"), found.get("appendfsync", ""))

    # ------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._state is _State.CLOSED:
            raise StorageError("the session store is closed")

    @asynccontextmanager
    async def _io(self, what: str) -> AsyncIterator[None]:
        self._check_open()
        async with translated(what):
            yield

    async def _scan(self, name: str) -> list[str]:
        """The key ``name`` of every session (a SCAN: for listings only)."""
        match = self.keys.pattern(name)
        return [k async for k in self.client.scan_iter(match=match, count=SCAN_COUNT)]

    async def _scan_fields(self, name: str, field: str) -> list[tuple[str, tuple[str, str]]]:
        """Every session's key ``name`` with its ``v`` and ``field`` (skipping any
        deleted between the scan and the read)."""
        async with self._io("list"):
            found = await self._scan(name)
            pipe = self.client.pipeline(transaction=False)
            for k in found:
                pipe.hmget(k, "v", field)
            values = await pipe.execute()
        return [(k, (v, s)) for k, (v, s) in zip(found, values, strict=True) if v is not None]


def persistence_risk(appendonly: str, appendfsync: str) -> str | None:
    """What Redis's AOF settings risk for acknowledged turns (None: nothing)."""
    if appendonly != "yes":
        return (
            "Redis runs without an append-only file (appendonly no): acknowledged turns,"
            " votes and events since its last snapshot are lost if Redis restarts;"
            " set appendonly yes, appendfsync always"
        )
    if appendfsync == "everysec":
        return (
            "Redis fsyncs its append-only file once a second (appendfsync everysec): a"
            " crash of the machine, not of Redis alone, can lose the last second or two of"
            " acknowledged turns; appendfsync always loses none"
        )
    if appendfsync != "always":
        return (
            f"Redis leaves fsync to the OS (appendfsync {appendfsync or 'unknown'}): a crash"
            " of the machine can lose about 30 s of acknowledged turns; appendfsync always"
            " loses none"
        )
    return None


def _fence(fence: int | None) -> str:
    return "" if fence is None else str(fence)


def _check(answer: Sequence[Any], stale: str) -> None:
    """Raise the error a script's status word stands for."""
    status = answer[0]
    if status == "ok":
        return
    if status == "lost":
        raise LeaseLost("the lease of this session has passed to a newer holder")
    if status == "stale" and answer[1] == "turn":
        raise StaleVersion(f"turn {answer[2]} is already stored")
    raise StaleVersion(stale)


def _event_id(stream_id: str) -> int:
    return int(stream_id.partition("-")[0])


def _summary(key: SessionKey, version: str, text: str) -> SessionSummary:
    """A session's summary from its ``v`` and ``sum`` fields."""
    try:
        fields: list[Any] = decode(list, text)
        phase, cartridge, game_id, turn, alive, updated_at = fields
        return SessionSummary(
            key, int(version), Phase(phase).value, cartridge, game_id, turn, alive, updated_at
        )
    except (ValueError, TypeError) as exc:
        raise StorageError(f"a stored session summary is corrupt: {exc}"[:200]) from exc


def _game_summary(game_id: str, session: SessionKey, live: bool, text: str) -> GameSummary:
    """A saved game's summary from its entry in a session's games hash."""
    try:
        cartridge, turn, alive, players, created_at, updated_at = decode(dict, text)["e"]
        return GameSummary(
            game_id, cartridge, session, live, turn, alive, tuple(players), created_at, updated_at
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise StorageError(f"a stored game summary is corrupt: {exc}"[:200]) from exc
