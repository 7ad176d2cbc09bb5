"""Replay tapes through the client, on both transports (see ``test_conformance.py``):
build, list, get and stream; one tape for two builds at once; refs of other sessions,
bad names, formats and ranges refused with nothing written; and the ``tape_ready``
event of a death, whose ref fetches the bytes on disk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.client.models import MediaRefOut, TapeOut
from glitchcart.core.keys import MediaRef
from glitchcart.core.resolver import bound_session
from glitchcart.errors import (
    InvalidInput,
    InvalidSessionKey,
    MediaNotFound,
    NoGameRunning,
    NoSessionResolved,
    NotFound,
    SessionMismatch,
    SessionNotFound,
)
from glitchcart.service.tapes import TapeService
from support.providers import PlainNarrator
from support.rigs import Rig, run_on_both, take
from support.tapes import GatedEncoder, WatchedMedia, add_tapes, tape_folder
from support.transcripts import Transcript

A, B = "discord:100", "web:blue-fox"
UNKNOWN = "g1-tape-00000-00003-0123456789.gif"  # a tape's name, of no tape


async def joined(chunks: AsyncIterator[bytes]) -> bytes:
    """A stream's bytes (its chunks are cut differently in each transport)."""
    return b"".join([chunk async for chunk in chunks])


def on_disk(tapes: TapeService, tape: TapeOut | MediaRefOut) -> bytes:
    ref = tape.ref if isinstance(tape, TapeOut) else tape
    return Path(tapes.media.locate(MediaRef.from_dict(ref.model_dump()))).read_bytes()


