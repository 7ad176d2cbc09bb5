"""Direct moves: a turn taken at once by one player, without a vote (the terminal's
way, and any session where nobody votes), and new choices for the same state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from glitchcart.core.actions import check_action, offered
from glitchcart.core.crown import UNNAMED, Unnamed, holder_only, no_votes_lost
from glitchcart.core.keys import SessionKey
from glitchcart.core.seeds import derive_seed
from glitchcart.core.session import SessionRecord
from glitchcart.core.turn import InputKind, TurnInput, TurnRecord
from glitchcart.errors import Conflict, PreconditionFailed, StaleVersion
from glitchcart.ports import CartridgeSource, Clock, NewEvent
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.stages import ProviderStages
from glitchcart.settings import Settings


class DirectMoves:
    """choose, act, hesitate, tick and regenerate."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        pipeline: TurnPipeline,
        stages: ProviderStages,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
    ) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.stages = stages
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings

    async def choose(
        self,
        key: SessionKey,
        number: int,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        def make(record: SessionRecord) -> TurnInput:
            assert record.game is not None
            choice = offered(record.game.choices, number)
            return TurnInput(InputKind.CHOICE, choice.text, player, choice)

        return await self._direct(key, make, expected_version, player=player)

    async def act(
        self,
        key: SessionKey,
        text: str,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        cleaned = check_action(text, self.settings.max_action_length)
        return await self._direct(
            key,
            lambda r: TurnInput(InputKind.ACTION, cleaned, player),
            expected_version,
            player=player,
        )

    async def hesitate(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        return await self._direct(
            key, lambda r: TurnInput(InputKind.HESITATE, "(hesitated)"), expected_version
        )

    async def tick(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        return await self._direct(
            key, lambda r: TurnInput(InputKind.TICK, "(time passes)"), expected_version
        )

    async def _direct(
        self,
        key: SessionKey,
        make: Callable[[SessionRecord], TurnInput],
        expected_version: int | None = None,
        *,
        player: str | Unnamed | None = UNNAMED,
    ) -> TurnRecord:
        """Close a turn with ``make``'s input under the lock, then resolve it. A move by
        ``player`` (a choice, an action) is the crown holder's while a crown is held;
        the timers' moves (hesitation, a tick) name nobody."""
        async with self.runtime.lock(key):
            record = await self.pipeline.load_live(key)
            if expected_version is not None and record.version != expected_version:
                raise PreconditionFailed(
                    f"the session is at version {record.version}, not {expected_version}"
                )
            if not isinstance(player, Unnamed):
                holder_only(record, player, "take a direct turn")
            record.check_ready()
            if record.window is not None:
                raise Conflict("a vote is open this turn; cast a vote instead")
            pending = self.pipeline.pending(record, make(record))
            lease = await self.runtime.lease_for_turn(key)
            closed = await self.pipeline.close(record, pending, lease)
        return await self.pipeline.resolve_held(closed, lease)

    async def regenerate(self, key: SessionKey, *, player: str | None = None) -> None:
        """New choices for the same state. Runs the model outside the lock.

        While a crown is held only its holder may. Refused while the open window holds
        votes: new choices would void them (the players would have voted for choices
        that are gone), so the votes are never dropped silently."""
        await self.pipeline.recover(key)
        record = await self.runtime.load(key)
        holder_only(record, player, "ask for new choices")
        record.check_ready()
        no_votes_lost(record)
        assert record.game is not None
        game = record.game
        cartridge = self.cartridges.get(game.cartridge)
        regen = game.regenerations + 1
        seed = derive_seed(derive_seed(game.seed, "turn", game.state.turn), "choices", regen)
        choices = await self.stages.choices(
            cartridge,
            game.state,
            seed,
            "",
            game.choices,
            key,
            game.game_id,
            record.options.providers,
        )
        async with self.runtime.lock(key):
            current = await self.runtime.load(key)
            no_votes_lost(current)
            if current.version != record.version:
                raise StaleVersion("the turn moved on while new choices were written; try again")
            new_game = replace(
                game, choices=choices, regenerations=regen, updated_at=self.clock.now()
            )
            shown = {"turn": game.state.turn, "choices": [c.to_dict() for c in choices]}
            await self.runtime.commit(
                current.evolve(game=new_game, window=None, vetoed=()),
                events=(NewEvent("choices", shown),),
            )
