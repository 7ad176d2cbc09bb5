"""Domain values → wire types. Used by the in-process transport and by the HTTP
server, so both hand a surface exactly the same values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glitchcart.client.models import (
    TAPE_CONTENT_TYPES,
    CartridgeInfo,
    EventOut,
    GameInfo,
    MediaRefOut,
    SessionView,
    TapeOut,
    Turn,
    VoteReceiptOut,
)
from glitchcart.core.cartridge import Cartridge
from glitchcart.core.keys import SessionKey
from glitchcart.core.turn import TurnRecord
from glitchcart.core.votes import VoteWindow
from glitchcart.ports import Event, GameSummary

if TYPE_CHECKING:
    from glitchcart.service.sessions import Snapshot
    from glitchcart.service.tapes import Tape
    from glitchcart.service.voting import VoteReceipt


def turn_out(record: TurnRecord) -> Turn:
    return Turn.model_validate(record.to_dict())


def cartridge_out(cartridge: Cartridge) -> CartridgeInfo:
    return CartridgeInfo(
        id=cartridge.id,
        title=cartridge.title,
        genre=cartridge.genre,
        premise=cartridge.premise,
        choice_count=cartridge.choice_count,
    )


def session_out(snap: Snapshot) -> SessionView:
    return SessionView.model_validate(
        {
            "key": str(snap.key),
            "version": snap.version,
            "phase": snap.phase.value,
            "cartridge": snap.cartridge,
            "title": snap.title,
            "game_id": snap.game_id,
            "voting_on": snap.state.turn + 1 if snap.state else None,
            "seed": snap.seed,
            "state": snap.state.to_dict() if snap.state else None,
            "choices": [c.to_dict() for c in snap.choices],
            "last": snap.last.to_dict() if snap.last else None,
            "mode": snap.mode.value,
            "roster": [{"id": p.id, "name": p.name, "tier": p.tier.value} for p in snap.roster],
            "crown": snap.crown,
            "window": _window(snap.window) if snap.window else None,
            "vetoed": list(snap.vetoed),
            "paused": snap.paused,
            "idle_deadline": snap.idle_deadline,
            "options": snap.options.to_dict(),
        }
    )


def _window(window: VoteWindow) -> dict[str, Any]:
    out = window.to_dict()
    out["votes"] = [{**v.to_dict(), "candidate": v.candidate} for v in window.votes]
    return out


def receipt_out(receipt: VoteReceipt) -> VoteReceiptOut:
    return VoteReceiptOut.model_validate(receipt.to_dict())


def game_out(summary: GameSummary) -> GameInfo:
    return GameInfo(
        game_id=summary.game_id,
        cartridge=summary.cartridge,
        session=str(summary.session),
        live=summary.live,
        turn=summary.turn,
        alive=summary.alive,
        players=list(summary.players),
        created_at=summary.created_at,
        updated_at=summary.updated_at,
    )


def tape_url(key: SessionKey, name: str) -> str:
    """Where the HTTP API answers a tape's bytes, relative to its root."""
    return f"/v1/sessions/{key}/tapes/{name}"


def tape_out(tape: Tape, size: int) -> TapeOut:
    return TapeOut(
        ref=MediaRefOut.model_validate(tape.ref.to_dict()),
        game_id=tape.game_id,
        first=tape.first,
        last=tape.last,
        format=tape.format,
        turns=tape.turns,
        size=size,
        content_type=TAPE_CONTENT_TYPES[tape.format],
        url=tape_url(tape.ref.session, tape.ref.name),
        built=tape.built,
    )


def event_out(event: Event) -> EventOut:
    return EventOut(session=str(event.session), id=event.id, kind=event.kind, data=event.data)
