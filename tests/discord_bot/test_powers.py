"""The modal, the crown's powers and refusals, and Manage-Channels-only commands."""

from __future__ import annotations

from support.discord_bot import QUICK, BotProcess
from support.discord_server import DiscordServer, buttons, field, open_turn, turn_messages

MANAGE_ONLY = "Only someone with Manage Channels (or the crown) may do that here."


async def test_a_free_action_through_the_modal(server: DiscordServer, bot: BotProcess) -> None:
    channel = next(iter(server.channels))
    ann = server.user("ann")
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    opened = await server.command(channel, ann, "act")
    assert (await opened.wait())["type"] == 9  # the modal is the first answer
    submitted = await server.submit(opened, ["dig under the *fence* @everyone"])
    assert (await submitted.wait())["type"] == 5
    assert "Your action" in await submitted.said()
    # ann is the only player: her action closes the window; the tally names it, escaped
    message_id = int(prologue["id"])
    closed = await server.wait_for(
        lambda: (
            buttons(server.messages[message_id])[0].get("disabled") and server.messages[message_id]
        ),
        within=20,
    )
    votes = field(closed, "Votes")
    assert "dig under the \\*fence\\*" in votes
    assert "@everyone" not in votes.replace("@\u200beveryone", "")
    await server.wait_for(lambda: len(turn_messages(server, channel)) == 2, within=20)


async def test_the_crown_forces_and_vetoes_and_others_are_refused(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    ann, bob = server.user("ann"), server.user("bob")
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    prologue = await server.wait_for(lambda: open_turn(server, channel))
    taken = await server.command(channel, ann, "crown take")
    assert "You hold the crown" in await taken.said()
    await server.wait_for(
        lambda: any(f"<@{ann.id}> holds the crown" in line for line in server.transcript)
    )
    refused = await server.command(channel, bob, "force", choice=1)
    assert "crown" in (await refused.said()).lower()
    not_yours = await server.command(channel, bob, "crown take")
    assert "crown" in (await not_yours.said()).lower()
    vetoed = await server.command(channel, ann, "veto", choice=2)
    assert "vetoed" in await vetoed.said()
    await server.wait_for(lambda: any("strikes choice 2" in line for line in server.transcript))
    forced = await server.command(channel, ann, "force", choice=1)
    assert await forced.said() == "Forced."
    message_id = int(prologue["id"])
    closed = await server.wait_for(
        lambda: (
            buttons(server.messages[message_id])[0].get("disabled") and server.messages[message_id]
        ),
        within=20,
    )
    assert "forced" in field(closed, "Votes")
    stranger = await server.command(channel, ann, "crown pass", to=server.user("cy"))
    assert "not a player" in await stranger.said()
    nxt = await server.wait_for(
        lambda: (found := open_turn(server, channel)) and found["id"] != prologue["id"] and found,
        within=20,
    )
    joined = await server.click(nxt, buttons(nxt)[0]["custom_id"], bob)  # bob plays now
    assert "Your vote" in await joined.said()
    passed = await server.command(channel, ann, "crown pass", to=bob)
    assert "The crown goes to bob" in await passed.said()
    await server.wait_for(
        lambda: any(f"<@{bob.id}> holds the crown" in line for line in server.transcript)
    )
    dropped = await server.command(channel, ann, "crown drop")  # ann holds it no more
    assert "crown" in (await dropped.said()).lower()
    assert "You put the crown down" not in await dropped.said()


async def test_manage_channels_commands_are_refused_to_others(
    server: DiscordServer, bot: BotProcess
) -> None:
    channel = next(iter(server.channels))
    ann, bob = server.user("ann"), server.user("bob")
    admin = server.user("admin", manage_channels=True)
    await (await server.command(channel, ann, "play", cartridge=QUICK)).wait()
    await server.wait_for(lambda: open_turn(server, channel))
    for sub in ("exit", "reset", "options"):
        refused = await server.command(channel, bob, sub)
        assert (await refused.wait())["data"]["flags"] & 64  # deferred ephemeral
        assert await refused.said() == MANAGE_ONLY
    loaded = await server.command(channel, bob, "load", game_id="abc")
    assert await loaded.said() == MANAGE_ONLY
    shown = await server.command(channel, admin, "options", flipbook=False)
    assert "flipbook: False" in await shown.said()
    saved = await server.command(channel, admin, "exit")
    assert (await saved.said()).startswith("Saved as")
