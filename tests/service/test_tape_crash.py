"""A tape build killed with SIGKILL leaves no partial tape and no ref; a rebuild works."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from glitchcart.adapters.media.files import TEMP_SUFFIX
from glitchcart.core.keys import SessionKey
from support.media import gif_frames, read_bits
from support.tapes import recording_engine, stored_tapes

CHILD = Path(__file__).resolve().parents[1] / "support" / "tape_child.py"
KEY = SessionKey.parse("cli:crash")
TURNS = 90  # at most SAMPLE_ABOVE shots: no sample, so the first full pass is over the cap
CAP = 90_000  # small enough that the build needs a shrinking pass
# Kill after the n-th progress line of the given stage.
KILL_POINTS = [
    ("reading", 1),
    ("encoding", 5),
    ("encoding", 80),
    ("shrinking", 30),
    ("publishing", 0),
]


async def record_session(root: Path) -> None:
    async with recording_engine(root) as engine:
        await engine.start(KEY, "mini", seed=5)
        for i in range(TURNS):
            await engine.choose(KEY, 1 + i % 3)


def build_and_kill(root: Path, stage: str, at: int) -> bool:
    """Run the child until ``stage`` reaches ``at``, then SIGKILL it; True if it was killed."""
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(root), str(KEY), str(CAP)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    killed = False
    for line in proc.stdout:
        parts = line.split()
        if parts and parts[0] == stage and int(parts[1]) >= at:
            os.kill(proc.pid, signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    return killed


def check_tapes_folder(root: Path) -> list[str]:
    """Every published tape is whole; returns the published names."""
    folder = root / "sessions" / KEY.folder_name / "tapes"
    names = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    published = [n for n in names if not n.endswith(TEMP_SUFFIX)]
    for name in published:
        frames = gif_frames((folder / name).read_bytes())
        assert [read_bits(f) for f in frames[1:-1]] == [(t, 0) for t in range(TURNS + 1)]
    return published


async def listed(root: Path) -> list[str]:
    async with stored_tapes(root, max_bytes=CAP) as tapes:
        return [entry.ref.name for entry in await tapes.list(KEY)]


@pytest.mark.slow
def test_sigkill_during_a_build_leaves_no_partial_tape(tmp_path: Path) -> None:
    asyncio.run(record_session(tmp_path))
    kills = 0
    for stage, at in KILL_POINTS:
        before = check_tapes_folder(tmp_path)
        if before:  # a kill after publishing left a whole tape: start clean for the next one
            for name in before:
                (tmp_path / "sessions" / KEY.folder_name / "tapes" / name).unlink()
        kills += build_and_kill(tmp_path, stage, at)
        published = check_tapes_folder(tmp_path)
        assert asyncio.run(listed(tmp_path)) == published  # nothing half-written is listed
        if stage != "publishing":
            assert published == []  # killed before publishing: no file, no ref
    assert kills == len(KILL_POINTS)
    # after the crashes, the same request builds the tape
    assert build_and_kill(tmp_path, "never", 0) is False
    assert len(check_tapes_folder(tmp_path)) == 1
    assert len(asyncio.run(listed(tmp_path))) == 1