async def test_build_list_get_and_stream(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        tapes = add_tapes(r.engine)
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        for n in range(3):
            await t.ok(f"turn {n}", c.choose(1, session=A))
        gif = await t.ok("build", c.tapes.build(session=A))
        assert (gif.first, gif.last, gif.turns, gif.format, gif.built) == (0, 3, 4, "gif", True)
        assert (gif.ref.session, gif.ref.kind, gif.content_type) == (A, "tape", "image/gif")
        assert gif.url == f"/v1/sessions/{A}/tapes/{gif.ref.name}"
        again = await t.ok("build again", c.tapes.build("gif", session=A))
        assert again == gif.model_copy(update={"built": False})
        mp4 = await t.ok("mp4 of turns 1-2", c.tapes.build("mp4", first=1, last=2, session=A))
        assert (mp4.first, mp4.last, mp4.turns, mp4.content_type) == (1, 2, 2, "video/mp4")
        listed = await t.ok("list", c.tapes.list(session=A))
        assert {x.ref.name: x for x in listed} == {
            x.ref.name: x.model_copy(update={"built": False}) for x in (gif, mp4)
        }
        data = await t.ok("get", c.tapes.get(gif))
        assert data == on_disk(tapes, gif) and len(data) == gif.size
        assert data.startswith(b"GIF89a")
        assert await t.ok("get by ref", c.tapes.get(gif.ref)) == data
        assert await t.ok("get by name", c.tapes.get(gif.ref.name, session=A)) == data
        with bound_session(A):
            assert await t.ok("get, session bound", c.tapes.get(gif.ref.name)) == data
        video = await t.ok("stream", joined(c.tapes.stream(mp4)))
        assert video == on_disk(tapes, mp4) and len(video) == mp4.size
        assert video[4:8] == b"ftyp"
        stream = c.tapes.stream(gif)  # left after one chunk: closed, the file with it
        assert data.startswith(await anext(stream))
        await stream.aclose()

    await run_on_both(tmp_path, scenario)


async def test_two_builds_at_once_make_one_tape(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        encoder = GatedEncoder(GifTapeEncoder())
        media = WatchedMedia(r.engine.settings.data_dir)
        tapes = add_tapes(r.engine, encoder, media=media)
        await t.ok("boot", c.boot("mini", seed=2, session=A))
        await t.ok("turn", c.choose(2, session=A))
        first = asyncio.create_task(c.tapes.build(session=A))
        await asyncio.wait_for(encoder.entered.wait(), 10)
        second = asyncio.create_task(c.tapes.build(session=A))
        await asyncio.wait_for(media.second_check.wait(), 10)  # it has joined the build
        encoder.gate.set()
        one, two = await asyncio.gather(first, second)
        t.note("both", [one, two])
        assert one == two and one.built and encoder.calls == 1
        assert [p.name for p in tape_folder(tapes, A).iterdir()] == [one.ref.name]
        assert [x.ref for x in await t.ok("list", c.tapes.list(session=A))] == [one.ref]

    await run_on_both(tmp_path, scenario)


async def test_bad_requests_and_foreign_refs_are_refused_and_write_nothing(
    tmp_path: Path,
) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        tapes = add_tapes(r.engine)
        booted = await t.ok("boot A", c.boot("mini", seed=3, session=A))
        await t.ok("boot B", c.boot("mini", seed=4, session=B))
        await t.ok("turn", c.choose(1, session=A))
        await t.fails("format", c.tapes.build("webm", session=A), InvalidInput)
        await t.fails("backwards", c.tapes.build(first=3, last=1, session=A), InvalidInput)
        await t.fails("negative", c.tapes.build(first=-1, session=A), InvalidInput)
        await t.fails("text", c.tapes.build(first="1", session=A), InvalidInput)  # type: ignore[arg-type]
        await t.fails("past the end", c.tapes.build(first=20, last=30, session=A), InvalidInput)
        await t.fails("no session", c.tapes.build(session="web:nobody"), SessionNotFound)
        await t.fails("bad key", c.tapes.list(session="web:../x"), InvalidSessionKey)
        await t.fails("no key at all", c.tapes.list(), NoSessionResolved)
        await t.fails("list nobody", c.tapes.list(session="web:nobody"), SessionNotFound)
        await t.fails("traversal", c.tapes.get("../../etc/x.gif", session=A), InvalidInput)
        await t.fails("not a tape's name", c.tapes.get("notes.gif", session=A), InvalidInput)
        assert booted.frame is not None
        await t.fails("a frame", c.tapes.get(booted.frame), InvalidInput)
        await t.fails("unknown", c.tapes.get(UNKNOWN, session=A), MediaNotFound)
        await t.fails("unknown stream", anext(c.tapes.stream(UNKNOWN, session=A)), MediaNotFound)
        assert await t.ok("none made", c.tapes.list(session=A)) == []
        folder = tape_folder(tapes, A)
        assert not folder.exists()  # not even a temp file

        tape = await t.ok("A's tape", c.tapes.build(session=A))
        await t.fails("in B", c.tapes.get(tape, session=B), SessionMismatch)
        await t.fails("ref in B", c.tapes.get(tape.ref, session=B), SessionMismatch)
        await t.fails("stream in B", anext(c.tapes.stream(tape, session=B)), SessionMismatch)
        await t.fails("name in B", c.tapes.get(tape.ref.name, session=B), MediaNotFound)
        assert await t.ok("B has none", c.tapes.list(session=B)) == []
        await t.ok("exit A", c.exit(session=A))
        await t.fails("no game", c.tapes.build(session=A), NoGameRunning)

    await run_on_both(tmp_path, scenario)


async def test_tapes_turned_off_are_not_found(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        assert r.engine.tapes is None
        await t.ok("boot", c.boot("mini", seed=1, session=A))
        await t.fails("build", c.tapes.build(session=A), NotFound)
        await t.fails("list", c.tapes.list(session=A), NotFound)
        await t.fails("get", c.tapes.get(UNKNOWN, session=A), NotFound)
        await t.fails("bad name first", c.tapes.get("x.gif", session=A), InvalidInput)

    await run_on_both(tmp_path, scenario)


async def test_a_death_tape_arrives_on_the_event_stream(tmp_path: Path) -> None:
    async def scenario(r: Rig, t: Transcript) -> None:
        c = r.client
        tapes = add_tapes(r.engine)
        await t.ok("boot", c.boot("mini", seed=5, session=A))
        listening = asyncio.create_task(take(c.events(after=0, session=A), until="tape_ready"))
        for n in range(30):  # the narrator hurts; the rules decide when it kills
            turn = await t.ok(f"turn {n}", c.choose(1, session=A))
            if not turn.state.alive:
                break
        assert not turn.state.alive
        await r.engine.drain()  # the tape is built in the background, after the commit
        ready = (await asyncio.wait_for(listening, 10))[-1]
        assert ready.kind == "tape_ready"
        t.note("tape_ready", ready.data)
        ref = MediaRefOut.model_validate(ready.data["ref"])
        assert (ref.session, ready.data["last"], ready.data["built"]) == (A, turn.turn, True)
        data = await t.ok("get", c.tapes.get(ref))
        assert data == on_disk(tapes, ref) and len(data) == ready.data["size"]
        assert await t.ok("stream", joined(c.tapes.stream(ref))) == data
        [listed] = await t.ok("list", c.tapes.list(session=A))
        assert (listed.ref, listed.game_id, listed.size) == (ref, turn.game_id, len(data))

    await run_on_both(tmp_path, scenario, narrator=lambda: PlainNarrator(damage=50))
