"""Reading a session as surfaces show it, and deleting one whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.resolver import check_ref
from glitchcart.core.roster import Player, Tier, TierThresholds, tier_of
from glitchcart.core.session import Phase, SessionRecord
from glitchcart.core.state import WorldState
from glitchcart.core.turn import Choice, TurnRecord
from glitchcart.core.votes import VoteWindow, VotingMode
from glitchcart.errors import SessionNotFound
from glitchcart.ports import CartridgeSource, Clock, MediaStore, SessionSummary
from glitchcart.service.runtime import SessionRuntime


@dataclass(frozen=True, slots=True)
class PlayerView:
    id: str
    name: str
    tier: Tier


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a surface shows of a session right now."""

    key: SessionKey
    version: int
    phase: Phase
    cartridge: str | None
    title: str | None
    game_id: str | None
    seed: int | None
    state: WorldState | None
    choices: tuple[Choice, ...]
    last: TurnRecord | None
    mode: VotingMode = VotingMode.DEMOCRACY
    roster: tuple[PlayerView, ...] = ()
    crown: str | None = None
    window: VoteWindow | None = None
    vetoed: tuple[int, ...] = ()
    paused: bool = False
    idle_deadline: float | None = None
    options: SessionOptions = field(default_factory=SessionOptions)


class Sessions:
    """Snapshots, histories, frames and the list of sessions; deleting a session."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        media: MediaStore,
        cartridges: CartridgeSource,
        clock: Clock,
        tiers: TierThresholds,
    ) -> None:
        self.runtime = runtime
        self.media = media
        self.cartridges = cartridges
        self.clock = clock
        self.tiers = tiers

    async def snapshot(self, key: SessionKey) -> Snapshot:
        record = await self.runtime.load(key)
        game = record.game
        last = None
        if game is not None:
            found = await self.runtime.store.history(game.game_id, start=game.state.turn, limit=1)
            last = found[0] if found else None
        now = self.clock.now()
        return Snapshot(
            key=record.key,
            version=record.version,
            phase=record.phase,
            cartridge=game.cartridge if game else None,
            title=self.cartridges.get(game.cartridge).title if game else None,
            game_id=game.game_id if game else None,
            seed=game.seed if game else None,
            state=game.state if game else None,
            choices=game.choices if game else (),
            last=last,
            mode=record.mode,
            roster=tuple(self._view(p, record, now) for p in record.roster),
            crown=record.crown,
            window=record.window,
            vetoed=record.vetoed,
            paused=record.paused,
            idle_deadline=record.idle_deadline,
            options=record.options,
        )

    def _view(self, player: Player, record: SessionRecord, now: float) -> PlayerView:
        return PlayerView(
            player.id, player.name, tier_of(player, record.turn_counter, now, self.tiers)
        )

    async def exists(self, key: SessionKey) -> bool:
        return await self.runtime.store.load(key) is not None

    async def history(
        self, key: SessionKey, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        record = await self.runtime.load(key)
        if record.game is None:
            return []
        return await self.runtime.store.history(record.game.game_id, start=start, limit=limit)

    async def list_sessions(self) -> list[SessionSummary]:
        return await self.runtime.store.list_sessions()

    async def delete_session(self, key: SessionKey) -> None:
        """Delete a session, its history, its saved games and its media."""
        async with self.runtime.lock(key):
            if not await self.runtime.store.delete(key):
                raise SessionNotFound(f"no session {key}")
            await self.media.delete_session(key)
        for listener in self.runtime.deadline_listeners:
            listener(key, None)

    async def frame(self, key: SessionKey, ref: MediaRef) -> bytes:
        """The bytes of a frame, refusing a ref of another session."""
        check_ref(ref, key)
        return await self.media.get(ref)
