"""The one record codec every session store shares: JSON text and summaries.

A store keeps a record as the JSON text of its ``to_dict`` and a few columns
(or hash fields) summarising it for listings; both come from here, so the
SQLite, memory and (later) Redis stores cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic_core import PydanticSerializationError, to_json

from glitchcart.core.keys import SessionKey
from glitchcart.core.session import GameRecord, SessionRecord
from glitchcart.errors import InvalidInput, StorageError
from glitchcart.ports import Event, GameSummary, SessionSummary

_T = TypeVar("_T")
_json_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def encode(data: Any) -> str:
    """``data`` as compact JSON text that :func:`json.loads` reads back to equal values.

    pydantic-core (pydantic's own core, so no new dependency) encodes a commit's rows
    about three times faster than :mod:`json` on Python 3.11, which is most of a
    commit's own cost (``benchmarks/bench_sqlite_store.py``). Its text keeps non-ASCII
    characters as UTF-8 where :mod:`json` writes ``\\u`` escapes, and writes ``NaN`` and
    ``Infinity`` as :mod:`json` does; both decode to the same values. What it refuses (a
    lone surrogate, an unknown type) goes to :mod:`json`, which escapes the surrogate or
    raises its usual ``TypeError``. It also takes a few things :mod:`json` refuses (sets,
    dataclasses, bytes), which records, made of JSON values, never hold.
    """
    try:
        return to_json(data, inf_nan_mode="constants").decode()
    except PydanticSerializationError:
        return _json_encode(data)


def decode(parse: Callable[[dict[str, Any]], _T], text: str) -> _T:
    """Parse stored JSON; data that does not parse is a storage failure."""
    try:
        return parse(json.loads(text))
    except (ValueError, KeyError, TypeError, InvalidInput) as exc:
        raise StorageError(f"a stored record is corrupt: {exc!r}"[:200]) from exc


def encode_record(record: SessionRecord) -> tuple[str, str]:
    """The JSON text of a record and of its game (``null`` when it has none).

    The game, the bulk of both, is encoded once and spliced into the record's text,
    since a store keeps it twice (in the record and in the saved-games index).
    """
    data = record.to_dict()
    game_json = encode(data.pop("game"))
    return f'{encode(data)[:-1]},"game":{game_json}}}', game_json  # data always holds "key"


def summarize(record: SessionRecord) -> SessionSummary:
    """The summary of a record; ``updated_at`` is the latest time the record carries."""
    game, pending = record.game, record.pending
    return SessionSummary(
        key=record.key,
        version=record.version,
        phase=record.phase.value,
        cartridge=game.cartridge if game else None,
        game_id=game.game_id if game else None,
        turn=game.state.turn if game else 0,
        alive=game.state.alive if game else True,
        updated_at=max(game.updated_at if game else 0.0, pending.closed_at if pending else 0.0),
    )


def index_entry(record: SessionRecord, game: GameRecord) -> GameSummary:
    """The saved-games index entry a commit of ``record`` writes (``live`` is worked out
    when the index is read)."""
    return GameSummary(
        game_id=game.game_id,
        cartridge=game.cartridge,
        session=record.key,
        live=False,
        turn=game.state.turn,
        alive=game.state.alive,
        players=tuple(p.name for p in record.roster),
        created_at=game.created_at,
        updated_at=game.updated_at,
    )


def event_from_row(session: SessionKey, event_id: int, kind: str, data: str) -> Event:
    """A stored event; one that does not parse is a storage failure."""
    return Event(session, event_id, kind, decode(dict, data))
