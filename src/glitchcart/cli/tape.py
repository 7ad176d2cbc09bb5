"""``glitchcart tape KEY [--format gif|mp4] [--turns A-B]``: a session's replay tape.

Builds (or finds) the tape of the session's game with a progress bar on stderr,
then prints where the file is; ``--list`` lists the session's tapes instead.
The command is made by :func:`tape_command` around a function that opens a
:class:`TapeService` for the settings, so the composition root picks the
adapters and this module stays a thin surface::

    app.command("tape")(tape_command(open_tapes))
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from glitchcart.bootstrap import DB_NAME
from glitchcart.core.keys import SessionKey
from glitchcart.core.tape import TapeFormat, TurnSpan, parse_format
from glitchcart.errors import GlitchcartError, SessionNotFound
from glitchcart.service.tapes import Tape, TapeEntry, TapeService
from glitchcart.settings import Settings, load_settings

T = TypeVar("T")
TapeOpener = Callable[[Settings], AbstractAsyncContextManager[TapeService]]


def tape_command(open_tapes: TapeOpener) -> Callable[..., None]:
    """The ``tape`` command, building tapes with the service ``open_tapes`` yields."""

    def tape(
        key: Annotated[str, typer.Argument(help="Session key namespace:id.")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="gif or mp4.")] = "gif",
        turns: Annotated[
            str | None, typer.Option("--turns", help="Only these turns, e.g. 3-12 or 10-.")
        ] = None,
        list_tapes: Annotated[
            bool, typer.Option("--list", help="List the session's tapes instead.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
        data_dir: Annotated[
            Path | None, typer.Option("--data-dir", help="Data directory (default: as `play`).")
        ] = None,
    ) -> None:
        """Build a replay tape (GIF or MP4) of a session's game, or list its tapes."""
        try:
            parsed = SessionKey.parse(key)
            tape_format = parse_format(fmt)
            span = None if turns is None else TurnSpan.parse(turns)
        except GlitchcartError as exc:
            raise _fail(exc) from None
        settings = load_settings(home=data_dir)
        if list_tapes:
            entries = _run(_list(open_tapes, settings, parsed))
            _show_list(entries, as_json)
            return
        built, where = _run(_build(open_tapes, settings, parsed, tape_format, span, not as_json))
        if as_json:
            print(json.dumps({**built.to_dict(), "path": where}, indent=2))
        else:
            note = "built" if built.built else "already made"
            Console().print(f"tape of turns {built.first}-{built.last} ({note}): {where}")

    return tape


async def _build(
    open_tapes: TapeOpener,
    settings: Settings,
    key: SessionKey,
    fmt: TapeFormat,
    span: TurnSpan | None,
    show_progress: bool,
) -> tuple[Tape, str]:
    _require_data(settings, key)
    async with open_tapes(settings) as tapes:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not show_progress,
        ) as bar:
            task = bar.add_task("starting", total=None)

            def update(stage: str, done: int, total: int) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            made = await tapes.build(key, turns=span, fmt=fmt, progress=update)
        return made, tapes.locate(key, made.ref)


async def _list(open_tapes: TapeOpener, settings: Settings, key: SessionKey) -> list[TapeEntry]:
    _require_data(settings, key)
    async with open_tapes(settings) as tapes:
        return await tapes.list(key)


def _show_list(entries: list[TapeEntry], as_json: bool) -> None:
    if as_json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return
    out = Console()
    if not entries:
        out.print("no tapes yet")
    for e in entries:
        out.print(f"{e.ref.name}  game {e.game} · turns {e.first}-{e.last} · {e.format}")


def _require_data(settings: Settings, key: SessionKey) -> None:
    if not (settings.data_dir / DB_NAME).exists():
        raise SessionNotFound(f"no session {key}")


def _run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except GlitchcartError as exc:
        raise _fail(exc) from None


def _fail(exc: GlitchcartError) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(exc.exit_code)
