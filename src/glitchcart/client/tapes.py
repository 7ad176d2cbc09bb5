"""``client.tapes``: the replay tapes of a session, built on demand, listed and fetched.

>>> tape = await client.tapes.build("mp4", first=3, last=12, session="web:blue-fox")
>>> data = await client.tapes.get(tape)                 # the whole file, as bytes
>>> async for chunk in client.tapes.stream(tape):       # or chunk by chunk
...     out.write(chunk)

A build of the same turns in the same format returns the tape already made (or
joins the build under way): ``built`` says whether this request wrote it. A tape
is named by a :class:`TapeOut`, its ``ref`` (a ``tape_ready`` event's
``data["ref"]`` too) or its file name in the session. The session is resolved as
everywhere in the client; a ref of another session is refused
(:class:`SessionMismatch`), and a name that is not a tape's is :class:`InvalidInput`
before either transport sees it.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator
from contextlib import aclosing

from glitchcart.client.arguments import SessionArg, build_request, media_ref
from glitchcart.client.models import MediaRefOut, TapeOut, TapeRequest
from glitchcart.client.transport import Transport
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.media_names import parse_tape_name
from glitchcart.core.resolver import resolve_session
from glitchcart.errors import InvalidInput

TapeArg = TapeOut | MediaRefOut | MediaRef | str


class Tapes:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def build(
        self,
        fmt: str = "gif",
        *,
        first: int = 0,
        last: int | None = None,
        session: SessionArg = None,
    ) -> TapeOut:
        """A tape (``gif`` or ``mp4``) of the session's current game, turns ``first`` to
        ``last`` (default: to the last committed turn). Takes seconds for a long run."""
        key = resolve_session(session)
        body = build_request(
            lambda: TapeRequest.model_validate({"format": fmt, "first": first, "last": last})
        )
        return await self.transport.build_tape(key, body)

    async def list(self, *, session: SessionArg = None) -> builtins.list[TapeOut]:
        """The session's tapes (of every game it played), by name."""
        return await self.transport.list_tapes(resolve_session(session))

    async def get(self, tape: TapeArg, *, session: SessionArg = None) -> bytes:
        """A tape's bytes, whole."""
        key, name = _tape(tape, session)
        return await self.transport.tape(key, name)

    async def stream(
        self, tape: TapeArg, *, session: SessionArg = None
    ) -> AsyncGenerator[bytes, None]:
        """A tape's bytes in chunks as they arrive, never all in memory; every error
        (a foreign ref, a missing tape) is raised on the first step."""
        key, name = _tape(tape, session)
        async with aclosing(self.transport.tape_chunks(key, name)) as chunks:
            async for chunk in chunks:
                yield chunk


def _tape(tape: TapeArg, session: SessionArg) -> tuple[SessionKey, str]:
    """The session and file name of a tape, by the client's one resolution rule."""
    if isinstance(tape, str):
        key = resolve_session(session)
        ref = MediaRef(key, "tape", tape)
    else:
        wire = tape.ref if isinstance(tape, TapeOut) else tape
        ref = wire if isinstance(wire, MediaRef) else media_ref(wire)
        key = resolve_session(session, ref)
    if ref.kind != "tape":
        raise InvalidInput(f"{ref.name} is a {ref.kind}, not a tape")
    if parse_tape_name(ref.name) is None:
        raise InvalidInput(f"{ref.name} is not the name of a tape")
    return key, ref.name
