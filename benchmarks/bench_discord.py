"""Interaction acknowledgement latency of the Discord bot with many busy channels.

Starts the local Discord-compatible server of the tests (tests/support/discord_server.py)
in this process and the real bot (``glitchcart discord``'s composition, the engine in its
process, offline providers) in a child process pointed at it, starts a game in each of
``--channels`` channels, then keeps them busy: for ``--seconds`` seconds every channel
gets ``--rate`` vote clicks a second, each by a new player, spread evenly over the
channels (a steady load); then ``--burst`` clicks are sent at once, spread over the
channels (a spike). It prints, measured in one run:

- the acknowledgement latency (the server dispatching INTERACTION_CREATE on the gateway
  to the bot's callback arriving) p50/p99/max over every click;
- the local server's own round-trip (an HTTP POST to it answered, from this process),
  p50/p99, the baseline: the ratio of the p99s is the figure. The aim is a p99 under
  500 ms.

    .venv/bin/python benchmarks/bench_discord.py [--channels 200] [--rate 0.5] [--seconds 10]
                                                 [--burst 600]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.discord_bot import QUICK, BotProcess, quick_cartridges
from support.discord_server import (
    Ack,
    DiscordServer,
    buttons,
    discord_server,
    open_turn,
)


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


async def main(channels: int, rate: float, seconds: float, burst: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        async with discord_server() as server:
            server.add_guild("bench", [f"room-{n}" for n in range(channels)])
            ids = list(server.channels)
            # long windows: every click of a channel votes in its one open window
            cartridges = quick_cartridges(root / "cartridges", countdown=3600)
            bot = BotProcess(server, root / "home", cartridges, pictures="false")
            await bot.start(within=60)
            try:
                host = server.user("host")
                plays = [await server.command(c, host, "play", cartridge=QUICK) for c in ids]
                await asyncio.gather(*(p.wait(within=120) for p in plays))
                turns = {}
                for channel in ids:
                    turns[channel] = await server.wait_for(
                        lambda c=channel: open_turn(server, c), within=120
                    )

                async def click(n: int) -> Ack:
                    message = turns[ids[n % len(ids)]]
                    choices = buttons(message)
                    user = server.user(f"player{n}")
                    return await server.click(message, choices[n % len(choices)]["custom_id"], user)

                steady: list[Ack] = []
                count = int(channels * rate * seconds)
                start = time.perf_counter()
                for n in range(count):
                    await asyncio.sleep(
                        max(0.0, start + n / (channels * rate) - time.perf_counter())
                    )
                    steady.append(await click(n))
                await asyncio.gather(*(c.wait(within=120) for c in steady))
                spike = [await click(count + n) for n in range(burst)]
                await asyncio.gather(*(c.wait(within=120) for c in spike))
            finally:
                await bot.stop()
            trips = [t * 1000 for t in await baseline(server)]
    b50, b99 = percentile(trips, 0.5), percentile(trips, 0.99)
    print(f"discord bot: {channels} channels")
    for name, acks in (
        (f"steady {channels * rate:.0f} clicks/s", steady),
        (f"burst of {burst} at once", spike),
    ):
        if not acks:
            continue
        latencies = [a.latency * 1000 for a in acks]
        p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
        print(
            f"  {name:24} ({len(acks)} clicks)  acknowledged p50 {p50:7.1f} ms  "
            f"p99 {p99:7.1f} ms  max {max(latencies):7.1f} ms  "
            f"p99/baseline {p99 / b99:5.1f}x  aim p99 < 500 ms: "
            f"{'met' if p99 < 500 else 'NOT met'}"
        )
    print(
        f"  {'local server round-trip':24}                 p50 {b50:7.1f} ms  "
        f"p99 {b99:7.1f} ms  (baseline)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.5, help="clicks/s per channel")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="a small run: does it still work?")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.seconds, args.burst = 5, 1.0, 20
    asyncio.run(main(args.channels, args.rate, args.seconds, args.burst))
