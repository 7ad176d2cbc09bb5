"""The contract every MediaStore keeps; each media store runs this same suite.

The tests talk to the store only through the ``MediaStore`` Protocol. To add a
store (S3, Redis, ...), add a factory to ``STORES``. What only the file store
does (its folders, temp files, links) is in ``test_file_media.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.media.memory import MemoryMediaStore
from glitchcart.core.keys import MEDIA_KINDS, MediaRef, SessionKey
from glitchcart.errors import InvalidInput, MediaNotFound
from glitchcart.ports import MediaStore

STORES: dict[str, Callable[[Path], MediaStore]] = {
    "files": lambda tmp: FileMediaStore(tmp / "data"),
    "memory": lambda tmp: MemoryMediaStore(),
}

ALICE = SessionKey("cli", "alice")
FOX = SessionKey("web", "Fox")
fox = SessionKey("web", "fox")  # differs from FOX only in case: a case-insensitive disk trap
NAMES = {"frame": "0001.png", "tape": "run.gif", "segment": "s.mp4", "film": "f.webm"}


@pytest.fixture(params=sorted(STORES))
def media(request: pytest.FixtureRequest, tmp_path: Path) -> MediaStore:
    return STORES[request.param](tmp_path)


def frame(session: SessionKey, name: str = "0001.png") -> MediaRef:
    return MediaRef(session, "frame", name)


# ---------------------------------------------------------------- put, get, exists, list


async def test_put_then_get_exists_size_and_list(media: MediaStore) -> None:
    ref = frame(ALICE)
    assert await media.exists(ref) is False

    assert await media.put(ref, b"\x89PNG one") is True

    assert await media.get(ref) == b"\x89PNG one"
    assert await media.exists(ref) is True
    assert await media.size(ref) == len(b"\x89PNG one")
    assert await media.list(ALICE, "frame") == [ref]
    assert await media.list(ALICE, "tape") == []


async def test_every_kind_is_kept_apart(media: MediaStore) -> None:
    refs = [MediaRef(ALICE, kind, NAMES[kind]) for kind in MEDIA_KINDS]
    for ref in refs:
        assert await media.put(ref, ref.kind.encode()) is True
    same_name = MediaRef(ALICE, "tape", "0001.png")  # a frame's name under another kind
    assert await media.exists(same_name) is False
    for ref in refs:
        assert await media.list(ALICE, ref.kind) == [ref]
        assert await media.get(ref) == ref.kind.encode()


async def test_put_never_overwrites(media: MediaStore) -> None:
    ref = frame(ALICE)
    await media.put(ref, b"first")

    assert await media.put(ref, b"second") is False

    assert await media.get(ref) == b"first"
    assert await media.size(ref) == len(b"first")
    assert await media.list(ALICE, "frame") == [ref]


async def test_put_keeps_the_bytes_it_was_given(media: MediaStore) -> None:
    buffer = bytearray(b"frame")
    await media.put(frame(ALICE), buffer)  # type: ignore[arg-type]
    buffer[:] = b"XXXXX"  # the caller reuses its buffer
    assert await media.get(frame(ALICE)) == b"frame"


async def test_concurrent_puts_of_one_ref_write_it_once(media: MediaStore) -> None:
    ref = frame(ALICE)

    wrote = await asyncio.gather(*(media.put(ref, bytes([i]) * 1000) for i in range(8)))

    assert sorted(wrote) == [False] * 7 + [True]
    assert await media.get(ref) == bytes([wrote.index(True)]) * 1000


async def test_an_empty_file_is_still_a_file(media: MediaStore) -> None:
    ref = MediaRef(ALICE, "tape", "empty.gif")
    assert await media.put(ref, b"") is True
    assert await media.exists(ref) is True
    assert (await media.get(ref), await media.size(ref)) == (b"", 0)
    assert [chunk async for chunk in media.read(ref)] == []
    assert await media.put(ref, b"late") is False


async def test_list_is_sorted_by_name(media: MediaStore) -> None:
    for name in ["0003.png", "0001.png", "0002.png"]:
        await media.put(frame(ALICE, name), b"x")

    assert [r.name for r in await media.list(ALICE, "frame")] == [
        "0001.png",
        "0002.png",
        "0003.png",
    ]


async def test_written_at_orders_files_by_when_they_were_published(media: MediaStore) -> None:
    first, second = frame(ALICE, "0001.png"), frame(ALICE, "0002.png")
    await media.put(first, b"one")
    await media.put(second, b"two")
    when = await media.written_at(first)
    assert isinstance(when, float) and when > 0
    assert when <= await media.written_at(second)

    assert await media.put(first, b"again") is False  # found, not written
    assert await media.written_at(first) == when
    await media.delete(first)
    await media.put(first, b"anew")
    assert await media.written_at(first) >= await media.written_at(second)


# ---------------------------------------------------------------- missing media


async def test_a_missing_ref_is_media_not_found_everywhere(media: MediaStore) -> None:
    ref = MediaRef(ALICE, "tape", "none.gif")
    with pytest.raises(MediaNotFound):
        await media.get(ref)
    with pytest.raises(MediaNotFound):
        await media.size(ref)
    with pytest.raises(MediaNotFound):
        await media.written_at(ref)
    with pytest.raises(MediaNotFound):
        await anext(media.read(ref))
    assert await media.exists(ref) is False
    assert await media.delete(ref) is False
    assert await media.list(ALICE, "tape") == []


# ---------------------------------------------------------------- reading in chunks


async def test_read_in_chunks(media: MediaStore) -> None:
    ref = MediaRef(ALICE, "tape", "run.gif")
    data = bytes(range(256)) * 40  # 10240 bytes
    await media.put(ref, data)

    chunks = [chunk async for chunk in media.read(ref, 4096)]

    assert [len(c) for c in chunks] == [4096, 4096, 2048]
    assert b"".join(chunks) == data


async def test_a_chunk_is_at_least_one_byte(media: MediaStore) -> None:
    ref = MediaRef(ALICE, "tape", "run.gif")
    await media.put(ref, b"x")
    with pytest.raises(InvalidInput):
        await anext(media.read(ref, 0))


async def test_a_read_left_midway_can_be_closed(media: MediaStore) -> None:
    ref = MediaRef(ALICE, "tape", "run.gif")
    await media.put(ref, b"x" * 100)
    reader = media.read(ref, 10)
    assert await anext(reader) == b"x" * 10
    await reader.aclose()  # type: ignore[attr-defined]  # an async generator in both stores
    assert await media.get(ref) == b"x" * 100


# ---------------------------------------------------------------- one session, its own media


async def test_sessions_never_see_each_others_media(media: MediaStore) -> None:
    await media.put(frame(FOX), b"upper")
    await media.put(frame(fox, "0002.png"), b"lower")

    assert await media.list(FOX, "frame") == [frame(FOX)]
    assert await media.list(fox, "frame") == [frame(fox, "0002.png")]
    assert await media.exists(frame(fox)) is False
    with pytest.raises(MediaNotFound):
        await media.get(frame(fox))  # FOX's file, asked for under fox


async def test_a_ref_of_another_session_never_reaches_this_sessions_file(
    media: MediaStore,
) -> None:
    """A ref carries its session: the same name under another session is another file,
    which every call refuses as missing, and deleting it leaves this one alone."""
    await media.put(frame(ALICE), b"alice's")
    theirs = frame(fox)

    with pytest.raises(MediaNotFound):
        await media.get(theirs)
    with pytest.raises(MediaNotFound):
        await media.size(theirs)
    with pytest.raises(MediaNotFound):
        await anext(media.read(theirs))
    assert await media.delete(theirs) is False
    assert await media.put(theirs, b"fox's") is True  # its own file, not a refusal to write

    assert await media.get(frame(ALICE)) == b"alice's"
    assert await media.get(theirs) == b"fox's"


async def test_each_ref_has_its_own_place(media: MediaStore) -> None:
    refs = [frame(FOX), frame(fox), frame(ALICE), MediaRef(FOX, "tape", "0001.gif")]
    places = {media.locate(ref) for ref in refs}
    assert len(places) == len(refs)
    assert all(place for place in places)


async def test_delete_session_removes_only_that_session(media: MediaStore) -> None:
    await media.put(frame(FOX), b"upper")
    await media.put(MediaRef(FOX, "tape", "run.gif"), b"tape")
    await media.put(frame(fox), b"lower")

    await media.delete_session(FOX)

    for kind in MEDIA_KINDS:
        assert await media.list(FOX, kind) == []
    assert await media.exists(frame(FOX)) is False
    assert await media.get(frame(fox)) == b"lower"
    await media.delete_session(FOX)  # deleting nothing is fine
    await media.delete_session(ALICE)
    assert await media.put(frame(FOX), b"new game") is True  # the session starts afresh


async def test_delete_removes_one_file_and_says_whether_it_was_there(
    media: MediaStore,
) -> None:
    await media.put(frame(FOX), b"one")
    await media.put(frame(FOX, "0002.png"), b"two")
    await media.put(frame(fox), b"lower")

    assert await media.delete(frame(FOX)) is True

    assert await media.exists(frame(FOX)) is False
    assert await media.list(FOX, "frame") == [frame(FOX, "0002.png")]
    assert await media.get(frame(fox)) == b"lower"
    assert await media.delete(frame(FOX)) is False
    assert await media.delete(MediaRef(ALICE, "tape", "run.gif")) is False  # nothing at all
    assert await media.put(frame(FOX), b"again") is True  # the name is free again
    assert await media.get(frame(FOX)) == b"again"


# ---------------------------------------------------------------- atomic publication


async def test_readers_never_see_a_partly_written_file(media: MediaStore) -> None:
    """While large files are being put, whatever a reader finds (by name or by listing)
    is already whole: a ref is absent, or present with all of its bytes."""
    refs = [MediaRef(ALICE, "tape", f"t{i:02}.gif") for i in range(24)]
    payload = {ref: bytes([i]) * (1 << 20) for i, ref in enumerate(refs)}  # 1 MiB each
    seen: list[tuple[MediaRef, int]] = []
    writing = True

    async def read_while_writing() -> None:
        while writing:
            for ref in await media.list(ALICE, "tape"):
                data = await media.get(ref)
                assert data == payload[ref], f"{ref.name}: {len(data)} bytes"
                seen.append((ref, len(data)))
            for ref in refs:
                if await media.exists(ref):
                    assert await media.size(ref) == len(payload[ref])
            await asyncio.sleep(0)

    reader = asyncio.create_task(read_while_writing())
    try:
        for ref in refs:
            assert await media.put(ref, payload[ref]) is True
            await asyncio.sleep(0)
    finally:
        writing = False
        await reader
    assert await media.list(ALICE, "tape") == refs
    assert seen  # the reader did look while writes were under way
