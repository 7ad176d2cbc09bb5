"""Interaction acknowledgement latency of the Discord bot with many busy channels.

Starts the local Discord-compatible server of the tests (tests/support/discord_server.py)
in this process and the real bot (``glitchcart discord``'s composition, the engine in its
process, offline providers) in a child process pointed at it, starts a game in each of
``--channels`` channels, then sends ``--rounds`` rounds of clicks: in each round every
channel gets ``--clickers`` clicks at once, all rounds back to back. It prints, measured
in one run:

- the acknowledgement latency (the server dispatching INTERACTION_CREATE on the gateway
  to the bot's callback arriving) p50/p99/max over every click;
- the local server's own round-trip (an HTTP POST to it answered, from this process),
  p50/p99, the baseline: the ratio of the p99s is the figure. The aim is a p99 under
  500 ms.

    .venv/bin/python benchmarks/bench_discord.py [--channels 200] [--clickers 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.discord_bot import QUICK, BotProcess, quick_cartridges  # noqa: E402
from support.discord_server import DiscordServer, buttons, discord_server, open_turn  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def baseline(server: DiscordServer, requests: int = 2000) -> list[float]:
    """Round-trips of plain HTTP requests to the local server, 50 at a time."""
    url = f"{server.base_url}/api/v10/users/@me"
    headers = {"Authorization": f"Bot {server.token}"}
    times: list[float] = []
    async with aiohttp.ClientSession() as http:

        async def one() -> None:
            start = time.perf_counter()
            async with http.get(url, headers=headers) as response:
                await response.read()
            times.append(time.perf_counter() - start)

        for _ in range(requests // 50):
            await asyncio.gather(*(one() for _ in range(50)))
    return times


async def main(channels: int, clickers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        async with discord_server() as server:
            server.add_guild("bench", [f"room-{n}" for n in range(channels)])
            ids = list(server.channels)
            # long windows: the rounds all vote in one open window per channel
            cartridges = quick_cartridges(root / "cartridges", countdown=600)
            bot = BotProcess(server, root / "home", cartridges, pictures="false")
            await bot.start(within=60)
            try:
                host = server.user("host")
                started = time.perf_counter()
                plays = [await server.command(c, host, "play", cartridge=QUICK) for c in ids]
                await asyncio.gather(*(p.wait(within=120) for p in plays))
                turns = {}
                for channel in ids:
                    turns[channel] = await server.wait_for(
                        lambda c=channel: open_turn(server, c), within=120
                    )
                setup = time.perf_counter() - started
                users = [server.user(f"player{n}") for n in range(clickers * rounds)]
                clicks = []
                for round_ in range(rounds):
                    for channel in ids:
                        message = turns[channel]
                        for n in range(clickers):
                            user = users[round_ * clickers + n]
                            custom_id = buttons(message)[n % len(buttons(message))]["custom_id"]
                            clicks.append(await server.click(message, custom_id, user))
                await asyncio.gather(*(c.wait(within=60) for c in clicks))
                latencies = [c.latency * 1000 for c in clicks]
            finally:
                await bot.stop()
            trips = [t * 1000 for t in await baseline(server)]
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    b50, b99 = percentile(trips, 0.5), percentile(trips, 0.99)
    print(f"discord bot: {channels} channels, {len(clicks)} clicks "
          f"({clickers} per channel per round, {rounds} rounds); setup {setup:.1f} s")
    print(f"  acknowledgement latency  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
          f"max {max(latencies):7.1f} ms  mean {statistics.mean(latencies):7.1f} ms")
    print(f"  local server round-trip  p50 {b50:7.1f} ms  p99 {b99:7.1f} ms  (baseline)")
    print(f"  ratio p99/baseline p99: {p99 / b99:.1f}x   aim: p99 < 500 ms "
          f"({'met' if p99 < 500 else 'NOT met'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--clickers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.channels, args.clickers, args.rounds))
