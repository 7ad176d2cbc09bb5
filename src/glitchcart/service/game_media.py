"""All the media a game left in a session: its frames, tapes, clips and films.

Deleting a saved game deletes these too (the engine already deletes the frames
its history points at; tapes, clips and films are found here by name)::

    for ref in await game_media(media, summary.session, game_id):
        await media.delete(ref)

Loading a game into another session moves them all: nothing a player made is
lost. Clips and films are copied as they are; a tape's title card names its
session, so the engine makes it again for the new session (:func:`retitle_tapes`)
and keeps the old bytes only when it cannot.
"""

from __future__ import annotations

from glitchcart.core.keys import MEDIA_KINDS, MediaRef, SessionKey
from glitchcart.core.media_names import belongs_to_game, parse_tape_name
from glitchcart.core.tape import TurnSpan
from glitchcart.errors import GlitchcartError
from glitchcart.ports import MediaStore
from glitchcart.service.tapes import TapeService


async def game_media(media: MediaStore, session: SessionKey, game_id: str) -> list[MediaRef]:
    """Every published media file of ``game_id`` in ``session``, by kind, then name."""
    refs: list[MediaRef] = []
    for kind in MEDIA_KINDS:
        refs.extend(r for r in await media.list(session, kind) if belongs_to_game(r.name, game_id))
    return refs


async def copy_to(media: MediaStore, ref: MediaRef, session: SessionKey) -> MediaRef:
    """``ref``'s bytes under the same kind and name in ``session`` (kept if already there)."""
    fresh = MediaRef(session, ref.kind, ref.name)
    if not await media.exists(fresh):
        await media.put(fresh, await media.get(ref))
    return fresh


async def copy_clips_and_films(
    media: MediaStore, old: SessionKey, new: SessionKey, game_id: str
) -> list[MediaRef]:
    """Copy the game's clips and films into ``new``; returns the old refs, to delete later."""
    moved = []
    for ref in await game_media(media, old, game_id):
        if ref.kind in ("segment", "film"):
            await copy_to(media, ref, new)
            moved.append(ref)
    return moved


async def retitle_tapes(
    media: MediaStore,
    tapes: TapeService | None,
    old: SessionKey,
    new: SessionKey,
    game_id: str,
    cartridge: str,
) -> None:
    """Move the game's tapes from ``old`` to ``new``: made again with ``new`` on their cards
    (same turns, same format), or copied as they are if that fails; then the old go."""
    for ref in await game_media(media, old, game_id):
        name = parse_tape_name(ref.name)
        if ref.kind != "tape" or name is None:
            continue
        try:
            if tapes is None:
                raise GlitchcartError("tapes are not made in this process")
            span = TurnSpan(name.first, name.last)
            await tapes.build_game(new, game_id, cartridge, turns=span, fmt=name.format)
        except GlitchcartError:
            await copy_to(media, ref, new)
        await media.delete(ref)
