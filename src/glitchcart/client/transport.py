"""The seam under :class:`~glitchcart.client.Client`: one Protocol, two transports.

A transport receives a session key already resolved by the client (DESIGN.md's
one rule) and request bodies already validated, and answers with wire types or
raises the project's exceptions. :class:`~glitchcart.client.inprocess.InProcessTransport`
calls an engine in this process; :class:`~glitchcart.client.http_transport.HttpTransport`
calls the HTTP API.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Protocol

from glitchcart.client.models import (
    BootRequest,
    CartridgeInfo,
    EventOut,
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
from glitchcart.core.keys import SessionKey


class Transport(Protocol):
    async def cartridges(self) -> list[CartridgeInfo]: ...

    async def boot(self, key: SessionKey, body: BootRequest) -> Turn: ...

    async def snapshot(self, key: SessionKey) -> SessionView: ...

    async def exit(self, key: SessionKey) -> GameRef: ...

    async def delete_session(self, key: SessionKey) -> None: ...

    async def vote(
        self, key: SessionKey, body: VoteRequest, idempotency_key: str | None
    ) -> VoteReceiptOut: ...

    async def turn(
        self, key: SessionKey, body: TurnRequest, expected_version: int | None
    ) -> Turn: ...

    async def tick(self, key: SessionKey, expected_version: int | None) -> Turn: ...

    async def regenerate(self, key: SessionKey, body: PlayerRequest) -> SessionView: ...

    async def reset(self, key: SessionKey, body: PlayerRequest) -> Turn: ...

    async def join(self, key: SessionKey, body: JoinRequest) -> None: ...

    async def take_crown(self, key: SessionKey, body: JoinRequest) -> None: ...

    async def pass_crown(self, key: SessionKey, body: PassCrown) -> None: ...

    async def drop_crown(self, key: SessionKey, body: HolderRequest) -> None: ...

    async def grant_crown(self, key: SessionKey, body: GrantCrown) -> None: ...

    async def twist(self, key: SessionKey, body: TwistRequest) -> None: ...

    async def veto(self, key: SessionKey, body: VetoRequest) -> None: ...

    async def force(self, key: SessionKey, body: ForceRequest) -> VoteReceiptOut: ...

    async def set_mode(self, key: SessionKey, body: ModeRequest) -> None: ...

    async def configure(self, key: SessionKey, body: OptionsRequest) -> SessionOptionsOut: ...

    async def history(self, key: SessionKey, start: int, limit: int) -> HistoryPage: ...

    async def export(self, key: SessionKey) -> SessionExport: ...

    async def frame(self, key: SessionKey, name: str) -> bytes: ...

    async def build_tape(self, key: SessionKey, body: TapeRequest) -> TapeOut: ...

    async def list_tapes(self, key: SessionKey) -> list[TapeOut]: ...

    async def tape(self, key: SessionKey, name: str) -> bytes: ...

    def tape_chunks(self, key: SessionKey, name: str) -> AsyncGenerator[bytes, None]:
        """A tape's bytes in chunks as they are read; raises (e.g. :class:`MediaNotFound`)
        on the first step. ``name`` is a tape's file name, checked by the client."""
        ...

    def events(self, key: SessionKey, after: int | None) -> AsyncGenerator[EventOut, None]:
        """Events of one session, those after ``after`` first; raises
        :class:`SessionNotFound` on the first step if the session does not exist."""
        ...

    async def games(self) -> list[GameInfo]: ...

    async def load_game(self, key: SessionKey, game_id: str, swap: bool) -> GameRef: ...

    async def delete_game(self, game_id: str) -> None: ...

    async def aclose(self) -> None: ...
