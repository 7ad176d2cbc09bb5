"""The ``glitchcart`` command line: the terminal game and session housekeeping.

Every argument is validated before anything is written; a failure prints one
line to stderr and exits with the error's code (2 bad input, 3 not found,
4 conflict, 5 storage or provider).
"""

from __future__ import annotations

import getpass
import json
import re
import sys
from collections.abc import Awaitable, Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.bootstrap import (
    check_providers,
    open_engine,
    open_runtime,
    open_tapes,
)
from glitchcart.cli.common import DataDir, JsonFlag, fail, has_data, require_data
from glitchcart.cli.common import run as run_now
from glitchcart.cli.common import settings as load
from glitchcart.cli.discord_bot import discord_command
from glitchcart.cli.film import film_command
from glitchcart.cli.games import games_app
from glitchcart.cli.help import PlainHelp
from glitchcart.cli.hints import play_command
from glitchcart.cli.options import (
    FlipbookFlag,
    ProvidersFlag,
    VideoFlag,
    option_changes,
    options_command,
)
from glitchcart.cli.party import SharedKeyboard, player_ids
from glitchcart.cli.play import Interactive, json_emitter, play_auto
from glitchcart.cli.providers import make_providers_app
from glitchcart.cli.render import cartridges_table, sessions_table, show_turn
from glitchcart.cli.serve import serve
from glitchcart.cli.tape import tape_command
from glitchcart.core.ids import MAX_SESSION_ID, SESSION_ID_CHARS
from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
from glitchcart.errors import GlitchcartError
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    cls=PlainHelp,
    help="glitchcart: AI-narrated choose-your-own-adventure games, here in your terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sessions_app = typer.Typer(
    cls=PlainHelp, help="List, show, export and delete sessions.", no_args_is_help=True
)
cartridges_app = typer.Typer(
    cls=PlainHelp, help="The cartridges (game definitions) on offer.", no_args_is_help=True
)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"glitchcart {package_version('glitchcart')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """glitchcart: AI-narrated choose-your-own-adventure games, here in your terminal."""


app.add_typer(sessions_app, name="sessions")
app.add_typer(cartridges_app, name="cartridges")
app.add_typer(games_app, name="games")
app.command()(serve)
app.command("discord")(discord_command)
app.command("tape")(tape_command(open_tapes))
app.command("film")(film_command(open_engine))
app.add_typer(make_providers_app(check_providers), name="providers")


def run(fn: Callable[[], Awaitable[T]]) -> T:
    """Run one command's coroutine function; project errors fail in one line."""
    return run_now(fn())  # type: ignore[arg-type]


def settings_for(data_dir: Path | None) -> Settings:
    return load(data_dir)


