"""The ``/glitch`` command group. Every handler acknowledges first (``defer``, or the modal
for ``act``), then calls the client, then answers; refusals are short and ephemeral.

Who may do what is the game's rule (the crown, checked by the engine) and, for ``exit``,
``load``, ``reset`` and ``options``, Discord's: Manage Channels, or holding the crown.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

import discord
from discord import app_commands

from glitchcart.client import Client
from glitchcart.client.models import SessionView
from glitchcart.discord import render
from glitchcart.discord.feed import Feeds
from glitchcart.discord.ids import name_of, player_of, session_of
from glitchcart.discord.replies import MANAGE_ONLY, NOT_IN_CHANNEL, refusal, say
from glitchcart.discord.tapes import HEADROOM, fitting_tape
from glitchcart.errors import GlitchcartError

Interaction = discord.Interaction[Any]
AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 suggestions


class GlitchCommands(app_commands.Group):
    def __init__(self, client: Client, feeds: Feeds) -> None:
        super().__init__(name="glitch", description="Play a glitchcart game in this channel.")
        self.client = client
        self.feeds = feeds
        CrownCommands(client, parent=self)  # a group given its parent joins it

    # ------------------------------------------------------------ games

    @app_commands.command(description="Start a game here (or swap in another).")
    @app_commands.describe(cartridge="Which game", swap="Save and replace a running game")
    async def play(
        self, interaction: Interaction, cartridge: str | None = None, swap: bool = False
    ) -> None:
        await interaction.response.defer(thinking=True)
        channel_id = _channel(interaction)
        if swap and not await self._may_manage(interaction):
            await interaction.edit_original_response(content=MANAGE_ONLY)
            return
        chosen = cartridge or (await self.client.cartridges())[0].id
        key, player = session_of(channel_id), player_of(interaction.user)
        turn = await self.client.boot(chosen, swap=swap, player=player, session=key)
        await self.client.join(player, name=name_of(interaction.user), session=key)
        feed = self.feeds.follow(channel_id, interaction.filesize_limit)
        await feed.show(turn)
        who = render.escape(name_of(interaction.user))
        await interaction.edit_original_response(content=f"▶️ {who} started `{chosen}`.")

    @play.autocomplete("cartridge")
    async def _cartridges_for(
        self, interaction: Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        # Autocomplete is answered, not deferred: one in-memory listing, no game work.
        found = await self.client.cartridges()
        typed = typed.lower()
        return [
            app_commands.Choice(name=render.clip(f"{c.title} ({c.genre})", 100), value=c.id)
            for c in found
            if typed in c.id or typed in c.title.lower()
        ][:AUTOCOMPLETE_LIMIT]

    @app_commands.command(description="The games on offer.")
    async def cartridges(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        found = await self.client.cartridges()
        lines = [f"`{c.id}`: **{render.escape(c.title)}** ({c.genre})" for c in found]
        await say(interaction, "\n".join(lines) or "No cartridges installed.")

    @app_commands.command(description="Where the game stands.")
    async def status(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.client.snapshot(session=session_of(_channel(interaction)))
        await say(interaction, render.status_text(view))

    @app_commands.command(description="Do something of your own (a free action).")
    async def act(self, interaction: Interaction) -> None:
        # A modal must be the first answer: no deferral before it. The action is for the
        # turn open when the form was opened.
        modal = ActModal(self.client)
        await interaction.response.send_modal(modal)
        view = await self.client.snapshot(session=session_of(_channel(interaction)))
        modal.turn, modal.game_id = view.voting_on, view.game_id

    @app_commands.command(description="Ask for new choices.")
    async def choices(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        await self.client.regenerate(player=player_of(interaction.user), session=key)
        await say(interaction, "New choices are on their way.")

    @app_commands.command(description="Let time pass.")
    async def wait(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.client.tick(session=session_of(_channel(interaction)))
        await say(interaction, "Time passes…")

    # ------------------------------------------------------------ the crown's powers

    @app_commands.command(description="Crown only: close the vote now with your pick.")
    @app_commands.describe(choice="A choice number", action="Or a free action")
    async def force(
        self, interaction: Interaction, choice: int | None = None, action: str | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.client.force(
            player_of(interaction.user),
            choice=choice,
            action=action,
            session=session_of(_channel(interaction)),
        )
        await say(interaction, "Forced.")

    @app_commands.command(description="Crown only: strike a choice from this turn.")
    async def veto(self, interaction: Interaction, choice: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        await self.client.veto(player_of(interaction.user), choice, session=key)
        await say(interaction, f"Choice {choice} is vetoed.")

    @app_commands.command(description="Crown only: bend the next turn.")
    async def twist(self, interaction: Interaction, text: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        await self.client.twist(player_of(interaction.user), text, session=key)
        await say(interaction, "The twist is set for the next turn.")

    @app_commands.command(description="How votes decide: democracy, anarchy or leader.")
    async def mode(
        self, interaction: Interaction, mode: Literal["democracy", "anarchy", "leader"]
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        await self.client.set_mode(mode, player=player_of(interaction.user), session=key)
        await say(interaction, f"Voting is now {mode}.")

    # ------------------------------------------------------------ media

    @app_commands.command(description="A replay tape of this game.")
    @app_commands.describe(turns="Only the last so many turns")
    async def tape(
        self,
        interaction: Interaction,
        format: Literal["gif", "mp4"] = "gif",
        turns: app_commands.Range[int, 1, 10_000] | None = None,
    ) -> None:
        await interaction.response.defer(thinking=True)
        key = session_of(_channel(interaction))
        view = await self.client.snapshot(session=key)
        last = view.state.turn if view.state is not None else 0
        first = max(0, last - turns + 1) if turns else 0
        built = await self.client.tapes.build(format, first=first, last=last, session=key)
        fit = await fitting_tape(
            self.client, built.ref, built.size, first, last, interaction.filesize_limit - HEADROOM
        )
        if fit is None:
            await interaction.edit_original_response(content="That tape is too large to upload.")
            return
        ref, (start, end) = fit
        payload = await self.client.tapes.get(ref)
        await interaction.edit_original_response(
            content=f"📼 Turns {start}-{end}:",
            attachments=[discord.File(io.BytesIO(payload), filename=ref.name)],
        )

    @app_commands.command(description="The film of this game (video mode).")
    async def film(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await say(
            interaction, "Films cannot be fetched through the bot yet; see `glitchcart film`."
        )

    @app_commands.command(description="The transcript of this game, as a file.")
    async def export(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel_id = _channel(interaction)
        exported = await self.client.export(session=session_of(channel_id))
        data = json.dumps(exported.model_dump(mode="json"), indent=1).encode()
        file = discord.File(io.BytesIO(data), filename=f"glitchcart-{channel_id}.json")
        await say(interaction, "The transcript:", file=file)

    # ------------------------------------------------------------ saved games (managers)

    @app_commands.command(description="Saved games of this channel.")
    async def games(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        here = str(session_of(_channel(interaction)))
        found = [g for g in await self.client.games() if g.session == here]
        lines = [
            f"`{g.game_id}` {g.cartridge} · turn {g.turn}"
            f"{' · live' if g.live else ''}{'' if g.alive else ' · dead'}"
            for g in found[:20]
        ]
        await say(interaction, "\n".join(lines) or "No saved games here.")

    @app_commands.command(description="Load a saved game (Manage Channels or the crown).")
    async def load(self, interaction: Interaction, game_id: str, swap: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._may_manage(interaction):
            await say(interaction, MANAGE_ONLY)
            return
        channel_id = _channel(interaction)
        loaded = await self.client.load_game(game_id, swap=swap, session=session_of(channel_id))
        feed = self.feeds.follow(channel_id, interaction.filesize_limit)
        view = await self.client.snapshot(session=session_of(channel_id))
        if view.last is not None:
            await feed.show(view.last)
        await say(interaction, f"Loaded `{loaded}`.")

    @app_commands.command(description="Save and eject the game (Manage Channels or the crown).")
    async def exit(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._may_manage(interaction):
            await say(interaction, MANAGE_ONLY)
            return
        game_id = await self.client.exit(session=session_of(_channel(interaction)))
        await say(interaction, f"Saved as `{game_id}`.")

    @app_commands.command(description="Start this game over (Manage Channels or the crown).")
    async def reset(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._may_manage(interaction):
            await say(interaction, MANAGE_ONLY)
            return
        channel_id = _channel(interaction)
        turn = await self.client.reset(
            player=player_of(interaction.user), session=session_of(channel_id)
        )
        await self.feeds.follow(channel_id, interaction.filesize_limit).show(turn)
        await say(interaction, "Started over.")

    @app_commands.command(description="Providers, flipbook, video (Manage Channels or the crown).")
    @app_commands.describe(providers="Model providers by name, best first, comma-separated")
    async def options(
        self,
        interaction: Interaction,
        providers: str | None = None,
        flipbook: bool | None = None,
        video: bool | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self._may_manage(interaction):
            await say(interaction, MANAGE_ONLY)
            return
        changes: dict[str, Any] = {}
        if providers is not None:
            changes["providers"] = [p.strip() for p in providers.split(",") if p.strip()]
        if flipbook is not None:
            changes["flipbook"] = flipbook
        if video is not None:
            changes["video"] = video
        options = await self.client.configure(
            player=player_of(interaction.user),
            session=session_of(_channel(interaction)),
            **changes,
        )
        shown = ", ".join(options.providers or ["default"])
        await say(
            interaction,
            f"providers: {render.escape(shown)} · flipbook: {options.flipbook} · "
            f"video: {options.video}",
        )

    async def _may_manage(self, interaction: Interaction) -> bool:
        """Manage Channels here, or the crown of this channel's game."""
        if interaction.permissions.manage_channels:
            return True
        view: SessionView = await self.client.snapshot(session=session_of(_channel(interaction)))
        return view.crown is not None and view.crown == player_of(interaction.user)


