"""The in-process transport: the engine runs in this process.

The HTTP server answers every request through one of these, so a surface gets
the same values and the same exceptions whichever transport it uses.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import replace

from glitchcart.client.convert import (
    cartridge_out,
    event_out,
    game_out,
    receipt_out,
    session_out,
    tape_out,
    turn_out,
)
from glitchcart.client.idempotency import InFlight
from glitchcart.client.models import (
    ActionTurn,
    BootRequest,
    CartridgeInfo,
    ChoiceTurn,
    ChoiceVote,
    EventOut,
    ForceChoice,
    ForceRequest,
    GameInfo,
    GameRef,
    GrantCrown,
    HistoryPage,
    HolderRequest,
    JoinRequest,
    ModeRequest,
    OptionsRequest,
    PassCrown,
    PlayerRequest,
    SessionExport,
    SessionOptionsOut,
    SessionView,
    TapeOut,
    TapeRequest,
    Turn,
    TurnRequest,
    TwistRequest,
    VetoRequest,
    VoteReceiptOut,
    VoteRequest,
)
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.tape import TurnSpan
from glitchcart.errors import (
    InvalidInput,
    MediaNotFound,
    NotFound,
    SessionNotFound,
)
from glitchcart.service.engine import Engine
from glitchcart.service.tapes import Tape


class InProcessTransport:
    """Calls ``engine`` directly; owns nothing of it (the caller opens and closes it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inflight = InFlight()

    async def cartridges(self) -> list[CartridgeInfo]:
        return [cartridge_out(c) for c in self.engine.list_cartridges()]

    async def boot(self, key: SessionKey, body: BootRequest) -> Turn:
        record = await self.engine.boot(
            key,
            body.cartridge,
            seed=body.seed,
            mode=body.mode,
            swap=body.swap,
            player=body.player,
            options=body.options.changes() if body.options is not None else None,
        )
        return turn_out(record)

    async def snapshot(self, key: SessionKey) -> SessionView:
        return session_out(await self.engine.snapshot(key))

    async def exit(self, key: SessionKey) -> GameRef:
        return GameRef(game_id=await self.engine.exit(key))

    async def delete_session(self, key: SessionKey) -> None:
        await self.engine.delete_session(key)

    async def vote(
        self, key: SessionKey, body: VoteRequest, idempotency_key: str | None
    ) -> VoteReceiptOut:
        choice = body.choice if isinstance(body, ChoiceVote) else None
        action = None if isinstance(body, ChoiceVote) else body.action
        with self.inflight.hold((key, idempotency_key) if idempotency_key else None):
            receipt = await self.engine.vote(
                key,
                named(body.player),
                choice=choice,
                action=action,
                name=body.name,
                idempotency_key=idempotency_key,
                turn=body.turn,
                game_id=body.game_id,
            )
        return receipt_out(receipt)

    async def turn(self, key: SessionKey, body: TurnRequest, expected_version: int | None) -> Turn:
        if isinstance(body, ChoiceTurn):
            record = await self.engine.choose(
                key, body.choice, player=body.player, expected_version=expected_version
            )
        else:
            assert isinstance(body, ActionTurn)
            record = await self.engine.act(
                key, body.action, player=body.player, expected_version=expected_version
            )
        return turn_out(record)

    async def tick(self, key: SessionKey, expected_version: int | None) -> Turn:
        return turn_out(await self.engine.tick(key, expected_version=expected_version))

    async def regenerate(self, key: SessionKey, body: PlayerRequest) -> SessionView:
        return session_out(await self.engine.regenerate(key, player=body.player))

    async def reset(self, key: SessionKey, body: PlayerRequest) -> Turn:
        return turn_out(await self.engine.reset(key, player=body.player))

    async def join(self, key: SessionKey, body: JoinRequest) -> None:
        await self.engine.join(key, named(body.player), name=body.name)

    async def take_crown(self, key: SessionKey, body: JoinRequest) -> None:
        await self.engine.take_crown(key, named(body.player), name=body.name)

    async def pass_crown(self, key: SessionKey, body: PassCrown) -> None:
        await self.engine.pass_crown(key, named(body.holder), body.to)

    async def drop_crown(self, key: SessionKey, body: HolderRequest) -> None:
        await self.engine.drop_crown(key, named(body.holder))

    async def grant_crown(self, key: SessionKey, body: GrantCrown) -> None:
        await self.engine.grant_crown(key, body.player, crown_open=body.crown_open)

    async def twist(self, key: SessionKey, body: TwistRequest) -> None:
        await self.engine.twist(key, named(body.holder), body.text)

    async def veto(self, key: SessionKey, body: VetoRequest) -> None:
        await self.engine.veto(
            key, named(body.holder), body.choice, turn=body.turn, game_id=body.game_id
        )

    async def force(self, key: SessionKey, body: ForceRequest) -> VoteReceiptOut:
        if isinstance(body, ForceChoice):
            receipt = await self.engine.force(
                key, named(body.holder), choice=body.choice, turn=body.turn, game_id=body.game_id
            )
        else:
            receipt = await self.engine.force(
                key, named(body.holder), action=body.action, turn=body.turn, game_id=body.game_id
            )
        return receipt_out(receipt)

    async def set_mode(self, key: SessionKey, body: ModeRequest) -> None:
        await self.engine.set_mode(key, body.mode, player=body.player)

    async def configure(self, key: SessionKey, body: OptionsRequest) -> SessionOptionsOut:
        options = await self.engine.configure(key, body.changes(), player=body.player)
        return SessionOptionsOut.model_validate(options.to_dict())

    async def history(self, key: SessionKey, start: int, limit: int) -> HistoryPage:
        found = await self.engine.history(key, start=start, limit=limit + 1)
        more = len(found) > limit
        return HistoryPage(
            items=[turn_out(t) for t in found[:limit]],
            start=start,
            next_start=found[limit].turn if more else None,
        )

    async def export(self, key: SessionKey) -> SessionExport:
        snap = await self.engine.snapshot(key)
        history = await self.engine.history(key)
        return SessionExport(session=session_out(snap), history=[turn_out(t) for t in history])

    async def frame(self, key: SessionKey, name: str) -> bytes:
        return await self.engine.frame(key, MediaRef(key, "frame", name))

    async def build_tape(self, key: SessionKey, body: TapeRequest) -> TapeOut:
        self._tapes_on()
        await self.require(key)  # a missing session before a range it cannot have
        turns = TurnSpan(body.first, body.last)
        made = await self.engine.build_tape(key, fmt=body.format, turns=turns)
        size = made.size if made.size is not None else await self.engine.tape_size(key, made.ref)
        return tape_out(made, size)

    async def list_tapes(self, key: SessionKey) -> list[TapeOut]:
        self._tapes_on()
        await self.require(key)
        found = []
        for entry in await self.engine.list_tapes(key):
            try:
                size = await self.engine.tape_size(key, entry.ref)
            except MediaNotFound:
                continue  # deleted (with its game) since it was listed
            turns = entry.last - entry.first + 1  # a game's turns are numbered without gaps
            tape = Tape(
                entry.ref, entry.game, entry.first, entry.last, entry.format, turns, size, False
            )
            found.append(tape_out(tape, size))
        return found

    async def tape(self, key: SessionKey, name: str) -> bytes:
        ref = MediaRef(key, "tape", name)  # the name is checked before anything is touched
        return await self.engine.tape(key, ref)

    async def open_tape(
        self, key: SessionKey, name: str
    ) -> tuple[int, AsyncGenerator[bytes, None]]:
        """A tape's size and its chunks, for the HTTP API to stream: a missing tape is
        :class:`MediaNotFound` here, before an answer has started."""
        ref = MediaRef(key, "tape", name)
        size = await self.engine.tape_size(key, ref)
        return size, _closing(self.engine.read_tape(key, ref))

    async def tape_chunks(self, key: SessionKey, name: str) -> AsyncGenerator[bytes, None]:
        _, chunks = await self.open_tape(key, name)
        async with aclosing(chunks):
            async for chunk in chunks:
                yield chunk

    def _tapes_on(self) -> None:
        if not self.engine.tapes_on:
            raise NotFound("replay tapes are turned off on this server")

    async def require(self, key: SessionKey) -> None:
        """Raise :class:`SessionNotFound` unless the session exists."""
        if not await self.engine.exists(key):
            raise SessionNotFound(f"no session {key}; boot a cartridge into it first")

    async def check_resume(self, key: SessionKey, after: int | None) -> None:
        """Raise before streaming: no such session, no events here, or an id in the future."""
        await self.require(key)
        await self.engine.check_resume(key, after)

    async def events(self, key: SessionKey, after: int | None) -> AsyncGenerator[EventOut, None]:
        await self.check_resume(key, after)
        async for event in self.engine.subscribe(key, after=after):
            if event.kind == "trimmed":  # some were trimmed away: here is where things stand
                snapshot = (await self.snapshot(key)).model_dump(mode="json")
                event = replace(event, data={**event.data, "snapshot": snapshot})
            yield event_out(event)

    async def games(self) -> list[GameInfo]:
        return [game_out(g) for g in await self.engine.games()]

    async def load_game(self, key: SessionKey, game_id: str, swap: bool) -> GameRef:
        return GameRef(game_id=await self.engine.load_game(key, game_id, swap=swap))

    async def delete_game(self, game_id: str) -> None:
        await self.engine.delete_game(game_id)

    async def aclose(self) -> None:
        """Nothing to release: the engine belongs to whoever opened it."""


def named(player: str | None) -> str:
    """The player a move names; a move by nobody is refused (over HTTP a player
    credential names its own player when the body leaves it out)."""
    if player is None:
        raise InvalidInput("name the player who makes this move")
    return player


async def _closing(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """``chunks`` as a generator that, once closed, closes them (and the file under them)."""
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        if isinstance(chunks, AsyncGenerator):
            await chunks.aclose()
