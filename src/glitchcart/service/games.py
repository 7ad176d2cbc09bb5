"""Games in a session: boot, reset, exit, hot-swap, load a saved game, delete one;
and the session's own options (its model providers, flipbook and video modes).

A game is saved at every commit (the store keeps a game index), so ``exit``
only ejects it from the session. Loading a game into another session moves its
pictures, clips, films and tapes into that session's folder (tapes made again
with the new session on their cards) and its refs with them: media always
belongs to the session that holds the game, and none of it is lost on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.crown import holder_only
from glitchcart.core.keys import MediaRef, SessionKey, is_game_id
from glitchcart.core.options import OFFLINE, SessionOptions
from glitchcart.core.roster import TierThresholds, present
from glitchcart.core.seeds import derive_seed, rng_for
from glitchcart.core.session import GameRecord, PendingTurn, Phase, SessionRecord, empty_session
from glitchcart.core.state import initial_state
from glitchcart.core.turn import InputKind, TurnInput, TurnRecord
from glitchcart.core.votes import VotingMode
from glitchcart.errors import (
    Conflict,
    GameNotFound,
    InvalidInput,
    LimitExceeded,
    NoGameRunning,
    SessionNotFound,
)
from glitchcart.ports import CartridgeSource, Clock, GameSummary, MediaStore, NewEvent
from glitchcart.service.game_media import copy_clips_and_films, game_media, retitle_tapes
from glitchcart.service.pipeline import TurnPipeline
from glitchcart.service.runtime import SessionRuntime
from glitchcart.service.tapes import TapeService
from glitchcart.settings import Settings


class Games:
    """Boots, swaps, resets, ejects, loads and deletes the games of sessions."""

    def __init__(
        self,
        *,
        runtime: SessionRuntime,
        pipeline: TurnPipeline,
        media: MediaStore,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
        tiers: TierThresholds,
        providers: Mapping[str, str],
        new_id: Callable[[], str],
        new_seed: Callable[[], int],
        tapes: Callable[[], TapeService | None] = lambda: None,
    ) -> None:
        self.runtime = runtime
        self.pipeline = pipeline
        self.media = media
        self.cartridges = cartridges
        self.clock = clock
        self.settings = settings
        self.tiers = tiers
        self.providers = providers  # configured model providers: name -> "chat"|"image"
        self._new_id = new_id
        self._new_seed = new_seed
        self._tapes = tapes  # the engine's tape service as it is now (it can be swapped)

    async def boot(
        self,
        key: SessionKey,
        cartridge_id: str,
        *,
        seed: int | None = None,
        mode: VotingMode | None = None,
        swap: bool = False,
        player: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> TurnRecord:
        """Boot a cartridge as a new game; refused while a game runs unless ``swap``.

        With ``swap`` the running game is saved and the new one takes its place
        with the same roster (a hot swap). ``options`` changes the session's options
        first (as :meth:`configure`, so the prologue already uses them). Returns the
        prologue turn.
        """
        cartridge = self.cartridges.get(cartridge_id)
        changes = self._checked_options(options or {})
        return await self._begin(
            key, cartridge, seed, player, mode=mode, replace_running=swap, options=changes
        )

    async def start(
        self,
        key: SessionKey,
        cartridge_id: str,
        *,
        seed: int | None = None,
        player: str | None = None,
    ) -> TurnRecord:
        """Boot a cartridge, saving and replacing any game running (the terminal's way)."""
        return await self.boot(key, cartridge_id, seed=seed, swap=True, player=player)

    async def hot_swap(
        self, key: SessionKey, cartridge_id: str, *, seed: int | None = None
    ) -> TurnRecord:
        """Save the running game and boot another cartridge; the roster stays."""
        return await self.boot(key, cartridge_id, seed=seed, swap=True)

    async def reset(self, key: SessionKey, *, player: str | None = None) -> TurnRecord:
        """Start the session's cartridge over as a new game, seeded from the old one."""
        record = await self.runtime.load(key)
        if record.game is None:
            raise NoGameRunning(f"session {key} has no game to reset")
        cartridge = self.cartridges.get(record.game.cartridge)
        seed = derive_seed(record.game.seed, "reset", record.game.game_id)
        return await self._begin(
            key, cartridge, seed, player, mode=None, replace_running=True, reseat=True
        )

    async def _begin(
        self,
        key: SessionKey,
        cartridge: Cartridge,
        seed: int | None,
        player: str | None,
        *,
        mode: VotingMode | None,
        replace_running: bool,
        options: Mapping[str, Any] | None = None,
        reseat: bool = False,
    ) -> TurnRecord:
        """Boot a new game in ``key``; ``reseat`` keeps only the players present (a reset)."""
        await self.pipeline.recover(key)
        seed = self._new_seed() if seed is None else seed
        async with self.runtime.lock(key):
            record = await self.runtime.store.load(key) or await self._new_session(key)
            record.check_not_resolving()
            if record.phase is Phase.READY and not replace_running:
                raise Conflict(f"a game is running in {key}; exit it first or ask to swap")
            if record.game is not None:
                holder_only(record, player, "reset or replace the game")
            booted: list[NewEvent] = []
            if options:
                self._may_configure(record, player)
                record = record.evolve(options=record.options.merge(options))
                booted.append(NewEvent("options_changed", record.options.to_dict()))
            if reseat:
                keep = {p for p in (record.crown, player) if p is not None}
                roster = present(record.roster, self.clock.now(), self.tiers, keep)
                record = record.evolve(roster=roster)
            opening_index = rng_for(seed, "opening").randrange(len(cartridge.openings))
            opening = cartridge.openings[opening_index]
            now = self.clock.now()
            game = GameRecord(
                game_id=self._new_id(),
                cartridge=cartridge.id,
                seed=seed,
                opening=opening_index,
                state=initial_state(cartridge, opening.location, opening.time_of_day),
                choices=(),
                regenerations=0,
                created_at=now,
                updated_at=now,
            )
            pending = PendingTurn(
                turn=0,
                input=TurnInput(InputKind.START, f"start {cartridge.id}", player),
                fate=None,
                turn_seed=derive_seed(seed, "turn", 0),
                closed_at=now,
            )
            booted.append(
                NewEvent("game_booted", {"game_id": game.game_id, "cartridge": cartridge.id})
            )
            lease = await self.runtime.lease_for_turn(key)
            closed = await self.pipeline.close(
                record.evolve(game=game, mode=mode or record.mode, paused=False),
                pending,
                lease,
                tuple(booted),
            )
        prologue = await self.pipeline.resolve_held(closed, lease)
        await self._retire_games(key)
        return prologue

    async def _retire_games(self, key: SessionKey) -> None:
        """Delete ``key``'s saved games, history and media past the newest
        ``games_per_session`` (the one running counts; it is never deleted)."""
        keep = self.settings.games_per_session
        games = await self.runtime.store.list_games()
        mine = [g for g in games if g.session == key]  # newest first
        for old in [g for g in mine if not g.live][max(0, keep - 1) :]:
            try:
                await self.delete_game(old.game_id)
            except (Conflict, GameNotFound):
                continue  # loaded elsewhere or deleted meanwhile: not ours to retire

    async def _new_session(self, key: SessionKey) -> SessionRecord:
        """An empty record for a session about to be created, if its namespace has room."""
        limit = self.settings.max_sessions_per_namespace
        sessions = await self.runtime.store.list_sessions()
        held = sum(1 for s in sessions if s.key.namespace == key.namespace)
        if held >= limit:
            raise LimitExceeded(
                f"namespace {key.namespace!r} holds its limit of {limit} sessions; "
                "delete one or ask the server's operator to raise max_sessions_per_namespace"
            )
        return empty_session(key)

    async def configure(
        self,
        key: SessionKey,
        changes: Mapping[str, Any],
        *,
        player: str | None = None,
        create: bool = False,
    ) -> SessionOptions:
        """Change the session's own options and return them all.

        ``changes`` is a merge patch: a name set to None goes back to the server's
        default. Provider names must be configured in this process (or "offline").
        A session that does not exist is :class:`SessionNotFound` (boot it with
        ``options``), unless ``create`` makes it empty first (the terminal's way) for
        options that are not all the defaults.
        With a crown held, only its holder may. A turn already resolving finishes
        with the options it started with.
        """
        checked = self._checked_options(changes)
        async with self.runtime.lock(key):
            record = await self.runtime.store.load(key)
            keeps = SessionOptions().merge(checked) != SessionOptions()
            if record is None and not (create and keeps):  # never a session of defaults only
                raise SessionNotFound(f"no session {key}; boot it with these options instead")
            record = record or await self._new_session(key)
            self._may_configure(record, player)
            options = record.options.merge(checked)
            if options != record.options or record.version == 0:
                changed = NewEvent("options_changed", options.to_dict())
                await self.runtime.commit(record.evolve(options=options), events=(changed,))
        return options

    def _checked_options(self, changes: Mapping[str, Any]) -> Mapping[str, Any]:
        """``changes`` if they are well-formed and name only known providers."""
        if not isinstance(changes, Mapping):
            raise InvalidInput("options must be an object of option names to values")
        wanted = SessionOptions().merge(changes).providers or ()
        unknown = [n for n in wanted if n != OFFLINE and n not in self.providers]
        if unknown:
            known = ", ".join(sorted({*self.providers, OFFLINE}))
            raise InvalidInput(f"unknown provider(s): {', '.join(unknown)} (known: {known})")
        return changes

    @staticmethod
    def _may_configure(record: SessionRecord, player: str | None) -> None:
        holder_only(record, player, "change the session's options")

    async def exit(self, key: SessionKey) -> str:
        """Save and eject the running game; returns its game id."""
        await self.pipeline.recover(key)
        async with self.runtime.lock(key):
            record = await self.runtime.load(key)
            if record.game is None:
                raise NoGameRunning(f"session {key} has no game running")
            record.check_not_resolving()
            game_id = record.game.game_id
            await self.runtime.commit(
                record.cleared_turn(phase=Phase.EMPTY, game=None, paused=False),
                events=(NewEvent("game_exited", {"game_id": game_id}),),
            )
        return game_id

    async def games(self) -> list[GameSummary]:
        """The saved-game index, most recently played first."""
        return await self.runtime.store.list_games()

    async def _find_game(self, game_id: str) -> tuple[GameRecord, GameSummary]:
        if not is_game_id(game_id):
            raise GameNotFound("no saved game with that id")
        found = await self.runtime.store.load_game(game_id)
        if found is None:
            raise GameNotFound(f"no saved game {game_id}")
        return found

    async def load_game(self, key: SessionKey, game_id: str, *, swap: bool = False) -> str:
        """Load a saved game into ``key``; a game running there is saved first if ``swap``."""
        game, summary = await self._find_game(game_id)
        if summary.live and summary.session != key:
            raise Conflict(f"game {game_id} is running in {summary.session}; exit it there first")
        await self.pipeline.recover(key)
        async with self.runtime.lock(key):
            record = await self.runtime.store.load(key) or await self._new_session(key)
            record.check_not_resolving()
            if record.game is not None and record.game.game_id == game_id:
                return game_id
            if record.phase is Phase.READY and not swap:
                raise Conflict(f"a game is running in {key}; exit it first or ask to swap")
            moved = await self._adopt_media(game_id, summary.session, key)
            alive = game.state.alive
            cartridge = self.cartridges.get(game.cartridge)
            now = self.clock.now()
            await self.runtime.commit(
                record.cleared_turn(
                    phase=Phase.READY if alive else Phase.OVER,
                    game=replace(game, updated_at=now),
                    paused=False,
                    idle_deadline=now + cartridge.timing.idle_seconds
                    if record.roster and alive
                    else None,
                ),
                events=(
                    NewEvent("game_booted", {"game_id": game_id, "cartridge": game.cartridge}),
                ),
            )
        for ref in moved:
            await self.media.delete(ref)
        if summary.session != key:
            await retitle_tapes(
                self.media, self._tapes(), summary.session, key, game_id, game.cartridge
            )
        return game_id

    async def _adopt_media(self, game_id: str, old: SessionKey, new: SessionKey) -> list[MediaRef]:
        """Copy a game's frames, clips and films into ``new`` and point its history at them.

        Returns the old refs, to delete once the move is committed (tapes move after).
        """
        if old == new:
            return []
        old_refs = await copy_clips_and_films(self.media, old, new, game_id)
        history = await self.runtime.store.history(game_id)
        rewritten: list[TurnRecord] = []
        for turn in history:
            if turn.frame is None or turn.frame.session == new:
                continue
            fresh = MediaRef(new, turn.frame.kind, turn.frame.name)
            if not await self.media.exists(fresh):
                await self.media.put(fresh, await self.media.get(turn.frame))
            old_refs.append(turn.frame)
            rewritten.append(replace(turn, frame=fresh))
        if rewritten:
            await self.runtime.store.rewrite_history(game_id, rewritten)
        return old_refs

    async def delete_game(self, game_id: str) -> None:
        """Delete a saved game, its history and its pictures; refused while it runs."""
        _, summary = await self._find_game(game_id)
        if summary.live:
            raise Conflict(f"game {game_id} is running in {summary.session}; exit it first")
        async with self.runtime.lock(summary.session):
            history = await self.runtime.store.history(game_id)
            await self.runtime.store.delete_game(game_id)
        for turn in history:
            if turn.frame is not None:
                await self.media.delete(turn.frame)
        for ref in await game_media(self.media, summary.session, game_id):
            await self.media.delete(ref)
