"""Making a tape fit an upload limit: the tape itself, else an MP4, else fewer turns, else
nothing (the bot then says how to get a shorter one)."""

from __future__ import annotations

from pathlib import Path

from glitchcart.bootstrap import open_engine
from glitchcart.client import Client, InProcessTransport
from glitchcart.discord.tapes import fitting_tape
from glitchcart.settings import load_settings

KEY = "discord:42"


async def test_fitting_falls_back_from_gif_to_mp4_to_fewer_turns_to_nothing(
    tmp_path: Path,
) -> None:
    async with open_engine(load_settings(home=tmp_path)) as engine:
        client = Client(InProcessTransport(engine))
        await client.boot("dust-signal", seed=7, session=KEY)
        for _ in range(3):
            await client.choose(1, session=KEY)
        gif = await client.tapes.build("gif", session=KEY)
        assert gif.turns == 4

        same = await fitting_tape(client, gif.ref, gif.size, 0, 3, gif.size)
        assert same == (gif.ref, (0, 3))

        mp4 = await client.tapes.build("mp4", session=KEY)
        assert mp4.size < gif.size
        smaller = await fitting_tape(client, gif.ref, gif.size, 0, 3, gif.size - 1)
        assert smaller is not None and smaller[0].name.endswith(".mp4")
        assert smaller[1] == (0, 3)

        shorter = await fitting_tape(client, gif.ref, gif.size, 0, 3, mp4.size - 1)
        assert shorter is not None and shorter[1][0] > 0 and shorter[1][1] == 3

        assert await fitting_tape(client, gif.ref, gif.size, 0, 3, 100) is None
