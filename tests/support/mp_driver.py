"""A multiplayer host for the restart test: three players vote at random under
running timers; every accepted vote and committed turn is printed as a JSON line.

    python -m support.mp_driver DATA_DIR CARTRIDGE_DIR SEED
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path

from glitchcart.adapters.cartridges.library import CartridgeLibrary
from glitchcart.bootstrap import open_runtime
from glitchcart.core.keys import SessionKey
from glitchcart.core.session import Phase
from glitchcart.errors import Conflict, StaleVersion
from glitchcart.settings import load_settings

KEY = SessionKey.parse("discord:restart")
PLAYERS = ("ann", "bob", "cy")


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


async def main(data_dir: Path, cartridge_dir: Path, seed: int) -> None:
    settings = load_settings(home=data_dir)
    library = CartridgeLibrary((cartridge_dir,))
    async with open_runtime(settings, library) as (engine, _timers):
        assert engine.events is not None
        narrations: dict[tuple[str, int], str] = {}

        async def report_turns() -> None:
            assert engine.events is not None
            async for event in engine.events.subscribe(KEY):
                data = event.data
                if event.kind == "narration":
                    narrations[(data["game_id"], data["turn"])] = data["text"]
                elif event.kind in ("choices", "game_over"):
                    where = (data["game_id"], data["turn"])
                    say(kind="turn", game_id=where[0], turn=where[1], narration=narrations[where])

        reporter = asyncio.create_task(report_turns())
        await asyncio.sleep(0)
        rng = random.Random(seed)
        if not await engine.exists(KEY) or (await engine.snapshot(KEY)).game_id is None:
            await engine.boot(KEY, "mp-test", seed=seed, swap=True)
        say(kind="ready")
        while True:
            snap = await engine.snapshot(KEY)
            if snap.phase is Phase.OVER:
                await engine.reset(KEY)
                continue
            if snap.phase is not Phase.READY or snap.state is None:
                await asyncio.sleep(0.01)
                continue
            player = rng.choice(PLAYERS)
            choice = rng.randint(1, len(snap.choices))
            idem = f"{player}-{rng.getrandbits(64):x}"
            try:
                receipt = await engine.vote(KEY, player, choice=choice, idempotency_key=idem)
            except (Conflict, StaleVersion):
                continue  # resolving, or the game ended under us: try again
            say(kind="vote", game_id=snap.game_id, idem=idem, choice=choice, **receipt.to_dict())
            await asyncio.sleep(rng.uniform(0, 0.12))
        reporter.cancel()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
