"""Death in a channel: the game-over line, then the tape uploaded within the limit."""

from __future__ import annotations

from pathlib import Path

from support.discord_bot import QUICK, BotProcess, quick_cartridges
from support.discord_server import DiscordServer, buttons, discord_server, open_turn


async def play_until_death(server: DiscordServer, channel: int, turns: int = 30) -> None:
    ann = server.user("ann")
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    for _ in range(turns):
        message = await server.wait_for(
            lambda: open_turn(server, channel) or game_over(server), within=20
        )
        if message is True:
            return
        click = await server.click(message, buttons(message)[0]["custom_id"], ann)
        await click.said()
        await server.wait_for(
            lambda m=message: buttons(server.messages[int(m["id"])])[0].get("disabled"),
            within=20,
        )
    raise AssertionError("the character never died")


def game_over(server: DiscordServer) -> bool:
    return any("Game over" in line for line in server.transcript)


def too_large(server: DiscordServer) -> bool:
    return any("tape is too large" in line for line in server.transcript)


def tapes(server: DiscordServer, channel: int) -> list[dict[str, object]]:
    return [
        a
        for m in server.channel_messages(channel)
        for a in m["attachments"]
        if str(a["filename"]).endswith((".gif", ".mp4"))
    ]


async def test_death_uploads_the_tape(tmp_path: Path) -> None:
    await die_and_check(tmp_path, 10 * 1024 * 1024, "gif")


async def test_a_tape_over_the_limit_falls_back_to_mp4_or_says_so(tmp_path: Path) -> None:
    await die_and_check(tmp_path, 120 * 1024, "mp4")


async def die_and_check(tmp_path: Path, limit: int, kind: str) -> None:
    async with discord_server(upload_limit=limit) as server:
        server.add_guild("table", ["general"])
        channel = next(iter(server.channels))
        cartridges = quick_cartridges(tmp_path / "cartridges", health=1)
        bot = BotProcess(server, tmp_path / "home", cartridges)
        await bot.start()
        try:
            await play_until_death(server, channel)
            found = await server.wait_for(
                lambda: tapes(server, channel) or too_large(server), within=60
            )
            if found is not True:
                assert all(int(str(t["size"])) <= limit for t in found)
                assert all(str(t["filename"]).endswith(kind) for t in found)
            print(limit, found)
        finally:
            await bot.stop()
        assert "Traceback" not in bot.output(), bot.output()
