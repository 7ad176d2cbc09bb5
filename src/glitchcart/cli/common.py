"""What every terminal command shares: its flags, its one-line errors, its progress bar.

A project error becomes one red line on stderr and the exit code the error tree
gives it (:mod:`glitchcart.errors`); nothing else is printed, no traceback::

    try:
        key = SessionKey.parse(raw)
    except GlitchcartError as exc:
        raise fail(exc) from None
    made = run(build(...))                 # a coroutine; its project errors fail the same way
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from glitchcart.bootstrap import DB_NAME
from glitchcart.core.keys import SessionKey
from glitchcart.errors import GlitchcartError, SessionNotFound
from glitchcart.settings import Settings, load_settings

T = TypeVar("T")

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data directory (default: $GLITCHCART_HOME or the user data folder)."
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def fail(exc: GlitchcartError) -> typer.Exit:
    """Print ``exc`` as one line on stderr; the exit to raise, with its code."""
    line = f"[red]error:[/] {escape(str(exc))}"
    Console(stderr=True).print(line, highlight=False, soft_wrap=True)
    return typer.Exit(exc.exit_code)


def settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
    """The settings of every command; a bad one fails in one line naming the variable."""
    try:
        return load_settings(home=data_dir, **overrides)
    except GlitchcartError as exc:
        raise fail(exc) from None


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run one command's coroutine; a project error fails the command in one line, and
    Ctrl-C in the middle of the work stops it with a word (exit 130), not a traceback."""
    try:
        return asyncio.run(work)
    except GlitchcartError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        Console(stderr=True).print("[dim]interrupted[/]")
        raise typer.Exit(130) from None


async def read_line(ask: Callable[[], str]) -> str:
    """One line from ``ask``, read in a daemon thread so the event loop stays free.

    Read on the loop itself, a first Ctrl-C at the prompt is held until Enter (asyncio
    only cancels the main task when the loop runs again); here it cancels the wait at
    once, raised as :class:`asyncio.CancelledError`, and a thread left blocked in
    ``input()`` never keeps the process alive.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not answer.done():
            outcome()

    def work() -> None:
        try:
            line = ask()
        except BaseException as exc:  # handed to the loop and raised there
            failed = exc
            loop.call_soon_threadsafe(settle, lambda: answer.set_exception(failed))
        else:
            loop.call_soon_threadsafe(settle, lambda: answer.set_result(line))

    threading.Thread(target=work, name="keyboard", daemon=True).start()
    return await answer


def has_data(settings: Settings) -> bool:
    return (settings.data_dir / DB_NAME).exists()


def require_data(settings: Settings, key: SessionKey) -> None:
    """A command about a session does not create a data directory to find none there."""
    if not has_data(settings):
        raise SessionNotFound(f"no session {key}")


@contextmanager
def progress_bar(show: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A transient bar on stderr; yields ``update(stage, done, total)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not show,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield update
