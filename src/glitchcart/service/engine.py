"""The game engine: the one service every surface talks to.

A thin facade over parts that each own one job, each passed what it needs:

- :class:`~glitchcart.service.runtime.SessionRuntime`: locks, the session lease,
  loads, commits, events, background work;
- :class:`~glitchcart.service.pipeline.TurnPipeline`: closing a turn and resolving
  it (narrate, paint, commit) under the lease, over the
  :class:`~glitchcart.service.stages.ProviderStages` and
  :class:`~glitchcart.service.aftermath.Aftermath`;
- :class:`~glitchcart.service.moves.DirectMoves`: choose, act, hesitate, tick, regenerate;
- :class:`~glitchcart.service.voting.Voting`: votes, windows and seats;
- :class:`~glitchcart.service.crown.Crown`: the crown and its powers;
- :class:`~glitchcart.service.games.Games`: boot, swap, reset, exit, load, delete, options;
- :class:`~glitchcart.service.deadlines.Deadlines`: what a passed deadline means;
- :class:`~glitchcart.service.sessions.Sessions`: snapshots, histories, frames;
- the tape and film services (:mod:`~glitchcart.service.tapes`, :mod:`~glitchcart.service.films`).

Surfaces call the public methods below and nothing else (checked by
``tests/test_layering.py``); the wiring attributes (``store``, ``media``, ...) are
for composition roots and tests.

Usage::

    engine = Engine(store=..., lease=..., media=..., narrator=..., painter=...,
                    cartridges=..., clock=SystemClock(), settings=load_settings())
    key = SessionKey.parse("cli:alice")
    first = await engine.start(key, "dust-signal", seed=7)
    nxt = await engine.choose(key, 1)
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.options import SessionOptions
from glitchcart.core.tape import TurnSpan
from glitchcart.core.turn import TurnRecord
from glitchcart.core.votes import VotingMode
from glitchcart.errors import NotFound, StorageError
from glitchcart.ports import (
    CartridgeSource,
    Clock,
    Event,
    EventBus,
    GameSummary,
    MediaStore,
    Narrator,
    Painter,
    SessionLease,
    SessionStore,
    SessionSummary,
)
from glitchcart.service.aftermath import Notices
from glitchcart.service.assembly import assemble
from glitchcart.service.films import Film, FilmService
from glitchcart.service.inflight import Progress
from glitchcart.service.runtime import DeadlineListener
from glitchcart.service.sessions import Snapshot
from glitchcart.service.tapes import Tape, TapeEntry, TapeService
from glitchcart.service.voting import VoteReceipt
from glitchcart.settings import Settings


class Engine:
    """Runs every session of one process. Holds no session state between calls."""

    def __init__(
        self,
        *,
        store: SessionStore,
        lease: SessionLease,
        media: MediaStore,
        narrator: Narrator,
        painter: Painter,
        cartridges: CartridgeSource,
        clock: Clock,
        settings: Settings,
        events: EventBus | None = None,
        tapes: TapeService | None = None,
        films: FilmService | None = None,
        notices: Notices | None = None,
        providers: Mapping[str, str] | None = None,
        new_id: Callable[[], str] = lambda: secrets.token_hex(6),
        new_seed: Callable[[], int] = lambda: secrets.randbits(48),
    ) -> None:
        self._media = media
        self._cartridges = cartridges
        self._clock = clock
        self._settings = settings
        parts = assemble(
            store=store,
            lease=lease,
            media=media,
            narrator=narrator,
            painter=painter,
            cartridges=cartridges,
            clock=clock,
            settings=settings,
            events=events,
            tapes=tapes,
            films=films,
            notices=notices,
            providers=providers,
            new_id=new_id,
            new_seed=new_seed,
        )
        self.runtime = parts.runtime
        self._stages = parts.stages
        self._aftermath = parts.aftermath
        self._pipeline = parts.pipeline
        self._moves = parts.moves
        self._voting = parts.voting
        self._crown = parts.crown
        self._games = parts.games
        self._deadlines = parts.deadlines
        self._sessions = parts.sessions

    # ------------------------------------------------------------ wiring (roots and tests)
    # Read-only: the parts were handed these at construction.

    @property
    def media(self) -> MediaStore:
        return self._media

    @property
    def cartridges(self) -> CartridgeSource:
        return self._cartridges

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def settings(self) -> Settings:
        return self._settings

    # Replaceable: each is held by one part, and read from it.

    @property
    def narrator(self) -> Narrator:
        return self._stages.narrator

    @narrator.setter
    def narrator(self, narrator: Narrator) -> None:
        self._stages.narrator = narrator

    @property
    def painter(self) -> Painter:
        return self._stages.painter

    @painter.setter
    def painter(self, painter: Painter) -> None:
        self._stages.painter = painter

    @property
    def store(self) -> SessionStore:
        return self.runtime.store

    @store.setter
    def store(self, store: SessionStore) -> None:
        self.runtime.store = store

    @property
    def events(self) -> EventBus | None:
        """The bus surfaces subscribe to (it reads the store's event log)."""
        return self.runtime.events

    @events.setter
    def events(self, bus: EventBus | None) -> None:
        self.runtime.events = bus

    @property
    def tapes(self) -> TapeService | None:
        return self._aftermath.tapes

    @tapes.setter
    def tapes(self, tapes: TapeService | None) -> None:
        self._aftermath.tapes = tapes

    @property
    def films(self) -> FilmService | None:
        return self._aftermath.films

    @films.setter
    def films(self, films: FilmService | None) -> None:
        self._aftermath.films = films

    @property
    def providers(self) -> Mapping[str, str]:
        """Configured model providers: name -> "chat" | "image"."""
        return self._games.providers

    @providers.setter
    def providers(self, providers: Mapping[str, str]) -> None:
        self._games.providers = dict(providers)

    @property
    def deadline_listeners(self) -> list[DeadlineListener]:
        """Called with (key, next deadline) after every commit (the timers listen)."""
        return self.runtime.deadline_listeners

    def background(self, coro: Any) -> None:
        """Run ``coro`` as a task the engine waits for in :meth:`drain`."""
        self.runtime.background(coro)

    async def drain(self) -> None:
        """Wait until every background resolution and media build has finished."""
        await self.runtime.drain()

    async def recover(self, key: SessionKey) -> TurnRecord | None:
        """Finish a turn left RESOLVING by a process that died (see TurnPipeline.recover)."""
        return await self._pipeline.recover(key)

    # ------------------------------------------------------------ read-only, for surfaces

    def now(self) -> float:
        """The engine's clock (a window's deadline is on it)."""
        return self.clock.now()

    def cartridge(self, cartridge_id: str) -> Cartridge:
        return self.cartridges.get(cartridge_id)

    def list_cartridges(self) -> list[Cartridge]:
        return self.cartridges.list()

    @property
    def default_cartridge(self) -> str:
        return self.settings.default_cartridge

    def locate(self, ref: MediaRef) -> str:
        """Where a person can find a media file (a path or URL); for display only."""
        return self.media.locate(ref)

    # ------------------------------------------------------------ direct moves

    async def choose(
        self,
        key: SessionKey,
        number: int,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        """Take offered choice ``number`` (1-based) at once, without a vote.

        With ``expected_version`` (HTTP If-Match) the turn is refused with
        :class:`PreconditionFailed` unless the session is still at that version;
        the same holds for :meth:`act`, :meth:`hesitate` and :meth:`tick`.
        """
        return await self._moves.choose(
            key, number, player=player, expected_version=expected_version
        )

    async def act(
        self,
        key: SessionKey,
        text: str,
        *,
        player: str | None = None,
        expected_version: int | None = None,
    ) -> TurnRecord:
        """Take a free action at once, treated as the player's intent."""
        return await self._moves.act(key, text, player=player, expected_version=expected_version)

    async def hesitate(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        """The timeout penalty: a fate roll, a consequence in place, a real death check."""
        return await self._moves.hesitate(key, expected_version=expected_version)

    async def tick(self, key: SessionKey, *, expected_version: int | None = None) -> TurnRecord:
        """Time advances: a short situation report and fresh choices."""
        return await self._moves.tick(key, expected_version=expected_version)

    async def regenerate(self, key: SessionKey, *, player: str | None = None) -> Snapshot:
        """New choices for the same state (see :meth:`DirectMoves.regenerate`)."""
        await self._moves.regenerate(key, player=player)
        return await self.snapshot(key)

    # ------------------------------------------------------------ votes and seats

    async def vote(
        self,
        key: SessionKey,
        player: str,
        *,
        choice: int | None = None,
        action: str | None = None,
        name: str | None = None,
        idempotency_key: str | None = None,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> VoteReceipt:
        """Cast or change ``player``'s vote for the turn open now, or for ``turn`` of
        ``game_id`` if named (see :meth:`Voting.vote`)."""
        return await self._voting.vote(
            key,
            player,
            choice=choice,
            action=action,
            name=name,
            idempotency_key=idempotency_key,
            turn=turn,
            game_id=game_id,
        )

    async def join(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Seat a player without a vote (joining is otherwise implicit on first action)."""
        await self._voting.join(key, player, name=name)

    async def fire_deadline(self, key: SessionKey) -> str:
        """Act on the session's stored deadline if it has passed (see :class:`Deadlines`)."""
        return await self._deadlines.fire_deadline(key)

    # ------------------------------------------------------------ the crown

    async def take_crown(self, key: SessionKey, player: str, *, name: str | None = None) -> None:
        """Take a free crown, if the session lets players take it."""
        await self._crown.take_crown(key, player, name=name)

    async def pass_crown(self, key: SessionKey, holder: str, to: str) -> None:
        await self._crown.pass_crown(key, holder, to)

    async def drop_crown(self, key: SessionKey, holder: str) -> None:
        await self._crown.drop_crown(key, holder)

    async def grant_crown(
        self, key: SessionKey, player: str | None, *, crown_open: bool | None = None
    ) -> None:
        """An admin sets the holder (or none) and whether a free crown may be taken."""
        await self._crown.grant_crown(key, player, crown_open=crown_open)

    async def twist(self, key: SessionKey, holder: str, text: str) -> None:
        """A line the narrator must weave into the next consequence."""
        await self._crown.twist(key, holder, text)

    async def set_mode(self, key: SessionKey, mode: VotingMode, *, player: str | None) -> None:
        """Change the voting mode; with a crown held, only its holder may."""
        await self._crown.set_mode(key, mode, player=player)

    async def veto(
        self,
        key: SessionKey,
        holder: str,
        choice: int,
        *,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> None:
        """Strike a listed choice for this turn; votes for it are discarded."""
        await self._crown.veto(key, holder, choice, turn=turn, game_id=game_id)

    async def force(
        self,
        key: SessionKey,
        holder: str,
        *,
        choice: int | None = None,
        action: str | None = None,
        turn: int | None = None,
        game_id: str | None = None,
    ) -> VoteReceipt:
        """The crown closes the window now with its own pick."""
        return await self._crown.force(
            key, holder, choice=choice, action=action, turn=turn, game_id=game_id
        )

    # ------------------------------------------------------------ games

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
        """Boot a cartridge as a new game (see :meth:`Games.boot`); returns the prologue."""
        return await self._games.boot(
            key, cartridge_id, seed=seed, mode=mode, swap=swap, player=player, options=options
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
        return await self._games.start(key, cartridge_id, seed=seed, player=player)

    async def hot_swap(
        self, key: SessionKey, cartridge_id: str, *, seed: int | None = None
    ) -> TurnRecord:
        """Save the running game and boot another cartridge; the roster stays."""
        return await self._games.hot_swap(key, cartridge_id, seed=seed)

    async def reset(self, key: SessionKey, *, player: str | None = None) -> TurnRecord:
        """Start the session's cartridge over as a new game, seeded from the old one."""
        return await self._games.reset(key, player=player)

    async def configure(
        self,
        key: SessionKey,
        changes: Mapping[str, Any],
        *,
        player: str | None = None,
        create: bool = False,
    ) -> SessionOptions:
        """Change the session's own options and return them all (see :meth:`Games.configure`)."""
        return await self._games.configure(key, changes, player=player, create=create)

    async def exit(self, key: SessionKey) -> str:
        """Save and eject the running game; returns its game id."""
        return await self._games.exit(key)

    async def games(self) -> list[GameSummary]:
        """The saved-game index, most recently played first."""
        return await self._games.games()

    async def load_game(self, key: SessionKey, game_id: str, *, swap: bool = False) -> str:
        """Load a saved game into ``key``; a game running there is saved first if ``swap``."""
        return await self._games.load_game(key, game_id, swap=swap)

    async def delete_game(self, game_id: str) -> None:
        """Delete a saved game, its history and its pictures; refused while it runs."""
        await self._games.delete_game(game_id)

    # ------------------------------------------------------------ reading sessions

    async def snapshot(self, key: SessionKey) -> Snapshot:
        return await self._sessions.snapshot(key)

    async def exists(self, key: SessionKey) -> bool:
        return await self._sessions.exists(key)

    async def history(
        self, key: SessionKey, *, start: int = 0, limit: int | None = None
    ) -> list[TurnRecord]:
        return await self._sessions.history(key, start=start, limit=limit)

    async def list_sessions(self) -> list[SessionSummary]:
        return await self._sessions.list_sessions()

    async def delete_session(self, key: SessionKey) -> None:
        """Delete a session, its history, its saved games and its media."""
        await self._sessions.delete_session(key)

    async def frame(self, key: SessionKey, ref: MediaRef) -> bytes:
        """The bytes of a frame, refusing a ref of another session."""
        return await self._sessions.frame(key, ref)

    # ------------------------------------------------------------ events

    async def check_resume(self, key: SessionKey, after: int | None) -> None:
        """Raise before streaming: no events here, or an id in the future."""
        if self.events is None:
            raise StorageError("this engine publishes no events")
        await self.events.check_resume(key, after)

    def subscribe(self, key: SessionKey, *, after: int | None = None) -> AsyncIterator[Event]:
        """The session's events after ``after`` (see :meth:`EventBus.subscribe`)."""
        if self.events is None:
            raise StorageError("this engine publishes no events")
        return self.events.subscribe(key, after=after)

    # ------------------------------------------------------------ tapes and films

    @property
    def tapes_on(self) -> bool:
        return self.tapes is not None

    def _tape_service(self) -> TapeService:
        if self.tapes is None:
            raise NotFound("replay tapes are turned off on this server")
        return self.tapes

    async def build_tape(self, key: SessionKey, *, fmt: str, turns: TurnSpan) -> Tape:
        """Build (or find) the tape of ``turns`` of the session's game (see TapeService.build)."""
        return await self._tape_service().build(key, fmt=fmt, turns=turns)

    async def list_tapes(self, key: SessionKey) -> list[TapeEntry]:
        return await self._tape_service().list(key)

    async def tape_size(self, key: SessionKey, ref: MediaRef) -> int:
        return await self._tape_service().size(key, ref)

    async def tape(self, key: SessionKey, ref: MediaRef) -> bytes:
        return await self._tape_service().get(key, ref)

    def read_tape(self, key: SessionKey, ref: MediaRef) -> AsyncIterator[bytes]:
        """A tape's bytes in chunks, without holding it whole."""
        return self._tape_service().read(key, ref)

    @property
    def films_on(self) -> bool:
        return self.films is not None

    async def stitch_film(
        self, key: SessionKey, game_id: str, *, progress: Progress | None = None
    ) -> Film:
        """Join a game's clips (shooting any missing) into its film."""
        if self.films is None:
            raise StorageError("films are not available in this process")
        return await self.films.stitch(key, game_id, progress=progress)

    async def list_films(self, key: SessionKey) -> list[MediaRef]:
        return [] if self.films is None else await self.films.films(key)
