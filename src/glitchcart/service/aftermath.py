"""What a committed turn tells the players, and what follows it: notices and media.

Everything here runs after the commit and reads only committed values, so a
tape or film never holds a turn that was not committed (DESIGN rule 5).
"""

from __future__ import annotations

from collections.abc import Callable

from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
from glitchcart.ports import NewEvent
from glitchcart.service.films import FilmService
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.tapes import TapeService

Notices = Callable[[SessionKey], list[str]]


class Aftermath:
    """Notices after a commit; a turn's clip, and at death its film and tape."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        tapes: TapeService | None = None,
        films: FilmService | None = None,
        notices: Notices | None = None,
    ) -> None:
        self.runtime = runtime
        self.tapes = tapes
        self.films = films
        self._notices = notices

    async def follow(
        self, key: SessionKey, cartridge: str, turn: TurnRecord, *, video: bool
    ) -> None:
        """Pass on notices after ``turn`` (just committed) and start its media in the
        background: a clip per turn in video mode; at death the film and the tape."""
        if self._notices is not None:
            for line in self._notices(key):  # e.g. a spent budget moved to a cheaper model
                await self.runtime.publish(key, "notice", {"text": line})
        if video and self.films is not None and turn.frame is not None:
            self.runtime.background(self._film_turn(key, turn))
        if not turn.state.alive and self.tapes is not None:
            self.runtime.background(self.tapes.build_game(key, turn.game_id, cartridge))

    async def _film_turn(self, key: SessionKey, turn: TurnRecord) -> None:
        assert self.films is not None
        await self.films.shoot(key, turn.game_id, turn.turn)
        if not turn.state.alive:
            await self.films.stitch(key, turn.game_id)


def turn_events(turn: TurnRecord) -> tuple[NewEvent, ...]:
    """The events committed with ``turn``: its frame, then the next choices or the end."""
    events = []
    if turn.frame is not None:
        events.append(NewEvent("frame_ready", {"turn": turn.turn, "ref": turn.frame.to_dict()}))
    if turn.state.alive:
        choices = [c.to_dict() for c in turn.choices]
        events.append(
            NewEvent("choices", {"game_id": turn.game_id, "turn": turn.turn, "choices": choices})
        )
    else:
        cause = turn.state.cause_of_death
        events.append(
            NewEvent("game_over", {"turn": turn.turn, "game_id": turn.game_id, "cause": cause})
        )
    return tuple(events)
