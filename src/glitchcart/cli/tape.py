"""``glitchcart tape KEY [--format gif|mp4] [--turns A-B]``: a session's replay tape.

Builds (or finds) the tape of the session's game with a progress bar on stderr,
then prints where the file is; ``--list`` lists the session's tapes instead.
The command is made by :func:`tape_command` around a function that opens a
:class:`TapeService` for the settings, so the composition root picks the
adapters and this module stays a thin surface::

    app.command("tape")(tape_command(open_tapes))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from glitchcart.cli.common import DataDir, JsonFlag, fail, progress_bar, require_data, run
from glitchcart.cli.common import settings as load
from glitchcart.core.keys import SessionKey
from glitchcart.core.tape import TapeFormat, TurnSpan, parse_format
from glitchcart.errors import GlitchcartError
from glitchcart.service.tapes import Tape, TapeEntry, TapeService
from glitchcart.settings import Settings

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
        as_json: JsonFlag = False,
        data_dir: DataDir = None,
    ) -> None:
        """Build a replay tape (GIF or MP4) of a session's game, or list its tapes."""
        try:
            parsed = SessionKey.parse(key)
            tape_format = parse_format(fmt)
            span = None if turns is None else TurnSpan.parse(turns)
        except GlitchcartError as exc:
            raise fail(exc) from None
        settings = load(data_dir)
        if list_tapes:
            entries = run(_list(open_tapes, settings, parsed))
            _show_list(entries, as_json)
            return
        built, where = run(_build(open_tapes, settings, parsed, tape_format, span, not as_json))
        if as_json:
            print(json.dumps({**built.to_dict(), "path": where}, indent=2))
        else:
            note = "built" if built.built else "already made"
            line = f"tape of turns {built.first}-{built.last} ({note}): {where}"
            Console().print(line, soft_wrap=True, highlight=False)  # a path stays whole

    return tape


async def _build(
    open_tapes: TapeOpener,
    settings: Settings,
    key: SessionKey,
    fmt: TapeFormat,
    span: TurnSpan | None,
    show_progress: bool,
) -> tuple[Tape, str]:
    require_data(settings, key)
    async with open_tapes(settings) as tapes:
        with progress_bar(show_progress) as update:
            made = await tapes.build(key, turns=span, fmt=fmt, progress=update)
        return made, tapes.locate(key, made.ref)


async def _list(open_tapes: TapeOpener, settings: Settings, key: SessionKey) -> list[TapeEntry]:
    require_data(settings, key)
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
