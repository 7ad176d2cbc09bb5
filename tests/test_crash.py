"""A player process killed with SIGKILL at random moments never loses or tears a turn."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from glitchcart.adapters.stores.sqlite import SqliteSessionStore
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from support.child import JsonLineChild

KILLS = 50


def child(key: str, data_dir: Path, seed: int) -> JsonLineChild:
    """A `glitchcart play --auto` process printing one JSON line per committed turn."""
    return JsonLineChild(
        [
            sys.executable,
            "-m",
            "glitchcart",
            "play",
            "--auto",
            "100000",
            "--json",
            "--session",
            key,
            "--seed",
            str(seed),
            "--data-dir",
            str(data_dir),
        ]
    )


async def check_store(db: Path, key: SessionKey, reported: dict[tuple[str, int], dict[str, Any]]):
    store = SqliteSessionStore(db)
    try:
        record = await store.load(key)
        assert record is not None and record.game is not None
        game = record.game
        history = await store.history(game.game_id)
        # no gap, no half-written turn: turns 0..state.turn, each complete with its frame
        assert [t.turn for t in history] == list(range(game.state.turn + 1))
        assert history[-1].state == game.state
        for t in history:
            if t.frame is not None:
                path = db.parent / "sessions" / key.folder_name / "frames" / t.frame.name
                with Image.open(path) as img:
                    img.verify()
        if record.phase is Phase.RESOLVING:
            assert record.pending is not None and record.pending.turn == game.state.turn + 1
        # every turn the child reported as committed is there, unchanged
        by_turn = {(game.game_id, t.turn): t for t in history}
        for (game_id, turn), line in reported.items():
            if game_id != game.game_id:
                continue
            stored = by_turn[(game_id, turn)]
            assert stored.narration == line["narration"]
            assert stored.state.health == line["state"]["health"]
            assert stored.state.location == line["state"]["location"]
        return record
    finally:
        await store.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_committed_turn(tmp_path: Path) -> None:
    rng = random.Random(20261121)
    db = tmp_path / "glitchcart.db"
    run = 0
    key = f"cli:crash{run}"
    reported: dict[tuple[str, int], dict[str, Any]] = {}
    total_reported = 0
    for _ in range(KILLS):
        host = child(key, tmp_path, seed=1000 + run)
        host.kill_after(rng.uniform(0.0, 0.25))
        for line in host.lines:
            reported[(line["game_id"], line["turn"])] = line
        total_reported += len(host.lines)
        record = asyncio.run(check_store(db, SessionKey.parse(key), reported))
        # every reported turn of the current game is still there after the kill
        assert record.game is not None
        mine = [t for g, t in reported if g == record.game.game_id]
        assert not mine or record.game.state.turn >= max(mine)
        if record.phase is Phase.OVER:
            run += 1
            key = f"cli:crash{run}"
            reported.clear()
    assert total_reported > KILLS  # the kills landed while turns were being played
    for frame in (tmp_path / "sessions").rglob("*.png"):
        with Image.open(frame) as img:  # a published file is always whole
            img.verify()
