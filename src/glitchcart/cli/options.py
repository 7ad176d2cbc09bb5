"""A session's own options from the terminal: its model providers, flipbooks, video.

``glitchcart sessions options KEY`` shows them; with flags it changes them first::

    glitchcart sessions options discord:123 --providers local,offline --video on
    glitchcart sessions options discord:123 --providers default --flipbook default

``default`` hands an option back to the server (the cartridge's providers, then
the settings'; the settings' flipbook and video switches). ``play`` takes the
same flags for the session it plays.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any

import typer
from rich.console import Console

from glitchcart.cli.common import DataDir, JsonFlag, fail, require_data, run
from glitchcart.cli.common import settings as load
from glitchcart.core.keys import SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.errors import GlitchcartError, InvalidInput
from glitchcart.service.engine import Engine
from glitchcart.settings import Settings

EngineOpener = Callable[[Settings], AbstractAsyncContextManager[Engine]]
SWITCHES = {"on": True, "off": False, "default": None}

ProvidersFlag = Annotated[
    str | None,
    typer.Option(
        "--providers",
        help="Model providers for this session, best first (comma-separated), or 'default'.",
    ),
]
FlipbookFlag = Annotated[
    str | None, typer.Option("--flipbook", help="Pictures as short GIFs: on, off or default.")
]
VideoFlag = Annotated[
    str | None, typer.Option("--video", help="A film clip per turn: on, off or default.")
]


def option_changes(
    providers: str | None, flipbook: str | None, video: str | None
) -> dict[str, Any]:
    """The merge patch the flags ask for (empty if none was given); checked for shape."""
    changes: dict[str, Any] = {}
    if providers is not None:
        names = [n.strip() for n in providers.split(",") if n.strip()]
        changes["providers"] = None if providers.strip() == "default" else names
    for name, value in (("flipbook", flipbook), ("video", video)):
        if value is None:
            continue
        if value not in SWITCHES:
            raise InvalidInput(f"--{name}: must be on, off or default")
        changes[name] = SWITCHES[value]
    SessionOptions().merge(changes)
    return changes


def describe(options: SessionOptions) -> str:
    def switch(value: bool | None) -> str:
        return "default" if value is None else ("on" if value else "off")

    providers = ", ".join(options.providers) if options.providers else "default"
    return (
        f"providers: {providers}\nflipbook: {switch(options.flipbook)}\n"
        f"video: {switch(options.video)}"
    )


def options_command(open_engine: EngineOpener) -> Callable[..., None]:
    """The ``sessions options`` command on the engine ``open_engine`` yields."""

    def options(
        key: Annotated[str, typer.Argument(help="Session key namespace:id.")],
        providers: ProvidersFlag = None,
        flipbook: FlipbookFlag = None,
        video: VideoFlag = None,
        player: Annotated[
            str | None, typer.Option("--player", help="Who asks (the crown holder, if any).")
        ] = None,
        as_json: JsonFlag = False,
        data_dir: DataDir = None,
    ) -> None:
        """Show a session's own options; change them first if flags are given."""
        try:
            parsed = SessionKey.parse(key)
            changes = option_changes(providers, flipbook, video)
        except GlitchcartError as exc:
            raise fail(exc) from None
        settings = load(data_dir)

        async def main() -> SessionOptions:
            if not changes:
                require_data(settings, parsed)  # a look makes no data dir
            async with open_engine(settings) as engine:
                if changes:
                    return await engine.configure(parsed, changes, player=player, create=True)
                return (await engine.snapshot(parsed)).options

        chosen = run(main())
        if as_json:
            print(json.dumps(chosen.to_dict(), indent=2))
        else:
            Console().print(describe(chosen), highlight=False)

    return options
