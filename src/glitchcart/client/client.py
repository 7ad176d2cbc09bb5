"""One client for every surface, whether the engine runs here or behind a server.

>>> async with Client(InProcessTransport(engine)) as client:
...     turn = await client.boot("dust-signal", seed=7, session="web:blue-fox")
...     receipt = await client.vote("ann", choice=2, session="web:blue-fox")
>>> client = Client(HttpTransport("http://127.0.0.1:8000", api_key="..."))

Every session-scoped method resolves its session by DESIGN.md's one rule
(:func:`glitchcart.core.resolver.resolve_session`): the ``session`` argument,
then the session a ref carries, then the one bound with
:func:`~glitchcart.core.resolver.bound_session`; a ref of another session is
refused. Request bodies are validated here, before either transport sees them,
so a bad argument raises the same :class:`InvalidInput` in both.

Replay tapes are under ``client.tapes`` (:class:`~glitchcart.client.tapes.Tapes`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import Any

from glitchcart.client.arguments import SessionArg
from glitchcart.client.arguments import build_request as _build
from glitchcart.client.arguments import media_ref as _media_ref
from glitchcart.client.models import (
    ActionTurn,
    ActionVote,
    BootRequest,
    CartridgeInfo,
    ChoiceTurn,
    ChoiceVote,
    EventOut,
    ForceAction,
    ForceChoice,
    GameInfo,
    GrantCrown,
    HistoryPage,
    HolderRequest,
    JoinRequest,
    MediaRefOut,
    ModeRequest,
    OptionsRequest,
    PassCrown,
    PlayerRequest,
    SessionExport,
    SessionOptionsOut,
    SessionView,
    Turn,
    TwistRequest,
    VetoRequest,
    VoteReceiptOut,
)
from glitchcart.client.tapes import Tapes
from glitchcart.client.transport import Transport
from glitchcart.core.keys import MediaRef, is_game_id
from glitchcart.core.resolver import resolve_session
from glitchcart.core.votes import VotingMode
from glitchcart.errors import InvalidInput


class Client:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.tapes = Tapes(transport)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    # ------------------------------------------------------------ games in a session

    async def cartridges(self) -> list[CartridgeInfo]:
        return await self.transport.cartridges()

    async def boot(
        self,
        cartridge: str,
        *,
        seed: int | None = None,
        mode: VotingMode | None = None,
        swap: bool = False,
        player: str | None = None,
        options: Mapping[str, Any] | None = None,
        session: SessionArg = None,
    ) -> Turn:
        """Boot a cartridge; refused while a game runs unless ``swap``. Returns the prologue.

        ``options`` changes the session's options first, as :meth:`configure` does."""
        key = resolve_session(session)
        body = _build(
            lambda: BootRequest.model_validate(
                {
                    "cartridge": cartridge,
                    "seed": seed,
                    "mode": mode,
                    "swap": swap,
                    "player": player,
                    "options": options,
                }
            )
        )
        return await self.transport.boot(key, body)

    async def snapshot(self, *, session: SessionArg = None) -> SessionView:
        return await self.transport.snapshot(resolve_session(session))

    async def exit(self, *, session: SessionArg = None) -> str:
        """Save and eject the running game; returns its game id."""
        return (await self.transport.exit(resolve_session(session))).game_id

    async def delete_session(self, *, session: SessionArg = None) -> None:
        """Delete the session for good: its history, saved games and media (admin only)."""
        await self.transport.delete_session(resolve_session(session))

    async def reset(self, *, player: str | None = None, session: SessionArg = None) -> Turn:
        key = resolve_session(session)
        return await self.transport.reset(key, _build(lambda: PlayerRequest(player=player)))

    async def regenerate(
        self, *, player: str | None = None, session: SessionArg = None
    ) -> SessionView:
        """New choices for the same state (the crown holder's, while a crown is held;
        refused while the open window holds votes)."""
        key = resolve_session(session)
        return await self.transport.regenerate(key, _build(lambda: PlayerRequest(player=player)))

    # ------------------------------------------------------------ turns

    async def vote(
        self,
        player: str,
        *,
        turn: int,
        game_id: str | None = None,
        choice: int | None = None,
        action: str | None = None,
        name: str | None = None,
        idempotency_key: str | None = None,
        session: SessionArg = None,
    ) -> VoteReceiptOut:
        """Cast or change ``player``'s vote: a listed ``choice`` or a free ``action``,
        for ``turn`` (of ``game_id``): the vote open when the player saw the choices,
        ``SessionView.voting_on``. A vote for another turn raises :class:`WrongTurn`
        (its ``turn`` names the one open now)."""
        key = resolve_session(session)
        body: ChoiceVote | ActionVote
        if choice is not None and action is None:
            number = choice
            body = _build(
                lambda: ChoiceVote(
                    player=player, turn=turn, game_id=game_id, name=name, choice=number
                )
            )
        elif action is not None and choice is None:
            text = action
            body = _build(
                lambda: ActionVote(
                    player=player, turn=turn, game_id=game_id, name=name, action=text
                )
            )
        else:
            raise InvalidInput("a vote is either a choice number or an action")
        if idempotency_key is not None and not 0 < len(idempotency_key) <= 128:
            raise InvalidInput("an idempotency key is 1-128 characters")
        return await self.transport.vote(key, body, idempotency_key)

    async def choose(
        self,
        number: int,
        *,
        player: str | None = None,
        expected_version: int | None = None,
        session: SessionArg = None,
    ) -> Turn:
        """Take offered choice ``number`` now (no vote); refused if the session moved
        past ``expected_version``."""
        key = resolve_session(session)
        body = _build(lambda: ChoiceTurn(choice=number, player=player))
        return await self.transport.turn(key, body, expected_version)

    async def act(
        self,
        text: str,
        *,
        player: str | None = None,
        expected_version: int | None = None,
        session: SessionArg = None,
    ) -> Turn:
        """Take a free action now (no vote)."""
        key = resolve_session(session)
        body = _build(lambda: ActionTurn(action=text, player=player))
        return await self.transport.turn(key, body, expected_version)

    async def tick(
        self, *, expected_version: int | None = None, session: SessionArg = None
    ) -> Turn:
        """Let time pass: a short situation report and fresh choices."""
        return await self.transport.tick(resolve_session(session), expected_version)

    async def join(
        self, player: str, *, name: str | None = None, session: SessionArg = None
    ) -> None:
        key = resolve_session(session)
        await self.transport.join(key, _build(lambda: JoinRequest(player=player, name=name)))

    # ------------------------------------------------------------ crown

    async def take_crown(
        self, player: str, *, name: str | None = None, session: SessionArg = None
    ) -> None:
        key = resolve_session(session)
        await self.transport.take_crown(key, _build(lambda: JoinRequest(player=player, name=name)))

    async def pass_crown(self, holder: str, to: str, *, session: SessionArg = None) -> None:
        key = resolve_session(session)
        await self.transport.pass_crown(key, _build(lambda: PassCrown(holder=holder, to=to)))

    async def drop_crown(self, holder: str, *, session: SessionArg = None) -> None:
        key = resolve_session(session)
        await self.transport.drop_crown(key, _build(lambda: HolderRequest(holder=holder)))

    async def grant_crown(
        self, player: str | None, *, crown_open: bool | None = None, session: SessionArg = None
    ) -> None:
        """An admin sets the holder (or none) and whether a free crown may be taken."""
        key = resolve_session(session)
        body = _build(lambda: GrantCrown(player=player, crown_open=crown_open))
        await self.transport.grant_crown(key, body)

    async def twist(self, holder: str, text: str, *, session: SessionArg = None) -> None:
        key = resolve_session(session)
        await self.transport.twist(key, _build(lambda: TwistRequest(holder=holder, text=text)))

    async def veto(
        self,
        holder: str,
        choice: int,
        *,
        turn: int | None = None,
        game_id: str | None = None,
        session: SessionArg = None,
    ) -> None:
        """Strike a listed choice of ``turn`` (of ``game_id``): WrongTurn if it moved on."""
        key = resolve_session(session)
        body = _build(lambda: VetoRequest(holder=holder, choice=choice, turn=turn, game_id=game_id))
        await self.transport.veto(key, body)

    async def force(
        self,
        holder: str,
        *,
        choice: int | None = None,
        action: str | None = None,
        turn: int | None = None,
        game_id: str | None = None,
        session: SessionArg = None,
    ) -> VoteReceiptOut:
        """The crown closes the window of ``turn`` (of ``game_id``) now with its own pick."""
        key = resolve_session(session)
        body: ForceChoice | ForceAction
        if choice is not None and action is None:
            number = choice
            body = _build(
                lambda: ForceChoice(holder=holder, choice=number, turn=turn, game_id=game_id)
            )
        elif action is not None and choice is None:
            text = action
            body = _build(
                lambda: ForceAction(holder=holder, action=text, turn=turn, game_id=game_id)
            )
        else:
            raise InvalidInput("force either a choice number or an action")
        return await self.transport.force(key, body)

    async def set_mode(
        self, mode: VotingMode | str, *, player: str | None = None, session: SessionArg = None
    ) -> None:
        key = resolve_session(session)
        body = _build(lambda: ModeRequest.model_validate({"mode": mode, "player": player}))
        await self.transport.set_mode(key, body)

    async def configure(
        self, *, player: str | None = None, session: SessionArg = None, **changes: Any
    ) -> SessionOptionsOut:
        """Change the session's own options and return them all::

            await client.configure(providers=["local", "offline"], video=True)
            await client.configure(providers=None)   # back to the server's default

        Names left out stay as they are. The session must exist (:meth:`boot` takes
        ``options`` for a new one). With a crown held, only its holder (``player``) may.
        """
        key = resolve_session(session)
        given = {**changes, **({"player": player} if player is not None else {})}
        body = _build(lambda: OptionsRequest.model_validate(given))
        return await self.transport.configure(key, body)

    # ------------------------------------------------------------ reading

    async def history(
        self, *, start: int = 0, limit: int = 50, session: SessionArg = None
    ) -> HistoryPage:
        """Turns of the running game from turn ``start``, at most ``limit`` (1-200)."""
        key = resolve_session(session)
        if not (isinstance(start, int) and start >= 0 and isinstance(limit, int)):
            raise InvalidInput("history: start is 0 or more and limit a number")
        if not 1 <= limit <= 200:
            raise InvalidInput("history: limit is 1 to 200")
        return await self.transport.history(key, start, limit)

    async def export(self, *, session: SessionArg = None) -> SessionExport:
        return await self.transport.export(resolve_session(session))

    async def frame(
        self, ref: MediaRef | MediaRefOut | str, *, session: SessionArg = None
    ) -> bytes:
        """The picture of a turn (PNG, or GIF in flipbook mode). ``ref`` is a turn's
        ``frame`` or a frame's file name; a ref of another session is refused
        (:class:`SessionMismatch`)."""
        if isinstance(ref, str):
            key = resolve_session(session)
            media = MediaRef(key, "frame", ref)
        else:
            media = ref if isinstance(ref, MediaRef) else _media_ref(ref)
            key = resolve_session(session, media)
        if media.kind != "frame":
            raise InvalidInput("not a frame")
        return await self.transport.frame(key, media.name)

    def events(
        self, *, after: int | None = None, session: SessionArg = None
    ) -> AsyncGenerator[EventOut, None]:
        """The session's events, after event ``after`` if given, then live; close the
        iterator (``aclose``) when done."""
        key = resolve_session(session)
        if after is not None and not (isinstance(after, int) and after >= 0):
            raise InvalidInput("after is an event id (0 or more)")
        return self.transport.events(key, after)

    # ------------------------------------------------------------ saved games

    async def games(self) -> list[GameInfo]:
        """The saved games this caller may see, most recently played first."""
        return await self.transport.games()

    async def load_game(
        self, game_id: str, *, swap: bool = False, session: SessionArg = None
    ) -> str:
        key = resolve_session(session)
        return (await self.transport.load_game(key, _game_id(game_id), swap)).game_id

    async def delete_game(self, game_id: str) -> None:
        await self.transport.delete_game(_game_id(game_id))


def _game_id(game_id: str) -> str:
    if not is_game_id(game_id):
        raise InvalidInput("a game id is 1-64 letters and digits")
    return game_id
