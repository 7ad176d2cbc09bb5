"""``glitchcart games``: the saved-game index.

Game ids are printed whole (a table folds them rather than cut them), and any
unique prefix of one is accepted back, as ``git`` takes a short commit id.
"""

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
from glitchcart.cli.help import PlainHelp
from glitchcart.cli.hints import command_name, play_command
from glitchcart.core.keys import SessionKey
from glitchcart.errors import Conflict, GameNotFound, GlitchcartError, InvalidInput, SessionNotFound
from glitchcart.ports import GameSummary
from glitchcart.service.engine import Engine

games_app = typer.Typer(
    cls=PlainHelp, help="List, load and delete saved games.", no_args_is_help=True
)


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
    table.add_column(
        "game", no_wrap=True, min_width=len(max((g.game_id for g in games), key=len, default=""))
    )
    for col in ("cartridge", "session", "turn", "state", "players", "last played"):
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

        async def main() -> str:
            if not (settings.data_dir / DB_NAME).exists():
                raise GameNotFound(f"no saved game {game_id[:64]}")
            async with open_engine(settings) as engine:
                found = await whole_id(engine, game_id)
                await engine.load_game(key, found, swap=swap)
                return found

        loaded = asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    Console().print(
        f"loaded {loaded} into {key}; play it with: {play_command(key, data_dir)}",
        soft_wrap=True,
        highlight=False,
    )


@games_app.command("rm")
def games_rm(game_id: str, data_dir: DataDir = None) -> None:
    """Delete a saved game, its history and its pictures."""
    settings = load(data_dir)

    async def main() -> str:
        if not (settings.data_dir / DB_NAME).exists():
            raise GameNotFound(f"no saved game {game_id[:64]}")
        async with open_engine(settings) as engine:
            found = await whole_id(engine, game_id)
            try:
                await engine.delete_game(found)
            except Conflict as exc:
                running = next(g.session for g in await engine.games() if g.game_id == found)
                raise Conflict(
                    f"{exc}: {command_name()} games exit {running}"
                    + (f" --data-dir {data_dir}" if data_dir else "")
                ) from None
            return found

    try:
        deleted = asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    Console().print(f"deleted {deleted}", highlight=False)


@games_app.command("exit")
def games_exit(
    session: Annotated[str, typer.Argument(help="Session key namespace:id.")],
    data_dir: DataDir = None,
) -> None:
    """Save and eject the game running in a session (it stays in the saved games)."""
    settings = load(data_dir)
    try:
        key = SessionKey.parse(session)

        async def main() -> str:
            if not (settings.data_dir / DB_NAME).exists():
                raise SessionNotFound(f"no session {key}")
            async with open_engine(settings) as engine:
                return await engine.exit(key)

        game_id = asyncio.run(main())
    except GlitchcartError as exc:
        raise fail(exc) from None
    Console().print(f"saved and ejected {game_id} from {key}", highlight=False)


async def whole_id(engine: Engine, given: str) -> str:
    """The saved game ``given`` names: its whole id, or a prefix that only it starts with."""
    games = [g.game_id for g in await engine.games()]
    if given in games:
        return given
    matches = [g for g in games if given and g.startswith(given)]
    if len(matches) > 1:
        raise InvalidInput(f"{given[:64]} starts {len(matches)} game ids; give more of it")
    if not matches:
        raise GameNotFound(f"no saved game {given[:64]}")
    return matches[0]
