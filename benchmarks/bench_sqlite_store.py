"""Commits per second of SqliteSessionStore next to a raw sqlite3 upsert loop.

Both sides write, per commit, the same three rows of the same sizes: a ~2.9 KB
session row, a ~2.1 KB saved-games row (the game and its players) and a ~1.5 KB
turn row, each commit in its own ``BEGIN IMMEDIATE`` transaction, on a WAL
database with ``synchronous=NORMAL`` and the same busy timeout. The raw loop
upserts pre-serialized text; the store also serializes the record and the turn
and checks the version. Each side runs ``--repeat`` times, interleaved, and its
best run is reported.

    .venv/bin/python benchmarks/bench_sqlite_store.py [--commits 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.adapters.stores.sqlite_wal import BUSY_TIMEOUT_MS
from glitchcart.core.fate import Fate
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.roster import Player
from glitchcart.core.session import GameRecord, Phase, SessionRecord
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import Choice, InputKind, TurnInput, TurnRecord

KEY = SessionKey("bench", "store")


def _dumps(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def sample_state(turn: int) -> WorldState:
    return WorldState(
        turn=turn,
        location="abandoned-signal-box",
        time_of_day="dusk",
        chaos=37,
        chaos_phase="unravelling",
        health=6,
        max_health=10,
        injuries=("a deep cut along the left forearm", "a sprained ankle that clicks"),
        inventory=("brass lamp", "coil of rope", "rusted key", "radio with no batteries"),
        flags=(("door", "open"), ("radio", "humming"), ("stranger", "following")),
        recent_events=tuple(
            f"event {i}: the wind carried a voice across the empty platform, calling a name"
            for i in range(6)
        ),
        seen=("platform", "signal box", "water tower", "freight yard", "ticket hall"),
    )


def sample_record() -> SessionRecord:
    """A READY session of six players whose JSON is about 2.8 KB."""
    game = GameRecord(
        game_id="bench-game",
        cartridge="dust-signal",
        seed=123456789,
        opening=2,
        state=sample_state(3),
        choices=tuple(
            Choice(f"Choice {i}: follow the humming radio signal into the dark {i}", "move", "yard")
            for i in range(9)
        ),
        regenerations=1,
        created_at=1_800_000_000.0,
        updated_at=1_800_000_123.5,
    )
    roster = tuple(
        Player(f"{100000000000000000 + i}", f"player {i}", 1_800_000_000.0 + i, 2, 1_800_000_100.0)
        for i in range(6)
    )  # the games row stores their names too
    return SessionRecord(KEY, 0, Phase.READY, game, roster=roster)


def sample_turn(number: int) -> TurnRecord:
    """A turn whose JSON is about 1.5 KB."""
    return TurnRecord(
        game_id="bench-game",
        turn=number,
        input=TurnInput(InputKind.ACTION, "pry open the rusted door with the key", "ada"),
        fate=Fate.NORMAL,
        narration="The key bends but the door gives, groaning on its hinges. " * 4,
        delta=StateDelta(damage=1, items_gained=("ledger",), event="the door gave way"),
        state=replace(sample_state(number), recent_events=("the door gave way",) * 3),
        choices=(Choice("Read the ledger", "search"), Choice("Go back", "move")),
        frame=MediaRef(KEY, "frame", f"bench-game-{number:05d}.png"),
        turn_seed=987654321,
        created_at=1_800_000_200.0,
    )


async def store_loop(folder: Path, commits: int) -> float:
    """Commits per second of the store, turns prepared beforehand."""
    store = SqliteSessionStore(folder / "store.db")
    try:
        record = sample_record()
        turns = [sample_turn(i) for i in range(commits)]
        version = 0
        started = time.perf_counter()
        for turn in turns:
            version = (await store.commit(record, expected_version=version, turns=[turn])).version
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    return commits / elapsed


def raw_loop(folder: Path, commits: int, record_size: int, turn_size: int, game_size: int) -> float:
    """Commits per second of plain upserts of a session, a games and a turn row of these sizes."""
    conn = sqlite3.connect(folder / "raw.db", isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE s (key TEXT PRIMARY KEY, version INTEGER, data TEXT)")
        conn.execute(
            "CREATE TABLE t (game_id TEXT, turn INTEGER, data TEXT, PRIMARY KEY (game_id, turn))"
        )
        conn.execute("CREATE TABLE g (game_id TEXT PRIMARY KEY, data TEXT)")
        record_data, turn_data, game_data = "r" * record_size, "t" * turn_size, "g" * game_size
        started = time.perf_counter()
        for i in range(commits):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO s VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " version = excluded.version, data = excluded.data",
                ("bench:store", i + 1, record_data),
            )
            conn.execute(
                "INSERT INTO g VALUES (?, ?) ON CONFLICT (game_id) DO UPDATE SET"
                " data = excluded.data",
                ("bench-game", game_data),
            )
            conn.execute("INSERT INTO t VALUES (?, ?, ?)", ("bench-game", i, turn_data))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    return commits / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.commits, args.repeat = 200, 1

    record_size = len(_dumps(replace(sample_record(), version=1).to_dict()))
    turn_size = len(_dumps(sample_turn(0).to_dict()))
    record = sample_record()
    assert record.game is not None
    players = [p.name for p in record.roster]
    game_size = len(_dumps(record.game.to_dict())) + len(_dumps(players))
    print(
        f"sizes: record {record_size} B, turn {turn_size} B (games row {game_size} B);"
        f" {args.commits} commits per run, best of {args.repeat}"
    )

    best_store = best_raw = 0.0
    sizes = (record_size, turn_size, game_size)
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            best_raw = max(best_raw, raw_loop(Path(tmp), args.commits, *sizes))
        with tempfile.TemporaryDirectory() as tmp:
            best_store = max(best_store, asyncio.run(store_loop(Path(tmp), args.commits)))

    print(f"raw upsert loop, session + game + turn rows: {best_raw:8.0f} commits/s  (baseline)")
    print(f"SqliteSessionStore:                          {best_store:8.0f} commits/s")
    print(f"ratio store / baseline:                      {best_store / best_raw:8.2f}")


if __name__ == "__main__":
    main()
