"""The tape at death, uploaded to the channel within its upload limit.

The tape the engine built is uploaded if it fits; else an MP4 of the same turns (much
smaller than a GIF); else MP4s of ever fewer final turns; else a line saying how to get
a shorter one. (The client cannot yet ask for a smaller picture size.)
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

from glitchcart.client import Client
from glitchcart.client.models import MediaRefOut, TapeOut
from glitchcart.errors import GlitchcartError

log = logging.getLogger(__name__)

SHORTER_TRIES = 3
HEADROOM = 64 * 1024  # the multipart envelope and message around the file


async def upload_tape(
    client: Client, channel: discord.abc.Messageable, data: dict[str, Any], limit: int
) -> None:
    """Upload the tape described by a ``tape_ready`` event's ``data``."""
    ref = MediaRefOut.model_validate(data["ref"])
    first, last = int(data["first"]), int(data["last"])
    try:
        tape = await fitting_tape(client, ref, int(data["size"]), first, last, limit - HEADROOM)
        if tape is None:
            await channel.send(
                "📼 The tape is too large to upload here; `/glitch tape mp4 <turns>` "
                "builds a shorter one."
            )
            return
        name, span = tape
        payload = await client.tapes.get(name)
        await channel.send(
            f"📼 The tape, turns {span[0]}-{span[1]}:",
            file=discord.File(io.BytesIO(payload), filename=name.name),
        )
    except (GlitchcartError, discord.HTTPException) as exc:
        log.warning("no tape uploaded to %s: %s", ref.session, exc)


async def fitting_tape(
    client: Client, ref: MediaRefOut, size: int, first: int, last: int, limit: int
) -> tuple[MediaRefOut, tuple[int, int]] | None:
    """The ref and span of a tape of this run that fits in ``limit`` bytes, building
    smaller ones as needed; None if none fits."""
    if size <= limit:
        return ref, (first, last)
    span = last - first + 1
    for _ in range(SHORTER_TRIES + 1):
        start = max(first, last - span + 1)
        built: TapeOut = await client.tapes.build(
            "mp4", first=start, last=last, session=ref.session
        )
        if built.size <= limit:
            return built.ref, (start, last)
        span = max(1, span // 2)
    return None
