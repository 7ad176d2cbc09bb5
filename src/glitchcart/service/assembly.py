"""How an engine's parts are put together: each part is handed only what it needs.

:class:`~glitchcart.service.engine.Engine` is the facade surfaces call; this module
builds the parts behind it (the runtime first, then the stages, the aftermath and
the pipeline every move goes through, then the parts that own one job each).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from glitchcart.core.roster import TierThresholds
from glitchcart.ports import (
    CartridgeSource,
    Clock,
    EventBus,
    MediaStore,
    Narrator,
    Painter,
    SessionLease,
    SessionStore,
)
from glitchcart.service.aftermath import Aftermath, Notices
from glitchcart.service.crown import Crown
from glitchcart.service.deadlines import Deadlines
from glitchcart.service.films import FilmService
from glitchcart.service.games import Games
from glitchcart.service.moves import DirectMoves
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.sessions import Sessions
from glitchcart.service.stages import ProviderStages
from glitchcart.service.tapes import TapeService
from glitchcart.service.voting import Voting
from glitchcart.settings import Settings


@dataclass(frozen=True, slots=True)
class Parts:
    """The parts of one engine."""

    runtime: SessionRuntime
    stages: ProviderStages
    aftermath: Aftermath
    pipeline: TurnPipeline
    moves: DirectMoves
    voting: Voting
    crown: Crown
    games: Games
    deadlines: Deadlines
    sessions: Sessions


def assemble(
    *,
    store: SessionStore,
    lease: SessionLease,
    media: MediaStore,
    narrator: Narrator,
    painter: Painter,
    cartridges: CartridgeSource,
    clock: Clock,
    settings: Settings,
    events: EventBus | None,
    tapes: TapeService | None,
    films: FilmService | None,
    notices: Notices | None,
    providers: Mapping[str, str] | None,
    new_id: Callable[[], str],
    new_seed: Callable[[], int],
) -> Parts:
    """Build the parts of an engine over these adapters and settings."""
    tiers = TierThresholds(
        active_turns=settings.active_turns,
        active_seconds=settings.active_seconds,
        idle_turns=settings.idle_turns,
        idle_seconds=settings.idle_seconds_tier,
    )
    runtime = SessionRuntime(store=store, lease=lease, ttl=settings.lease_seconds, events=events)
    stages = ProviderStages(
        narrator=narrator,
        painter=painter,
        media=media,
        settings=settings,
        publish=runtime.publish,
    )
    aftermath = Aftermath(runtime=runtime, tapes=tapes, films=films, notices=notices)
    pipeline = TurnPipeline(
        runtime=runtime,
        stages=stages,
        aftermath=aftermath,
        cartridges=cartridges,
        clock=clock,
        settings=settings,
    )
    voting = Voting(
        runtime=runtime,
        pipeline=pipeline,
        cartridges=cartridges,
        clock=clock,
        settings=settings,
        tiers=tiers,
    )
    moves = DirectMoves(
        runtime=runtime,
        pipeline=pipeline,
        stages=stages,
        cartridges=cartridges,
        clock=clock,
        settings=settings,
    )
    crown = Crown(runtime=runtime, pipeline=pipeline, voting=voting, clock=clock, settings=settings)
    games = Games(
        runtime=runtime,
        pipeline=pipeline,
        media=media,
        cartridges=cartridges,
        clock=clock,
        settings=settings,
        tiers=tiers,
        providers=dict(providers or {}),
        new_id=new_id,
        new_seed=new_seed,
        tapes=lambda: aftermath.tapes,
    )
    deadlines = Deadlines(
        runtime=runtime, pipeline=pipeline, voting=voting, clock=clock, tiers=tiers
    )
    sessions = Sessions(
        runtime=runtime, media=media, cartridges=cartridges, clock=clock, tiers=tiers
    )
    return Parts(
        runtime, stages, aftermath, pipeline, moves, voting, crown, games, deadlines, sessions
    )
