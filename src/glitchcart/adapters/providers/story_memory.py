"""The rolling summary of each game, so long games stay coherent in a bounded prompt.

Every narrated turn adds its event line. Every ``refresh_every`` turns the new
lines are folded into the summary: at once by the offline extractive rule
(:func:`~glitchcart.core.memory.extractive_summary`), then, if a model
summarizer is given, by the model in the background; its summary replaces the
extractive one only if no newer refresh happened meanwhile. A failing model
leaves the extractive summary in place. Nothing here ever blocks a turn.

    memory = StoryMemory(refresh_every=5, max_chars=1200)
    memory.remember("g1", turn=7, event="found a key in the shack", summarize=model_fold)
    memory.recall("g1")       # -> "arrived at the tower. … found a key in the shack."

Summaries live in this process (bounded, oldest game forgotten first); a game
whose summary is gone starts again from its recent events. ``export`` and
``restore`` let a caller keep a summary with the saved game.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from glitchcart.core.memory import extractive_summary, summary_lines
from glitchcart.errors import ProviderError

Summarize = Callable[[str, tuple[str, ...]], Awaitable[str]]
MAX_GAMES = 10_000


@dataclass
class _Note:
    summary: str = ""
    pending: list[str] = field(default_factory=list)
    last_turn: int = -1
    version: int = 0
    refreshing: bool = False


class StoryMemory:
    """Per-game summaries: extractive now, model-written when a model is at hand."""

    def __init__(
        self, *, refresh_every: int = 5, max_chars: int = 1200, max_games: int = MAX_GAMES
    ) -> None:
        self.refresh_every = refresh_every
        self.max_chars = max_chars
        self._max_games = max_games
        self._notes: OrderedDict[str, _Note] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def recall(self, game_id: str | None) -> str:
        """The summary of the story so far (older than the recent events), or ""."""
        note = self._notes.get(game_id) if game_id is not None else None
        return note.summary if note is not None else ""

    def export(self, game_id: str) -> str:
        return self.recall(game_id)

    def restore(self, game_id: str, summary: str) -> None:
        """Seed a game's summary, e.g. from a saved game after a restart."""
        note = self._note(game_id)
        note.summary = summary[: self.max_chars]
        note.version += 1

    def remember(
        self, game_id: str | None, turn: int, event: str, *, summarize: Summarize | None = None
    ) -> None:
        """Add one turn's event; fold the pending events in when a refresh is due."""
        if game_id is None or not event.strip():
            return
        note = self._note(game_id)
        if turn <= note.last_turn:
            return  # a turn resolved twice (a retry after a crash) is remembered once
        note.last_turn = turn
        note.pending.append(event.strip())
        if len(note.pending) < self.refresh_every:
            return
        events = tuple(note.pending)
        note.pending.clear()
        previous = note.summary
        note.summary = extractive_summary(summary_lines(previous), events, self.max_chars)
        note.version += 1
        if summarize is not None and not note.refreshing:
            note.refreshing = True
            task = asyncio.get_running_loop().create_task(
                self._refine(game_id, note, note.version, previous, events, summarize)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refine(
        self,
        game_id: str,
        note: _Note,
        version: int,
        previous: str,
        events: tuple[str, ...],
        summarize: Summarize,
    ) -> None:
        try:
            text = " ".join((await summarize(previous, events)).split())
        except ProviderError:
            return  # the extractive summary stays
        finally:
            note.refreshing = False
        if text and note.version == version and self._notes.get(game_id) is note:
            note.summary = text[: self.max_chars]
            note.version += 1

    async def settle(self) -> None:
        """Wait for the background refreshes in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._tasks.clear()

    def _note(self, game_id: str) -> _Note:
        note = self._notes.pop(game_id, None) or _Note()
        self._notes[game_id] = note
        while len(self._notes) > self._max_games:
            self._notes.popitem(last=False)
        return note
