"""What only the SQLite store promises: one file shared by connections and processes."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.adapters.stores.sqlite_schema import SCHEMA_VERSION
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import GameRecord, Phase, SessionRecord
from glitchcart.core.state import StateDelta, WorldState
from glitchcart.core.turn import InputKind, TurnInput, TurnRecord
from glitchcart.errors import StaleVersion, StorageError

KEY = SessionKey("cli", "race")
STATE = WorldState(
    turn=0,
    location="platform",
    time_of_day="dawn",
    chaos=0,
    chaos_phase="calm",
    health=10,
    max_health=10,
    injuries=(),
    inventory=("lamp",),
)
GAME = GameRecord("g1", "dust-signal", 7, 0, STATE, (), 0, 1_800_000_000.0, 1_800_000_000.0)


def record(phase: Phase = Phase.READY) -> SessionRecord:
    return SessionRecord(KEY, 0, phase, GAME)


def turn(game_id: str, number: int) -> TurnRecord:
    return TurnRecord(
        game_id=game_id,
        turn=number,
        input=TurnInput(InputKind.TICK, "(time passes)"),
        fate=None,
        narration=f"turn {number}",
        delta=StateDelta(),
        state=STATE,
        choices=(),
        frame=None,
        turn_seed=number,
        created_at=1_800_000_000.0 + number,
    )


def raw(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path, isolation_level=None))


async def test_the_database_is_wal_with_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "data" / "glitchcart.db"  # the folder is created
    store = SqliteSessionStore(path)
    await store.close()

    with raw(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "turns", "games"} <= tables


async def test_two_stores_on_one_file_share_commits_and_the_version_check(
    tmp_path: Path,
) -> None:
    path = tmp_path / "glitchcart.db"
    one, two = SqliteSessionStore(path), SqliteSessionStore(path)
    try:
        created = await one.commit(record(), expected_version=0, turns=[turn("g1", 0)])
        assert await two.load(KEY) == created
        assert await two.history("g1") == [turn("g1", 0)]

        await two.commit(record(Phase.OVER), expected_version=1, turns=[turn("g1", 1)])
        with pytest.raises(StaleVersion):
            await one.commit(record(Phase.RESOLVING), expected_version=1, turns=[turn("g1", 2)])
        with pytest.raises(StaleVersion):
            await one.commit(record(), expected_version=0)

        loaded = await one.load(KEY)
        assert loaded is not None and (loaded.version, loaded.phase) == (2, Phase.OVER)
        assert [t.turn for t in await one.history("g1")] == [0, 1]
    finally:
        await one.close()
        await two.close()


async def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    store = SqliteSessionStore(path)
    saved = await store.commit(record(), expected_version=0, turns=[turn("g1", 0)])
    summaries = await store.list_sessions()
    await store.close()

    again = SqliteSessionStore(path)
    try:
        assert await again.load(KEY) == saved
        assert await again.history("g1") == [turn("g1", 0)]
        assert await again.list_sessions() == summaries
        assert (await again.commit(record(), expected_version=1)).version == 2
    finally:
        await again.close()


async def test_every_commit_updates_the_saved_games_index(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    store = SqliteSessionStore(path)
    try:
        await store.commit(record(), expected_version=0)
        await store.commit(record(Phase.OVER), expected_version=1)
        with raw(path) as conn:
            rows = conn.execute("SELECT game_id, session_key, cartridge, data FROM games")
            ((game_id, session_key, cartridge, data),) = rows.fetchall()
        assert (game_id, session_key, cartridge) == ("g1", "cli:race", "dust-signal")
        assert GameRecord.from_dict(json.loads(data)) == GAME

        await store.delete(KEY)
        with raw(path) as conn:
            assert conn.execute("SELECT count(*) FROM games").fetchone() == (0,)
    finally:
        await store.close()


async def test_stored_json_is_text_that_json_reads(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    store = SqliteSessionStore(path)
    named = SessionRecord(KEY, 0, Phase.READY, GAME, twist="Zoë ☂ 😀 \ud800")  # lone surrogate
    try:
        saved = await store.commit(named, expected_version=0, turns=[turn("g1", 0)])
        with raw(path) as conn:
            rows = conn.execute(
                "SELECT typeof(data), data FROM sessions UNION ALL"
                " SELECT typeof(data), data FROM games UNION ALL"
                " SELECT typeof(data), data FROM turns"
            ).fetchall()
    finally:
        await store.close()

    assert [kind for kind, _ in rows] == ["text", "text", "text"]
    assert json.loads(rows[0][1]) == saved.to_dict()
    assert json.loads(rows[1][1]) == GAME.to_dict()
    assert json.loads(rows[2][1]) == turn("g1", 0).to_dict()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    with raw(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(StorageError, match="schema version"):
        SqliteSessionStore(path)


async def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    path.write_bytes(b"this is not a database, just some text" * 100)

    with pytest.raises(StorageError) as caught:
        SqliteSessionStore(path)
    assert isinstance(caught.value.__cause__, sqlite3.Error)


async def test_sqlite_errors_become_storage_errors_from_them(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    store = SqliteSessionStore(path)
    try:
        await store.commit(record(), expected_version=0)
        with raw(path) as conn:
            conn.execute("DROP TABLE turns")

        with pytest.raises(StorageError) as caught:
            await store.history("g1")
        assert isinstance(caught.value.__cause__, sqlite3.Error)
        with pytest.raises(StorageError):  # and the failed commit is rolled back
            await store.commit(record(Phase.OVER), expected_version=1, turns=[turn("g1", 1)])
        loaded = await store.load(KEY)
        assert loaded is not None and (loaded.version, loaded.phase) == (1, Phase.READY)
    finally:
        await store.close()


async def test_a_corrupt_stored_record_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "glitchcart.db"
    store = SqliteSessionStore(path)
    try:
        await store.commit(record(), expected_version=0)
        with raw(path) as conn:
            conn.execute('UPDATE sessions SET data = \'{"key": "cli:race"\'')

        with pytest.raises(StorageError, match="corrupt"):
            await store.load(KEY)
    finally:
        await store.close()


async def race(
    store: SqliteSessionStore, name: str, target: int, template: dict[str, object]
) -> tuple[int, int]:
    """Load, commit from what was loaded, on StaleVersion load again, until ``target``.

    Each win writes, in the game called ``name``, the turn numbered by the version
    the commit was computed from. Returns (wins, stale refusals).
    """
    wins = stale = 0
    while True:
        current = await store.load(KEY)
        assert current is not None
        if current.version >= target:
            return wins, stale
        won = TurnRecord.from_dict({**template, "game_id": name, "turn": current.version})
        try:
            await store.commit(current, expected_version=current.version, turns=[won])
            wins += 1
        except StaleVersion:
            stale += 1


# The second process runs race() from this very module.
RACER = """
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from test_sqlite_store import SqliteSessionStore, race

