"""A game in a channel, played through the real bot as users would."""

from __future__ import annotations

from pathlib import Path

from support.discord_bot import QUICK, BotProcess, quick_cartridges
from support.discord_server import DiscordServer, buttons, field, open_turn, turn_messages


async def test_play_posts_the_prologue_with_its_picture_and_buttons(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    ann = server.user("ann")
    ack = await server.command(channel, ann, "play", cartridge=QUICK)
    response = await ack.wait()
    assert response["type"] == 5  # deferred before the engine was asked anything
    message = await server.wait_for(lambda: open_turn(server, channel))
    embed = message["embeds"][0]
    assert "turn 0" in embed["title"]
    assert embed["description"]
    assert message["attachments"][0]["filename"].startswith("frame.")
    assert all(b["custom_id"].startswith("gc:v:1:") for b in buttons(message))
    assert "started" in await ack.said()


async def test_a_click_votes_and_the_window_closes_with_a_tally(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    ann, bob = server.user("ann"), server.user("bob")
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    first = buttons(prologue)[0]["custom_id"]
    # bob joins by voting; ann (who started the game) votes last, and all have voted
    for user in (bob, ann):
        click = await server.click(prologue, first, user)
        assert (await click.wait())["type"] == 6  # deferred update: acknowledged at once
        assert "Your vote" in await click.said()
    # the window closes: the old message shows the tally, its buttons off
    closed = await server.wait_for(
        lambda: (
            all(b.get("disabled") for b in buttons(server.messages[int(prologue["id"])]))
            and server.messages[int(prologue["id"])]
        ),
        within=20,
    )
    assert "2 ballots" in field(closed, "Votes")
    # and the next turn has its own message
    nxt = await server.wait_for(lambda: open_turn(server, channel), within=20)
    assert nxt["id"] != prologue["id"]
    assert "turn 1" in nxt["embeds"][0]["title"]
    late = await server.click(closed, first, ann)
    await late.wait()
    assert "turn is over" in await late.said()


async def test_two_channels_play_at_once_and_never_see_each_other(
    server: DiscordServer, bot: BotProcess
) -> None:
    general, side = list(server.channels)
    ann, bob = server.user("ann"), server.user("bob")
    await (await server.command(general, ann, "play", cartridge=QUICK)).wait()
    await (await server.command(side, bob, "play", cartridge="ashen-vault")).wait()
    here = await server.wait_for(lambda: open_turn(server, general))
    there = await server.wait_for(lambda: open_turn(server, side))
    assert "Dust Signal" in here["embeds"][0]["title"]
    assert "Dust Signal" not in there["embeds"][0]["title"]
    # a vote in one channel moves only that channel on
    click = await server.click(here, buttons(here)[0]["custom_id"], ann)
    assert "closed the vote" in await click.said()
    nxt = await server.wait_for(
        lambda: len(turn_messages(server, general)) == 2 and open_turn(server, general)
    )
    assert "turn 1" in nxt["embeds"][0]["title"]
    assert [m["id"] for m in turn_messages(server, side)] == [there["id"]]
    assert not buttons(server.messages[int(there["id"])])[0].get("disabled")
    # every message of a channel is of its own game: titles, pictures, buttons
    for channel, title in ((general, "Dust Signal"), (side, "Ashen")):
        for message in turn_messages(server, channel):
            assert title in message["embeds"][0]["title"]
    ours = {b["custom_id"].rsplit(":", 1)[1] for b in buttons(nxt)}
    assert buttons(there)[0]["custom_id"].rsplit(":", 1)[1] not in ours
    here_frames = {
        data for m in turn_messages(server, general) for _, data in server.files[int(m["id"])]
    }
    there_frames = {data for _, data in server.files[int(there["id"])]}
    assert not here_frames & there_frames


async def test_a_lost_gateway_connection_is_resumed_not_reidentified(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    ann = server.user("ann")
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    identifies = server.identifies
    server.connected.clear()
    await server.drop_connections()
    await server.wait_for(lambda: server.resumes == 1, within=30)
    assert server.identifies == identifies
    click = await server.click(prologue, buttons(prologue)[0]["custom_id"], ann)
    assert "closed the vote" in await click.said()


async def test_play_autocompletes_the_cartridge(server: DiscordServer, bot: BotProcess) -> None:
    channel = next(iter(server.channels))
    ack = await server.autocomplete(channel, server.user("ann"), "play", "cartridge", "ash")
    answer = await ack.wait()
    assert answer["type"] == 8
    assert [c["value"] for c in answer["data"]["choices"]] == ["ashen-vault"]


async def test_nobody_choosing_in_time_shows_the_hesitation(
    server: DiscordServer, tmp_path: Path
) -> None:
    server.add_guild("table", ["general"])
    channel = next(iter(server.channels))
    bot = BotProcess(server, tmp_path / "home", quick_cartridges(tmp_path / "c", idle=1.0))
    await bot.start()
    try:
        ann = server.user("ann")
        await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
        prologue = await server.wait_for(lambda: open_turn(server, channel))
        click = await server.click(prologue, buttons(prologue)[0]["custom_id"], ann)
        assert "closed the vote" in await click.said()
        # turn 1 waits a second for its players, then the hero hesitates
        await server.wait_for(
            lambda: any("hero hesitates" in line for line in server.transcript), within=30
        )
        await server.wait_for(
            lambda: any(
                "turn 2" in m["embeds"][0]["title"] for m in turn_messages(server, channel)
            ),
            within=30,
        )
    finally:
        await bot.stop()
    assert "Traceback" not in bot.output(), bot.output()
