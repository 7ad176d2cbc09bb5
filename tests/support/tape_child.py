"""A process that builds one tape of a stored session and reports its progress.

    python tests/support/tape_child.py DATA_DIR SESSION_KEY MAX_BYTES

Prints one ``stage done total`` line per progress report, then ``built NAME``.
The crash test kills it with SIGKILL somewhere in between.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests folder

from glitchcart.adapters.file_media import FileMediaStore
from glitchcart.adapters.sqlite_store import SqliteSessionStore
from glitchcart.adapters.tape_gif import GifTapeEncoder
from glitchcart.core.keys import SessionKey
from glitchcart.service.tapes import TapeService
from support.media import SIZE, calm_cartridges


def report(stage: str, done: int, total: int) -> None:
    print(stage.split(":")[0].split()[0], done, total, flush=True)


async def main(root: Path, key: SessionKey, max_bytes: int) -> None:
    store = SqliteSessionStore(root / "glitchcart.db")
    try:
        tapes = TapeService(
            store=store,
            media=FileMediaStore(root),
            cartridges=calm_cartridges(),
            encoders=[GifTapeEncoder()],
            max_bytes=max_bytes,
            frame_size=SIZE,
        )
        tape = await tapes.build(key, progress=report)
        print("built", tape.ref.name, flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), SessionKey.parse(sys.argv[2]), int(sys.argv[3])))
