"""What follows a committed turn: the events surfaces show, and media made from it.

Everything here runs after the commit and reads only committed values, so a
tape or film never holds a turn that was not committed (DESIGN rule 5).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
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
        """Announce ``turn`` (just committed), pass on notices, and start its media in the
        background: a clip per turn in video mode; at death the film and the tape."""
        await self._announce(key, turn)
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

    async def _announce(self, key: SessionKey, turn: TurnRecord) -> None:
        if turn.frame is not None:
            await self._publish(
                key, "frame_ready", {"turn": turn.turn, "ref": turn.frame.to_dict()}
            )
        if turn.state.alive:
            await self._publish(
                key,
                "choices",
                {
                    "game_id": turn.game_id,
                    "turn": turn.turn,
                    "choices": [c.to_dict() for c in turn.choices],
                },
            )
        else:
            await self._publish(
                key,
                "game_over",
                {"turn": turn.turn, "game_id": turn.game_id, "cause": turn.state.cause_of_death},
            )
