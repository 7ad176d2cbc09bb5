"""The filesystem media store: its folders, temp files and links.

What every media store does (put, get, read, list, delete, isolation, atomic
publication) is checked for this one too, in ``test_media_conformance.py``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.errors import InvalidSessionKey, MediaNotFound, StorageError
from glitchcart.ports import MediaStore

ALICE = SessionKey("cli", "alice")
FOX = SessionKey("web", "Fox")
fox = SessionKey("web", "fox")


def frame(session: SessionKey, name: str = "0001.png") -> MediaRef:
    return MediaRef(session, "frame", name)


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture
def media(tmp_path: Path) -> FileMediaStore:
    return FileMediaStore(tmp_path / "data")


async def test_put_get_exists_list_locate(media: FileMediaStore) -> None:
    ref = frame(ALICE)
    assert await media.exists(ref) is False

    assert await media.put(ref, b"\x89PNG one") is True

    assert await media.get(ref) == b"\x89PNG one"
    assert await media.exists(ref) is True
    assert await media.list(ALICE, "frame") == [ref]
    assert await media.list(ALICE, "tape") == []
    expected = media.root / "sessions" / "cli.alice" / "frames" / "0001.png"
    assert media.locate(ref) == str(expected)
    assert os.path.isabs(media.locate(ref))


async def test_it_is_a_media_store(media: FileMediaStore) -> None:
    store: MediaStore = media  # checked by mypy; the call checks it at run time
    assert await store.list(ALICE, "frame") == []


async def test_each_kind_has_its_folder(media: FileMediaStore) -> None:
    refs = [
        MediaRef(ALICE, "frame", "a.png"),
        MediaRef(ALICE, "tape", "a.gif"),
        MediaRef(ALICE, "segment", "a.mp4"),
        MediaRef(ALICE, "film", "a.webm"),
    ]
    for ref in refs:
        await media.put(ref, ref.kind.encode())

    assert tree(media.root / "sessions" / "cli.alice") == [
        "films",
        "films/final",
        "films/final/a.webm",
        "films/segments",
        "films/segments/a.mp4",
        "frames",
        "frames/a.png",
        "tapes",
        "tapes/a.gif",
    ]
    for ref in refs:
        assert await media.list(ALICE, ref.kind) == [ref]
        assert await media.get(ref) == ref.kind.encode()


async def test_put_never_overwrites(media: FileMediaStore) -> None:
    ref = frame(ALICE)
    await media.put(ref, b"first")

    assert await media.put(ref, b"second") is False

    assert await media.get(ref) == b"first"
    assert tree(media.root / "sessions" / "cli.alice" / "frames") == ["0001.png"]  # no tmp left


async def test_sessions_never_see_each_others_media(media: FileMediaStore) -> None:
    await media.put(frame(FOX), b"upper")
    await media.put(frame(fox, "0002.png"), b"lower")

    assert await media.list(FOX, "frame") == [frame(FOX)]
    assert await media.list(fox, "frame") == [frame(fox, "0002.png")]
    assert await media.exists(frame(fox)) is False
    with pytest.raises(MediaNotFound):
        await media.get(frame(fox))
    assert tree(media.root / "sessions") == [
        "web._fox",
        "web._fox/frames",
        "web._fox/frames/0001.png",
        "web.fox",
        "web.fox/frames",
        "web.fox/frames/0002.png",
    ]


async def test_delete_session_removes_only_that_session(media: FileMediaStore) -> None:
    await media.put(frame(FOX), b"upper")
    await media.put(MediaRef(FOX, "tape", "run.gif"), b"tape")
    await media.put(frame(fox), b"lower")

    await media.delete_session(FOX)

    assert await media.list(FOX, "frame") == []
    assert await media.list(FOX, "tape") == []
    assert await media.get(frame(fox)) == b"lower"
    assert tree(media.root / "sessions") == ["web.fox", "web.fox/frames", "web.fox/frames/0001.png"]
    await media.delete_session(FOX)  # deleting nothing is fine


async def test_delete_never_follows_a_link_out_of_the_session_folder(
    media: FileMediaStore, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "0001.png").write_bytes(b"not yours")
    (outside / "0002.png").write_bytes(b"not yours either")
    folder = media.root / "sessions" / "cli.alice"
    folder.mkdir(parents=True)
    (folder / "frames").symlink_to(outside, target_is_directory=True)
    (folder / "tapes").mkdir()
    (folder / "tapes" / "run.gif").symlink_to(outside / "0002.png")

    with pytest.raises(StorageError, match="outside"):
        await media.delete(frame(ALICE))
    with pytest.raises(StorageError, match="outside"):
        await media.delete(MediaRef(ALICE, "tape", "run.gif"))

    assert sorted(p.name for p in outside.iterdir()) == ["0001.png", "0002.png"]
    assert (outside / "0001.png").read_bytes() == b"not yours"


async def test_a_failed_delete_is_a_storage_error(media: FileMediaStore) -> None:
    (media.root / "sessions" / "cli.alice" / "frames" / "0001.png").mkdir(parents=True)

    with pytest.raises(StorageError) as caught:
        await media.delete(frame(ALICE))
    assert isinstance(caught.value.__cause__, OSError)


async def test_leftover_temp_files_are_never_listed_and_can_be_swept(
    media: FileMediaStore,
) -> None:
    await media.put(frame(ALICE), b"done")
    frames = media.root / "sessions" / "cli.alice" / "frames"
    killed = frames / ".0002.png.k1ll3d.tmp"  # what a process killed mid-put leaves
    killed.write_bytes(b"half")
    (frames / "0003.png.tmp").write_bytes(b"half")
    (frames / "notes.txt").write_bytes(b"not media")
    os.utime(killed, (1_000.0, 1_000.0))

    assert await media.list(ALICE, "frame") == [frame(ALICE)]
    assert await media.exists(frame(ALICE, "0002.png")) is False

    assert await media.sweep_temp(older_than=60.0) == 1  # the other one is fresh
    assert not killed.exists()
    assert await media.sweep_temp(older_than=-1.0) == 1
    assert sorted(p.name for p in frames.iterdir()) == ["0001.png", "notes.txt"]


async def test_a_symlink_out_of_the_session_folder_is_refused(
    media: FileMediaStore, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = media.root / "sessions" / "cli.alice"
    folder.mkdir(parents=True)
    (folder / "frames").symlink_to(outside, target_is_directory=True)

    with pytest.raises(StorageError, match="outside"):
        await media.put(frame(ALICE), b"escape")
    with pytest.raises(StorageError, match="outside"):
        await media.get(frame(ALICE))
    with pytest.raises(StorageError, match="outside"):
        await media.size(frame(ALICE))
    with pytest.raises(StorageError, match="outside"):
        await anext(media.read(frame(ALICE)))
    assert list(outside.iterdir()) == []


async def test_os_errors_become_storage_errors(media: FileMediaStore) -> None:
    media.root.mkdir(parents=True)
    (media.root / "sessions").write_bytes(b"a file where a folder should be")

    with pytest.raises(StorageError) as caught:
        await media.put(frame(ALICE), b"x")
    assert isinstance(caught.value.__cause__, OSError)


# ---------------------------------------------------------------- keys from raw text

VALID_KEYS = st.from_regex(r"[a-z][a-z0-9]{0,15}:[A-Za-z0-9_-]{1,64}", fullmatch=True)
NASTY = st.sampled_from(
    [
        "web:..",
        "web:../x",
        "../../etc:passwd",
        "web:a/b",
        "web:a\\b",
        "web:a\x00b",
        "web:{id}",
        "web:fox.png",
        "web:ｆｏｘ",  # fullwidth look-alikes
        "web:fоx",  # Cyrillic o
        "Web:fox",
        ":fox",
        "web:",
        "web:fox:1",
        "web:" + "x" * 65,
        " web:fox",
        "web:fox\n",
    ]
)


async def store_frame(media: MediaStore, raw_key: str, data: bytes) -> MediaRef:
    """What a surface does: parse the raw key at the edge, then use the store."""
    ref = frame(SessionKey.parse(raw_key))
    await media.put(ref, data)
    return ref


@given(
    raw_key=st.one_of(st.text(max_size=100), VALID_KEYS, NASTY, VALID_KEYS.map(lambda k: k + "/.."))
)
def test_raw_text_is_refused_before_disk_or_stays_inside_its_folder(raw_key: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        (root / "keep.txt").write_text("untouched")
        media = FileMediaStore(root)
        before = tree(root)

        try:
            ref = asyncio.run(store_frame(media, raw_key, b"png"))
        except InvalidSessionKey:
            assert tree(root) == before
            return

        folder = (root / "sessions" / ref.session.folder_name).resolve()
        assert Path(media.locate(ref)).resolve().is_relative_to(folder)
        assert folder.parent == (root / "sessions").resolve()
        own = f"sessions/{ref.session.folder_name}"
        assert sorted(set(tree(root)) - set(before)) == [
            "sessions",
            own,
            f"{own}/frames",
            f"{own}/frames/0001.png",
        ]


@given(VALID_KEYS, VALID_KEYS)
def test_distinct_keys_never_share_a_folder(a: str, b: str) -> None:
    one, two = SessionKey.parse(a), SessionKey.parse(b)
    assert (one.folder_name == two.folder_name) == (one == two)
