"""The ``tape`` command on a real data directory, with the tape service injected."""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import typer
from typer.testing import CliRunner

from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.adapters.tapes.mp4 import Mp4TapeEncoder
from glitchcart.cli.tape import tape_command
from glitchcart.core.keys import SessionKey
from glitchcart.service.tapes import TapeService
from glitchcart.settings import Settings
from support.media import gif_frames, read_bits
from support.tapes import recording_engine, stored_tapes

KEY = SessionKey.parse("cli:taper")


def open_tapes(settings: Settings) -> AbstractAsyncContextManager[TapeService]:
    return stored_tapes(settings.data_dir, GifTapeEncoder(), Mp4TapeEncoder())


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)  # keep `tape` a sub-command, as in the real app
    app.command("tape")(tape_command(open_tapes))
    return app


async def record(root: Path, turns: int) -> None:
    async with recording_engine(root) as engine:
        await engine.start(KEY, "mini", seed=2)
        for _ in range(turns):
            await engine.choose(KEY, 1)


def test_tape_command_builds_lists_and_reuses(tmp_path: Path) -> None:
    asyncio.run(record(tmp_path, 6))
    runner = CliRunner()
    args = ["tape", str(KEY), "--turns", "2-5", "--json", "--data-dir", str(tmp_path)]
    first = runner.invoke(cli(), args)
    assert first.exit_code == 0, first.output
    made = json.loads(first.stdout)
    assert (made["first"], made["last"], made["built"]) == (2, 5, True)
    path = Path(made["path"])
    assert path.is_relative_to(tmp_path / "sessions" / KEY.folder_name / "tapes")
    frames = gif_frames(path.read_bytes())
    assert [read_bits(f) for f in frames[1:-1]] == [(t, 0) for t in range(2, 6)]
    again = json.loads(runner.invoke(cli(), args).stdout)
    assert (again["path"], again["built"]) == (made["path"], False)
    video = runner.invoke(cli(), ["tape", str(KEY), "-f", "mp4", "--data-dir", str(tmp_path)])
    assert video.exit_code == 0, video.output
    listed = runner.invoke(
        cli(), ["tape", str(KEY), "--list", "--json", "--data-dir", str(tmp_path)]
    )
    assert sorted(e["format"] for e in json.loads(listed.stdout)) == ["gif", "mp4"]


def test_tape_command_refuses_bad_input_with_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    app = cli()
    bad_key = runner.invoke(app, ["tape", "../etc", "--data-dir", str(tmp_path)])
    assert bad_key.exit_code == 2 and "invalid session key" in bad_key.output
    bad_format = runner.invoke(app, ["tape", str(KEY), "-f", "avi", "--data-dir", str(tmp_path)])
    assert bad_format.exit_code == 2
    bad_range = runner.invoke(
        app, ["tape", str(KEY), "--turns", "9-3", "--data-dir", str(tmp_path)]
    )
    assert bad_range.exit_code == 2
    missing = runner.invoke(app, ["tape", str(KEY), "--data-dir", str(tmp_path)])
    assert missing.exit_code == 3 and "no session" in missing.output
    assert not (tmp_path / "sessions").exists()
