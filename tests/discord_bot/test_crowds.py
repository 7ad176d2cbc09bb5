"""Many players at once, a 429 from Discord, and a bot killed mid-window."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from support.discord_bot import QUICK, BotProcess, quick_cartridges
from support.discord_server import DiscordServer, buttons, field, open_turn, turn_messages


async def test_fifty_players_click_in_one_second(server: DiscordServer, bot: BotProcess) -> None:
    channel = next(iter(server.channels))
    await (await server.command(channel, server.user("ann"), "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    players = [server.user(f"player{n}") for n in range(50)]
    pressed = [buttons(prologue)[n % 3]["custom_id"] for n in range(50)]
    clicks = [await server.click(prologue, c, p) for p, c in zip(players, pressed, strict=True)]
    answers = await asyncio.gather(*(click.wait(within=3) for click in clicks))
    assert all(a["type"] == 6 for a in answers)
    assert max(click.latency for click in clicks) < 3.0
    said = await asyncio.gather(*(click.said() for click in clicks))
    assert all(s.startswith("Your vote") for s in said), said
    # ann (who started) has not voted: the window runs to its deadline and closes once
    message_id = int(prologue["id"])
    closed = await server.wait_for(
        lambda: (
            buttons(server.messages[message_id])[0].get("disabled") and server.messages[message_id]
        ),
        within=20,
    )
    assert "50 ballots" in field(closed, "Votes")
    await server.wait_for(lambda: len(turn_messages(server, channel)) == 2, within=20)
    tallies = [line for line in server.transcript if "ballots" in line]
    assert len(tallies) == 1


async def test_a_429_on_a_vote_count_edit_is_waited_out(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    await (await server.command(channel, server.user("ann"), "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    edit = rf"/channels/{channel}/messages/{prologue['id']}$"
    server.limit("PATCH", edit, retry_after=0.3)
    click = await server.click(prologue, buttons(prologue)[1]["custom_id"], server.user("bob"))
    assert "Your vote" in await click.said()
    await server.wait_for(
        lambda: "1 voter," in field(server.messages[int(prologue["id"])], "Votes")
    )
    statuses = [s for m, p, s in server.requests if m == "PATCH" and re.search(edit, p)]
    assert statuses[-2:] == [429, 200]


async def test_old_buttons_vote_after_the_bot_is_killed_and_restarted(
    server: DiscordServer, tmp_path: Path
) -> None:
    server.add_guild("table", ["general"])
    channel = next(iter(server.channels))
    cartridges = quick_cartridges(tmp_path / "cartridges", countdown=8)
    bot = BotProcess(server, tmp_path / "home", cartridges)
    await bot.start()
    try:
        await (await server.command(channel, server.user("ann"), "play", cartridge=QUICK)).wait()
        prologue = await server.wait_for(lambda: open_turn(server, channel))
        custom_id = buttons(prologue)[0]["custom_id"]
        bob = await server.click(prologue, custom_id, server.user("bob"))
        assert "Your vote" in await bob.said()  # acknowledged, then the bot dies
        await bot.kill()
        await bot.start()
        # a button posted by the dead process still votes, in the window it opened
        carol = await server.click(prologue, custom_id, server.user("carol"))
        assert (await carol.wait())["type"] == 6
        assert "Your vote" in await carol.said()
        # the window still closes on its stored deadline, with both ballots
        message_id = int(prologue["id"])
        closed = await server.wait_for(
            lambda: (
                buttons(server.messages[message_id])[0].get("disabled")
                and server.messages[message_id]
            ),
            within=30,
        )
        assert "2 ballots" in field(closed, "Votes")
        nxt = await server.wait_for(lambda: open_turn(server, channel), within=20)
        assert "turn 1" in nxt["embeds"][0]["title"]
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output(), bot.output()
