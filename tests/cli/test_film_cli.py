"""The ``film`` command on a real data directory, with the engine injected."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import typer
from typer.testing import CliRunner

from glitchcart.adapters.video.film_joiner import FfmpegClipJoiner
from glitchcart.adapters.video.offline_filmmaker import OfflineFilmmaker
from glitchcart.cli.film import film_command
from glitchcart.core.keys import SessionKey
from glitchcart.service.engine import Engine
from glitchcart.service.films import FilmService
from glitchcart.settings import Settings
from support.media import SIZE, mp4_frames
from support.tapes import recording_engine

KEY = SessionKey.parse("cli:filmer")
OTHER = SessionKey.parse("cli:other")
FPS = 6


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[Engine]:
    async with recording_engine(settings.data_dir) as engine:
        engine.films = FilmService(
            store=engine.store,
            media=engine.media,
            cartridges=engine.cartridges,
            filmmaker=OfflineFilmmaker(fps=FPS),
            joiner=FfmpegClipJoiner(size=SIZE, fps=FPS),
            duration=0.5,
            frame_size=SIZE,
        )
        yield engine


def cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(lambda: None)  # keep `film` a sub-command, as in the real app
    app.command("film")(film_command(open_engine))
    return app


async def record(root: Path, turns: int) -> str:
    async with open_engine(Settings(home=root)) as engine:
        await engine.start(KEY, "mini", seed=2)
        for _ in range(turns):
            await engine.choose(KEY, 1)
        await engine.start(OTHER, "mini", seed=3)
        other = (await engine.snapshot(OTHER)).game_id
        assert other is not None
        return other


def test_film_command_stitches_every_turn_lists_and_reuses(tmp_path: Path) -> None:
    other_game = asyncio.run(record(tmp_path, 3))
    runner = CliRunner()
    args = ["film", str(KEY), "--json", "--data-dir", str(tmp_path)]
    first = runner.invoke(cli(), args)
    assert first.exit_code == 0, first.output
    made = json.loads(first.stdout)
    assert (made["first"], made["last"], made["segments"]) == (0, 3, 4)
    path = Path(made["path"])
    assert path.is_relative_to(tmp_path / "sessions" / KEY.folder_name / "films" / "final")
    cards = 2 * FPS + 3 * FPS  # the title and closing cards
    assert abs(len(mp4_frames(path.read_bytes())) - (cards + 4 * FPS // 2)) <= 2
    again = json.loads(runner.invoke(cli(), args).stdout)
    assert (again["path"], again["size"]) == (made["path"], None)
    listed = runner.invoke(
        cli(), ["film", str(KEY), "--list", "--json", "--data-dir", str(tmp_path)]
    )
    assert [r["name"] for r in json.loads(listed.stdout)] == [path.name]
    foreign = runner.invoke(
        cli(), ["film", str(KEY), "--game", other_game, "--data-dir", str(tmp_path)]
    )
    assert foreign.exit_code == 3 and "not played in session" in foreign.output


def test_film_command_refuses_bad_input_with_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_key = runner.invoke(cli(), ["film", "a/../b", "--data-dir", str(tmp_path)])
    assert bad_key.exit_code == 2 and "invalid session key" in bad_key.output
    missing = runner.invoke(cli(), ["film", str(KEY), "--data-dir", str(tmp_path)])
    assert missing.exit_code == 3 and "no session" in missing.output
    assert not (tmp_path / "sessions").exists()
