"""``glitchcart film KEY [--game ID]``: a session's game as one film, on demand.

Stitches the game's per-turn clips into a film under the session's
``films/final/`` (shooting any clip that is missing, so it works whether or not
the session was in video mode), with a progress bar on stderr, then prints where
the file is; ``--list`` lists the session's films instead. Like ``tape``, the
command is made around a function that opens an engine for the settings::

    app.command("film")(film_command(open_engine))
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated

import typer
from rich.console import Console

from glitchcart.cli.common import DataDir, JsonFlag, fail, progress_bar, require_data, run
from glitchcart.cli.common import settings as load
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.errors import GlitchcartError, NoGameRunning, StorageError
from glitchcart.service.engine import Engine
from glitchcart.service.films import Film
from glitchcart.settings import Settings

EngineOpener = Callable[[Settings], AbstractAsyncContextManager[Engine]]


def film_command(open_engine: EngineOpener) -> Callable[..., None]:
    """The ``film`` command, stitching films with the engine ``open_engine`` yields."""

    def film(
        key: Annotated[str, typer.Argument(help="Session key namespace:id.")],
        game: Annotated[
            str | None,
            typer.Option("--game", help="A saved game of the session (default: its current one)."),
        ] = None,
        list_films: Annotated[
            bool, typer.Option("--list", help="List the session's films instead.")
        ] = False,
        as_json: JsonFlag = False,
        data_dir: DataDir = None,
    ) -> None:
        """Stitch a session's game into one MP4 film (its clips, one per turn), or list films."""
        try:
            parsed = SessionKey.parse(key)
        except GlitchcartError as exc:
            raise fail(exc) from None
        settings = load(data_dir)
        if list_films:
            refs = run(_list(open_engine, settings, parsed))
            if as_json:
                print(json.dumps([r.to_dict() for r in refs], indent=2))
            else:
                Console().print("\n".join(r.name for r in refs) or "no films yet")
            return
        made, where = run(_stitch(open_engine, settings, parsed, game, not as_json))
        if as_json:
            print(json.dumps({**made.to_dict(), "path": where}, indent=2))
        else:
            note = "already made" if made.size is None else "made"
            line = (
                f"film of turns {made.first}-{made.last}, {made.segments} clips ({note}): {where}"
            )
            Console().print(line, soft_wrap=True, highlight=False)  # a path stays whole

    return film


async def _stitch(
    open_engine: EngineOpener,
    settings: Settings,
    key: SessionKey,
    game_id: str | None,
    show_progress: bool,
) -> tuple[Film, str]:
    require_data(settings, key)
    async with open_engine(settings) as engine:
        if not engine.films_on:
            raise StorageError("films are not available in this process")
        if game_id is None:
            game_id = (await engine.snapshot(key)).game_id
            if game_id is None:
                raise NoGameRunning(f"session {key} has no game; name one with --game")
        with progress_bar(show_progress) as update:
            made = await engine.stitch_film(key, game_id, progress=update)
        return made, engine.locate(made.ref)


async def _list(open_engine: EngineOpener, settings: Settings, key: SessionKey) -> list[MediaRef]:
    require_data(settings, key)
    async with open_engine(settings) as engine:
        return await engine.list_films(key)
