"""Make docs/sample-tape.gif: the replay tape of one offline game, played to its death.

Everything is offline and seeded (narrator, painter, clock, game id), so running
it again gives the same GIF::

    .venv/bin/python scripts/make_sample_tape.py [--seed 1] [--out docs/sample-tape.gif]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.adapters.media.files import FileMediaStore
from glitchcart.adapters.providers.offline.narrator import OfflineNarrator
from glitchcart.adapters.providers.offline.painter.offline import OfflinePainter
from glitchcart.adapters.stores.memory import MemorySessionStore
from glitchcart.adapters.tapes.gif import GifTapeEncoder
from glitchcart.core.keys import SessionKey
from glitchcart.service.engine import Engine
from glitchcart.service.tapes import TapeService
from glitchcart.settings import Settings

KEY = SessionKey.parse("web:blue-fox")
MAX_BYTES = 1_400_000  # the README's sample stays under 1.5 MB
MAX_TURNS = 40


class SteadyClock:
    """A clock that moves 47 seconds each time it is read: turns get distinct stamps."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        self._now += 47
        return self._now


async def main(cartridge: str, seed: int, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = Engine(
            store=MemorySessionStore(),
            media=FileMediaStore(root),
            narrator=OfflineNarrator(),
            painter=OfflinePainter(),
            cartridges=CartridgeLibrary(),
            clock=SteadyClock(),
            settings=Settings(home=root),
            new_id=lambda: f"sample{seed}",
        )
        record = await engine.start(KEY, cartridge, seed=seed)
        while record.state.alive and record.turn < MAX_TURNS:
            record = await engine.choose(KEY, 1 + record.turn % len(record.choices))
        tapes = TapeService(
            store=engine.store,
            media=engine.media,
            cartridges=engine.cartridges,
            encoders=[GifTapeEncoder()],
            max_bytes=MAX_BYTES,
        )
        tape = await tapes.build(KEY)
        data = await tapes.get(KEY, tape.ref)
    await asyncio.to_thread(out.write_bytes, data)
    fate = "died" if not record.state.alive else "still alive"
    print(f"{out}: {len(data):,} bytes, turns {tape.first}-{tape.last} ({fate})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cartridge", default="dust-signal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("docs/sample-tape.gif"))
    args = parser.parse_args()
    asyncio.run(main(args.cartridge, args.seed, args.out))