class CrownCommands(app_commands.Group):
    def __init__(self, client: Client, *, parent: app_commands.Group) -> None:
        super().__init__(name="crown", description="The co-game-master's crown.", parent=parent)
        self.client = client

    @app_commands.command(name="take", description="Take the free crown.")
    async def take(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.client.take_crown(
            player_of(interaction.user),
            name=name_of(interaction.user),
            session=session_of(_channel(interaction)),
        )
        await say(interaction, "You hold the crown.")

    @app_commands.command(name="pass", description="Hand the crown to another player.")
    async def pass_(self, interaction: Interaction, to: discord.Member) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.client.pass_crown(
            player_of(interaction.user), player_of(to), session=session_of(_channel(interaction))
        )
        await say(interaction, f"The crown goes to {render.escape(name_of(to))}.")

    @app_commands.command(name="drop", description="Put the crown down.")
    async def drop(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        await self.client.drop_crown(player_of(interaction.user), session=key)
        await say(interaction, "You put the crown down.")


class ActModal(discord.ui.Modal, title="Your action"):
    action: discord.ui.TextInput[ActModal] = discord.ui.TextInput(
        label="What do you do?", style=discord.TextStyle.paragraph, max_length=280
    )

    def __init__(self, client: Client) -> None:
        super().__init__(timeout=15 * 60)
        self.client = client
        self.turn: int | None = None  # the turn open when the form was opened
        self.game_id: str | None = None

    async def on_submit(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = session_of(_channel(interaction))
        try:
            if self.turn is None:
                view = await self.client.snapshot(session=key)
                self.turn, self.game_id = view.voting_on, view.game_id
            if self.turn is None:
                await say(interaction, "No vote is open right now.")
                return
            await self.client.vote(
                player_of(interaction.user),
                turn=self.turn,
                game_id=self.game_id,
                action=self.action.value,
                name=name_of(interaction.user),
                idempotency_key=f"discord-{interaction.id}",
                session=key,
            )
        except GlitchcartError as exc:
            await say(interaction, refusal(exc))
            return
        await say(interaction, f"Your action: “{render.escape(self.action.value)}”")


def _channel(interaction: Interaction) -> int:
    if interaction.channel_id is None or interaction.guild_id is None:
        raise app_commands.CheckFailure(NOT_IN_CHANNEL)
    return interaction.channel_id
