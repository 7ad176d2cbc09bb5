"""``glitchcart games``: the saved-game index."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from glitchcart.bootstrap import DB_NAME, open_engine
from glitchcart.cli.common import DataDir, fail
from glitchcart.cli.common import settings as load
from glitchcart.core.keys import SessionKey
from glitchcart.errors import GameNotFound, GlitchcartError
from glitchcart.ports import GameSummary

games_app = typer.Typer(help="List, load and delete saved games.", no_args_is_help=True)


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def _json(g: GameSummary) -> dict[str, object]:
    return {
        "game_id": g.game_id,
        "cartridge": g.cartridge,
        "session": str(g.session),
        "live": g.live,
        "turn": g.turn,
        "alive": g.alive,
        "players": list(g.players),
        "created_at": g.created_at,
        "last_played": g.updated_at,
    }


@games_app.command("list")
def games_list(
    as_json: Annotated[bool, typer.Option("--json")] = False, data_dir: DataDir = None
) -> None:
    """Every saved game, most recently played first."""
    settings = load(data_dir)

    async def main() -> list[GameSummary]:
        if not (settings.data_dir / DB_NAME).exists():
            return []
        async with open_engine(settings) as engine:
            return await engine.games()

    try:
        games = asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    if as_json:
        print(json.dumps([_json(g) for g in games], indent=2))
        return
    table = Table(title="saved games")
    for col in ("game", "cartridge", "session", "turn", "state", "players", "last played"):
        table.add_column(col)
    for g in games:
        state = ("playing" if g.live else "saved") + ("" if g.alive else ", dead")
        table.add_row(
            g.game_id,
            g.cartridge,
            str(g.session),
            str(g.turn),
            state,
            ", ".join(g.players) or "-",
            _when(g.updated_at),
        )
    Console().print(table)


@games_app.command("load")
def games_load(
    game_id: str,
    session: Annotated[str, typer.Option("--session", "-s", help="Session to load it into.")],
    swap: Annotated[bool, typer.Option(help="Save and replace a game running there.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Load a saved game into a session."""
    settings = load(data_dir)
    try:
        key = SessionKey.parse(session)

        async def main() -> None:
            if not (settings.data_dir / DB_NAME).exists():
                raise GameNotFound(f"no saved game {game_id[:64]}")
            async with open_engine(settings) as engine:
                await engine.load_game(key, game_id, swap=swap)

        asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    Console().print(f"loaded {game_id} into {key}; play it with: glitchcart play --session {key}")


@games_app.command("rm")
def games_rm(game_id: str, data_dir: DataDir = None) -> None:
    """Delete a saved game, its history and its pictures."""
    settings = load(data_dir)

    async def main() -> None:
        if not (settings.data_dir / DB_NAME).exists():
            raise GameNotFound(f"no saved game {game_id[:64]}")
        async with open_engine(settings) as engine:
            await engine.delete_game(game_id)

    try:
        asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    Console().print(f"deleted {game_id}")
