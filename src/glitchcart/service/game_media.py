"""All the media a game left in a session: its frames, tapes, clips and films.

Deleting a saved game deletes these too (the engine already deletes the frames
its history points at; tapes, clips and films are found here by name)::

    for ref in await game_media(media, summary.session, game_id):
        await media.delete(ref)
"""

from __future__ import annotations

from glitchcart.core.keys import MEDIA_KINDS, MediaRef, SessionKey
from glitchcart.core.media_names import belongs_to_game
from glitchcart.ports import MediaStore


async def game_media(media: MediaStore, session: SessionKey, game_id: str) -> list[MediaRef]:
    """Every published media file of ``game_id`` in ``session``, by kind, then name."""
    refs: list[MediaRef] = []
    for kind in MEDIA_KINDS:
        refs.extend(r for r in await media.list(session, kind) if belongs_to_game(r.name, game_id))
    return refs
