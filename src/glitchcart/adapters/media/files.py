"""Media files on the local disk, one folder per session.

A ref's file lives at ``root/sessions/<key.folder_name>/<kind folder>/<name>``,
where the kind folder is ``frames``, ``tapes``, ``films/segments`` or
``films/final``. Paths are built only from a parsed :class:`SessionKey` and a
validated :class:`MediaRef`, and are checked once more to resolve inside the
session's folder, so a planted symlink cannot lead a write elsewhere.

``put`` writes a uniquely named ``*.tmp`` file in the target folder, flushes and
fsyncs it, then publishes it with a hard link, which fails if the name exists:
a published file is never overwritten or seen half-written. A ``*.tmp`` left
by a killed process is never listed or served; :meth:`FileMediaStore.sweep_temp`
removes old ones.

Usage::

    media = FileMediaStore(settings.data_dir)
    await media.put(MediaRef(key, "frame", "0001.png"), png)
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import os
import shutil
import stat
import tempfile
import time
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from glitchcart.core.keys import MediaKind, MediaRef, SessionKey
from glitchcart.errors import InvalidInput, MediaNotFound, StorageError

KIND_FOLDERS: dict[MediaKind, tuple[str, ...]] = {
    "frame": ("frames",),
    "tape": ("tapes",),
    "segment": ("films", "segments"),
    "film": ("films", "final"),
}
TEMP_SUFFIX = ".tmp"
CHUNK_SIZE = 64 * 1024
IO_THREADS = 32
_T = TypeVar("_T")


class FileMediaStore:
    """A :class:`~glitchcart.ports.MediaStore` under ``root/sessions``."""

    def __init__(self, root: Path, *, io_threads: int = IO_THREADS) -> None:
        self.root = Path(os.path.abspath(root))
        # Its own threads: a burst of frames (each fsynced) must not queue behind the
        # loop's small default pool, nor hold it up for everything else.
        self._io = ThreadPoolExecutor(io_threads, thread_name_prefix="glitchcart-media")
        weakref.finalize(self, self._io.shutdown, wait=False)  # its threads end with it

    async def _run(self, call: Callable[..., _T], *args: Any) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._io, call, *args)

    async def put(self, ref: MediaRef, data: bytes) -> bool:
        return await self._run(self._put, ref, bytes(data))

    async def get(self, ref: MediaRef) -> bytes:
        return await self._run(self._get, ref)

    async def size(self, ref: MediaRef) -> int:
        return await self._run(self._size, ref)

    async def read(self, ref: MediaRef, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
        """The ref's file in chunks; it is open only while the iterator is being read."""
        if chunk_size < 1:
            raise InvalidInput("a chunk is at least one byte")
        handle = await self._run(self._open, ref)
        try:
            while chunk := await self._run(self._read_chunk, handle, ref, chunk_size):
                yield chunk
        finally:
            handle.close()

    async def written_at(self, ref: MediaRef) -> float:
        """The file's modification time: set by the write before it was linked into
        place, never touched after (a put that finds the name taken writes nothing)."""
        return await self._run(self._written_at, ref)

    async def exists(self, ref: MediaRef) -> bool:
        return await self._run(self._exists, ref)

    async def delete_session(self, session: SessionKey) -> None:
        await self._run(self._delete_session, session)

    async def delete(self, ref: MediaRef) -> bool:
        """Remove the ref's file; False if it was not there."""
        return await self._run(self._delete, ref)

    def locate(self, ref: MediaRef) -> str:
        """The absolute path of the ref's file (it may not exist yet)."""
        return str(self._path(ref))

    async def sweep_temp(self, *, older_than: float = 60.0, now: float | None = None) -> int:
        """Delete ``*.tmp`` files older than ``older_than`` seconds; returns how many."""
        cutoff = (time.time() if now is None else now) - older_than
        return await self._run(self._sweep_temp, cutoff)

    async def list(self, session: SessionKey, kind: MediaKind) -> builtins.list[MediaRef]:
        """The session's published media of one kind, sorted by name."""
        return await self._run(self._list, session, kind)

    # ------------------------------------------------------------ paths

    def session_folder(self, session: SessionKey) -> Path:
        return self.root / "sessions" / session.folder_name

    def _kind_folder(self, session: SessionKey, kind: MediaKind) -> Path:
        return self.session_folder(session).joinpath(*KIND_FOLDERS[kind])

    def _path(self, ref: MediaRef) -> Path:
        return self._kind_folder(ref.session, ref.kind) / ref.name

    def _checked(self, path: Path, session: SessionKey) -> Path:
        """``path`` if it resolves inside the session's folder (defence in depth)."""
        folder = self.session_folder(session)
        try:
            inside = path.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
            raise StorageError(f"cannot resolve the media path of {session}: {exc}") from exc
        if not inside:
            raise StorageError(f"a media path of {session} leads outside its folder; refused")
        return path

    # ------------------------------------------------------------ blocking work

    def _put(self, ref: MediaRef, data: bytes) -> bool:
        final = self._checked(self._path(ref), ref.session)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{ref.name}.", suffix=TEMP_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    os.link(tmp, final)  # fails, rather than overwrites, if the name exists
                except FileExistsError:
                    return False
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            _fsync_folder(final.parent)
            return True
        except OSError as exc:
            raise StorageError(f"cannot write {ref}: {exc.strerror or exc}") from exc

    def _get(self, ref: MediaRef) -> bytes:
        path = self._checked(self._path(ref), ref.session)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise MediaNotFound(f"no media {ref}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {ref}: {exc.strerror or exc}") from exc

    def _size(self, ref: MediaRef) -> int:
        return self._stat(ref).st_size

    def _written_at(self, ref: MediaRef) -> float:
        return self._stat(ref).st_mtime

    def _stat(self, ref: MediaRef) -> os.stat_result:
        path = self._checked(self._path(ref), ref.session)
        try:
            found = path.stat()
        except FileNotFoundError:
            raise MediaNotFound(f"no media {ref}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {ref}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(found.st_mode):
            raise MediaNotFound(f"no media {ref}")
        return found

    def _open(self, ref: MediaRef) -> BinaryIO:
        path = self._checked(self._path(ref), ref.session)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise MediaNotFound(f"no media {ref}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {ref}: {exc.strerror or exc}") from exc

    @staticmethod
    def _read_chunk(handle: BinaryIO, ref: MediaRef, chunk_size: int) -> bytes:
        try:
            return handle.read(chunk_size)
        except OSError as exc:
            raise StorageError(f"cannot read {ref}: {exc.strerror or exc}") from exc

    def _exists(self, ref: MediaRef) -> bool:
        path = self._checked(self._path(ref), ref.session)
        try:
            return path.is_file()
        except OSError as exc:
            raise StorageError(f"cannot check {ref}: {exc.strerror or exc}") from exc

    def _delete(self, ref: MediaRef) -> bool:
        # Through a linked kind folder, unlink would remove a file outside the session;
        # _checked refuses that path (and a file linking outside) before anything is removed.
        path = self._checked(self._path(ref), ref.session)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StorageError(f"cannot delete {ref}: {exc.strerror or exc}") from exc
        return True

    def _list(self, session: SessionKey, kind: MediaKind) -> builtins.list[MediaRef]:
        folder = self._checked(self._kind_folder(session, kind), session)
        refs: builtins.list[MediaRef] = []
        try:
            entries = builtins.list(os.scandir(folder))
        except FileNotFoundError:
            return refs
        except OSError as exc:
            raise StorageError(f"cannot list the media of {session}: {exc.strerror}") from exc
        for entry in entries:
            if entry.name.endswith(TEMP_SUFFIX):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                refs.append(MediaRef(session, kind, entry.name))
            except (InvalidInput, OSError):
                continue  # not a file this store wrote
        refs.sort(key=lambda ref: ref.name)
        return refs

    def _delete_session(self, session: SessionKey) -> None:
        folder = self.session_folder(session)
        try:
            if folder.is_symlink():
                folder.unlink()  # never follow a link out of the media root
            else:
                shutil.rmtree(folder)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StorageError(f"cannot delete the media of {session}: {exc.strerror}") from exc

    def _sweep_temp(self, cutoff: float) -> int:
        removed = 0
        for folder, _, names in os.walk(self.root / "sessions"):  # does not follow links
            for name in names:
                if not name.endswith(TEMP_SUFFIX):
                    continue
                path = os.path.join(folder, name)
                try:
                    if os.lstat(path).st_mtime < cutoff:
                        os.unlink(path)
                        removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise StorageError(f"cannot remove {name}: {exc.strerror}") from exc
        return removed


def _fsync_folder(folder: Path) -> None:
    """Persist a new directory entry (POSIX only; Windows cannot open folders)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
