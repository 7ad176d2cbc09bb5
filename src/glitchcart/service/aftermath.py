"""What a committed turn tells the players, and what follows it: notices and media.

Everything here runs after the commit and reads only committed values, so a
tape or film never holds a turn that was not committed (DESIGN rule 5).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
from glitchcart.ports import NewEvent
from glitchcart.service.films import FilmService
from glitchcart.service.tapes import TapeService


class Aftermath:
    films: FilmService | None
    tapes: TapeService | None
    _notices: Callable[[SessionKey], list[str]] | None

    def background(self, coro: Coroutine[Any, Any, Any]) -> None: ...

    async def _publish(self, key: SessionKey, kind: str, data: dict[str, Any]) -> None: ...

    async def _aftermath(
        self, key: SessionKey, cartridge: str, turn: TurnRecord, *, video: bool
    ) -> None:
        """Pass on notices after ``turn`` (just committed) and start its media in the
        background: a clip per turn in video mode; at death the film and the tape."""
        if self._notices is not None:
            for line in self._notices(key):  # e.g. a spent budget moved to a cheaper model
                await self._publish(key, "notice", {"text": line})
        if video and self.films is not None and turn.frame is not None:
            self.background(self._film_turn(key, turn))
        if not turn.state.alive and self.tapes is not None:
            self.background(self.tapes.build_game(key, turn.game_id, cartridge))

    async def _film_turn(self, key: SessionKey, turn: TurnRecord) -> None:
        assert self.films is not None
        await self.films.shoot(key, turn.game_id, turn.turn)
        if not turn.state.alive:
            await self.films.stitch(key, turn.game_id)

    @staticmethod
    def _turn_events(turn: TurnRecord) -> tuple[NewEvent, ...]:
        """The events committed with ``turn``: its frame, then the next choices or the end."""
        events = []
        if turn.frame is not None:
            events.append(NewEvent("frame_ready", {"turn": turn.turn, "ref": turn.frame.to_dict()}))
        if turn.state.alive:
            choices = [c.to_dict() for c in turn.choices]
            events.append(
                NewEvent(
                    "choices", {"game_id": turn.game_id, "turn": turn.turn, "choices": choices}
                )
            )
        else:
            cause = turn.state.cause_of_death
            events.append(
                NewEvent("game_over", {"turn": turn.turn, "game_id": turn.game_id, "cause": cause})
            )
        return tuple(events)
