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

from glitchcart.core.keys import SessionKey
from support.tapes import stored_tapes


def report(stage: str, done: int, total: int) -> None:
    print(stage.split(":")[0].split()[0], done, total, flush=True)


async def main(root: Path, key: SessionKey, max_bytes: int) -> None:
    async with stored_tapes(root, max_bytes=max_bytes) as tapes:
        tape = await tapes.build(key, progress=report)
        print("built", tape.ref.name, flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), SessionKey.parse(sys.argv[2]), int(sys.argv[3])))