def terminal_session() -> SessionKey:
    """The terminal's own session when none is given: ``cli:<login name>``."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "player"
    ident = re.sub(f"[^{SESSION_ID_CHARS}]", "-", login)[:MAX_SESSION_ID] or "player"
    return SessionKey("cli", ident)


def parse_key(raw: str | None) -> SessionKey:
    try:
        return terminal_session() if raw is None else SessionKey.parse(raw)
    except GlitchcartError as exc:
        raise fail(exc) from None


@app.command()
def play(
    session: Annotated[
        str | None,
        typer.Option("--session", "-s", help="Session key namespace:id (default cli:<you>)."),
    ] = None,
    cartridge: Annotated[
        str | None, typer.Option("--cartridge", "-c", help="Cartridge id (see `cartridges list`).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed for a new game (same seed, same story).")
    ] = None,
    auto: Annotated[
        int | None, typer.Option("--auto", min=0, max=100_000, help="Play N turns unattended.")
    ] = None,
    players: Annotated[
        str | None,
        typer.Option("--players", help="Share the keyboard: comma-separated player names."),
    ] = None,
    providers: ProvidersFlag = None,
    flipbook: FlipbookFlag = None,
    video: VideoFlag = None,
    as_json: JsonFlag = False,
    data_dir: DataDir = None,
) -> None:
    """Play a game (resumes the session's game if there is one)."""
    key = parse_key(session)
    try:
        seats = player_ids(players.split(",")) if players else []
        changes = option_changes(providers, flipbook, video)
    except GlitchcartError as exc:
        raise fail(exc) from None
    if seats and auto is not None:
        raise fail(GlitchcartError("--players is for people at the keyboard, not --auto"))
    settings = settings_for(data_dir)
    library = CartridgeLibrary()
    if cartridge is not None:
        try:
            library.get(cartridge)
        except GlitchcartError as exc:
            raise fail(exc) from None
    if as_json and auto is None:
        raise fail(GlitchcartError("--json goes with --auto N"))

    async def main() -> None:
        if changes:  # the session's own options, before its game (re)starts
            async with open_engine(settings, library) as engine:
                await engine.configure(key, changes, create=True)
        resume = play_command(key, data_dir)
        if seats:
            async with open_runtime(settings, library) as (engine, _timers):
                party = SharedKeyboard(engine, key, Console(), seats, resume=resume)
                await party.run(_ask, cartridge, seed)
            return
        async with open_engine(settings, library) as engine:
            if auto is not None:
                emit = json_emitter(engine, key) if as_json else _pretty(engine)
                said = _teller(Console(stderr=as_json, soft_wrap=True, highlight=False))
                await play_auto(
                    engine, key, turns=auto, cartridge=cartridge, seed=seed, emit=emit, said=said
                )
            else:
                game = Interactive(engine, key, Console(), resume=resume)
                await game.run(_ask, cartridge, seed)

    run(main)


def _teller(out: Console) -> Callable[[str], None]:
    def say(line: str) -> None:
        out.print(f"[dim]{escape(line)}[/]")

    return say


def _ask() -> str:
    return Console().input("[bold magenta]> [/]")


def _pretty(engine: Engine) -> Callable[[TurnRecord, str], None]:
    out = Console()

    def emit(record: TurnRecord, cartridge_id: str) -> None:
        path = engine.locate(record.frame) if record.frame else None
        show_turn(out, engine.cartridge(cartridge_id), record, path)

    return emit


@sessions_app.command("list")
def sessions_list(as_json: JsonFlag = False, data_dir: DataDir = None) -> None:
    """List the sessions in the data directory."""
    settings = settings_for(data_dir)

    async def main() -> list[Any]:
        if not has_data(settings):
            return []
        async with open_engine(settings) as engine:
            return await engine.list_sessions()

    rows = run(main)
    if as_json:
        print(json.dumps([_summary_json(s) for s in rows], indent=2))
    else:
        Console().print(sessions_table(rows))


def _summary_json(s: Any) -> dict[str, Any]:
    return {
        "session": str(s.key),
        "version": s.version,
        "phase": s.phase,
        "cartridge": s.cartridge,
        "game_id": s.game_id,
        "turn": s.turn,
        "alive": s.alive,
        "updated_at": s.updated_at,
    }


@sessions_app.command("show")
def sessions_show(key: str, as_json: JsonFlag = False, data_dir: DataDir = None) -> None:
    """Show a session's current state and choices."""
    parsed = parse_key(key)
    settings = settings_for(data_dir)

    async def main() -> None:
        require_data(settings, parsed)
        async with open_engine(settings) as engine:
            snap = await engine.snapshot(parsed)
            if as_json:
                print(json.dumps(_snapshot_json(engine, snap), indent=2))
            elif snap.last is not None and snap.cartridge:
                path = engine.locate(snap.last.frame) if snap.last.frame else None
                Console().print(f"[bold]{parsed}[/] · game {snap.game_id} · {snap.phase}")
                show_turn(Console(), engine.cartridge(snap.cartridge), snap.last, path)
            else:
                Console().print(f"{parsed}: no game running")

    run(main)


def _snapshot_json(engine: Engine, snap: Any) -> dict[str, Any]:
    return {
        "session": str(snap.key),
        "version": snap.version,
        "phase": snap.phase,
        "cartridge": snap.cartridge,
        "game_id": snap.game_id,
        "state": snap.state.to_dict() if snap.state else None,
        "choices": [c.to_dict() for c in snap.choices],
        "last_turn": snap.last.to_dict() if snap.last else None,
    }


sessions_app.command("options")(options_command(open_engine))


@sessions_app.command("rm")
def sessions_rm(key: str, data_dir: DataDir = None) -> None:
    """Delete a session, its history and its pictures."""
    parsed = parse_key(key)
    settings = settings_for(data_dir)

    async def main() -> None:
        require_data(settings, parsed)
        async with open_engine(settings) as engine:
            await engine.delete_session(parsed)

    run(main)
    Console().print(f"deleted {parsed}")


@sessions_app.command("export")
def sessions_export(
    key: str,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a whole session, history included, as JSON."""
    parsed = parse_key(key)
    settings = settings_for(data_dir)

    async def main() -> dict[str, Any]:
        require_data(settings, parsed)
        async with open_engine(settings) as engine:
            snap = await engine.snapshot(parsed)
            history = await engine.history(parsed)
            doc = _snapshot_json(engine, snap)
            doc["seed"] = snap.seed
            doc["history"] = [t.to_dict() for t in history]
            return doc

    doc = run(main)
    text = json.dumps(doc, indent=2)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


@cartridges_app.command("list")
def cartridges_list(as_json: JsonFlag = False) -> None:
    """List the cartridges on offer."""
    try:
        carts = CartridgeLibrary().list()
    except GlitchcartError as exc:
        raise fail(exc) from None
    if as_json:
        rows = [
            {"id": c.id, "title": c.title, "genre": c.genre, "premise": c.premise} for c in carts
        ]
        print(json.dumps(rows, indent=2))
    else:
        Console().print(cartridges_table(carts))


def main() -> None:
    app()