async def main(path, target, template):
    store = SqliteSessionStore(Path(path))
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        print(json.dumps(await race(store, "child", target, template)), flush=True)
    finally:
        await store.close()

asyncio.run(main(sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])))
"""


async def test_a_second_process_racing_on_one_file_never_wins_the_same_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "glitchcart.db"
    target = 400
    template = turn("x", 0).to_dict()
    store = SqliteSessionStore(path)
    try:
        await store.commit(record(), expected_version=0)
        here = str(Path(__file__).parent)
        child = await asyncio.create_subprocess_exec(
            *(sys.executable, "-c", RACER, here, str(path), str(target), json.dumps(template)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert child.stdout is not None and child.stdin is not None
            assert await child.stdout.readline() == b"ready\n"
            child.stdin.write(b"go\n")
            await child.stdin.drain()
            parent_wins, _ = await race(store, "parent", target, template)
            out, _ = await asyncio.wait_for(child.communicate(), timeout=60)
        finally:
            if child.returncode is None:
                child.kill()
                await child.communicate()
        assert child.returncode == 0
        child_wins, _ = json.loads(out)

        by_parent = {t.turn for t in await store.history("parent")}
        by_child = {t.turn for t in await store.history("child")}
        loaded = await store.load(KEY)
        assert loaded is not None and loaded.version == target
        assert by_parent.isdisjoint(by_child)  # no version was won twice
        assert by_parent | by_child == set(range(1, target))  # and none was lost
        assert (len(by_parent), len(by_child)) == (parent_wins, child_wins)
    finally:
        await store.close()


def test_processes_opening_a_fresh_database_together_all_succeed(tmp_path: Path) -> None:
    """Switching a new file to WAL can report "locked" without waiting; opening retries."""
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from glitchcart.adapters.stores.sqlite import SqliteSessionStore\n"
        "async def main():\n"
        "    store = SqliteSessionStore(Path(sys.argv[1]))\n"
        "    print(len(await store.list_sessions()))\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )
    for attempt in range(5):
        db = tmp_path / f"fresh{attempt}.db"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(db)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert out.strip() == "0"
