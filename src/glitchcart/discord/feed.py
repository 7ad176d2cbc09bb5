"""A channel follows its session's events: one new message per turn, edited as it grows.

A turn's message is posted when its narration exists, gets the picture and the choice
buttons when the turn commits (``choices``), shows the vote counts and a relative-time
countdown while the window is open (edited only when something changed, at most once per
``edit_interval`` seconds per channel, as Discord's edit limits are tight), and the tally
with disabled buttons once it closes. Crown moves, pauses, notices and death are short
messages of their own; at death the tape is uploaded (:mod:`glitchcart.discord.tapes`).

The bot keeps only which message shows which turn: a presentation cache, never game
state. After a restart a click on an old message hands that message back (:meth:`adopt`).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import OrderedDict
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import discord

from glitchcart.client import Client
from glitchcart.client.models import ChoiceOut, EventOut, MediaRefOut, TallyOut, Turn
from glitchcart.core.keys import SessionKey
from glitchcart.discord import render
from glitchcart.discord.buttons import choice_view
from glitchcart.discord.ids import session_of
from glitchcart.discord.tapes import HEADROOM, upload_tape
from glitchcart.errors import GlitchcartError, SessionNotFound

log = logging.getLogger(__name__)

KEPT_TURNS = 8  # turn messages remembered per channel
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024


@dataclass
class TurnMessage:
    """The message that shows one turn (``turn``: the committed turn it narrates)."""

    message: discord.Message
    game_id: str
    turn: int
    embed: discord.Embed
    choices: list[ChoiceOut] = field(default_factory=list)

    @property
    def window_turn(self) -> int:
        """The turn its buttons vote for."""
        return self.turn + 1


class ChannelFeed:
    def __init__(
        self,
        client: Client,
        channel: discord.abc.Messageable,
        key: SessionKey,
        *,
        edit_interval: float,
        upload_limit: int = DEFAULT_UPLOAD_LIMIT,
    ) -> None:
        self.client = client
        self.channel = channel
        self.key = key
        self.edit_interval = edit_interval
        self.upload_limit = upload_limit
        self.turns: OrderedDict[tuple[str, int], TurnMessage] = OrderedDict()
        self.open: TurnMessage | None = None  # the message whose window may be open
        self.frames: dict[tuple[str, int], MediaRefOut] = {}
        self.titles: dict[str, str | None] = {}
        self.last_event: int | None = None
        self._lock = asyncio.Lock()
        self._counts: asyncio.Task[None] | None = None
        self._last_counts = float("-inf")
        self._task: asyncio.Task[None] | None = None
        self._side: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._follow())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        for task in [self._task, self._counts, *self._side]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _follow(self) -> None:
        """Read the session's events for as long as the bot runs; resume after the last
        one seen when the stream breaks."""
        failures = 0
        while True:
            try:
                events = self.client.events(after=self.last_event, session=self.key)
                async with aclosing(events) as stream:
                    async for event in stream:
                        failures = 0
                        if event.id:  # live-only events (narration_partial) have id 0
                            self.last_event = event.id
                        try:
                            await self._on(event)
                        except Exception:  # one event badly shown must not stop the channel
                            log.exception("channel %s: %s not shown", self.key, event.kind)
            except SessionNotFound:
                return  # no game here yet: `play` starts following again
            except (GlitchcartError, discord.HTTPException) as exc:
                log.warning("channel %s: event stream broke: %s", self.key, exc)
            wait = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            failures += 1
            await asyncio.sleep(wait)

    # ------------------------------------------------------------ events

    async def _on(self, event: EventOut) -> None:
        data = event.data
        kind = event.kind
        try:
            if kind == "narration":
                await self.narrated(str(data["game_id"]), int(data["turn"]), str(data["text"]))
            elif kind == "frame_ready":
                ref = MediaRefOut.model_validate(data["ref"])
                self.frames[(self._game_of(ref), int(data["turn"]))] = ref
            elif kind == "choices":
                await self._choices(data)
            elif kind in ("vote_cast", "window_opened"):
                self.votes_changed()
            elif kind == "window_closed":
                await self._closed(int(data["turn"]), TallyOut.model_validate(data["tally"]))
            elif kind == "turn_resolving":
                if (data.get("input") or {}).get("kind") == "hesitate":
                    await self._post("⏳ Nobody chose in time: the hero hesitates.")
            elif kind == "game_over":
                cause = render.escape(str(data.get("cause") or "unknown causes"))
                await self._post(f"☠️ **Game over**: {cause}. The tape follows.")
            elif kind == "tape_ready":
                self._spawn(upload_tape(self.client, self.channel, data, self.upload_limit))
            elif kind == "crown_moved":
                await self._post(_crown_line(data))
            elif kind == "paused":
                reason = render.escape(str(data.get("reason") or ""))
                await self._post(f"⏸️ The game pauses ({reason}); a vote wakes it.")
            elif kind == "mode_changed":
                await self._post(f"🗳️ Voting is now {render.escape(str(data.get('mode')))}.")
            elif kind == "vetoed":
                await self._post(f"🚫 The crown strikes choice {int(data['choice'])}.")
            elif kind == "twist_set":
                await self._post("🌀 The crown has set a twist for the next turn.")
            elif kind == "notice":
                await self._post(f"ℹ️ {render.escape(str(data.get('text') or ''))}")
            elif kind == "game_exited":
                await self._post(f"⏏️ Game saved as `{data.get('game_id')}` and ejected.")
        except discord.HTTPException as exc:  # one failed post loses no event that follows
            log.warning("channel %s: could not show %s: %s", self.key, kind, exc)

    async def narrated(self, game_id: str, turn: int, text: str) -> TurnMessage:
        """Post the message of ``turn`` as soon as its narration exists (once)."""
        async with self._lock:
            found = self.turns.get((game_id, turn))
            if found is not None:
                return found
            title = await self._title(game_id)
            embed = render.turn_embed(turn, title, text)
            message = await self.channel.send(embed=embed)
            return self._remember(TurnMessage(message, game_id, turn, embed))

    async def show(self, turn: Turn) -> None:
        """Show a turn the bot was handed (a prologue it booted), as the events would."""
        await self.narrated(turn.game_id, turn.turn, turn.narration)
        if turn.frame is not None:
            self.frames[(turn.game_id, turn.turn)] = turn.frame
        if turn.choices:
            choices = [c.model_dump() for c in turn.choices]
            await self._choices({"game_id": turn.game_id, "turn": turn.turn, "choices": choices})

    async def _choices(self, data: dict[str, Any]) -> None:
        turn = int(data["turn"])
        choices = [ChoiceOut.model_validate(c) for c in data["choices"]]
        view = await self.client.snapshot(session=self.key)
        game_id = str(data.get("game_id") or view.game_id or "")
        if view.last is not None and view.last.turn == turn:
            shown = await self.narrated(game_id, turn, view.last.narration)
        else:
            found = self.turns.get((game_id, turn))
            if found is None:
                return  # an old turn's choices, replayed: nothing to show
            shown = found
        async with self._lock:
            shown.choices = choices
            shown.embed.clear_fields()
            shown.embed.add_field(name="Choices", value=render.choices_field(choices), inline=False)
            shown.embed.add_field(
                name="Votes", value=render.votes_field(view.window, choices), inline=False
            )
            files = await self._frame_file(game_id, turn, shown)
            buttons = choice_view(shown.window_turn, game_id, choices)
            if files:
                shown.message = await shown.message.edit(
                    embed=shown.embed, attachments=files, view=buttons
                )
            else:
                shown.message = await shown.message.edit(embed=shown.embed, view=buttons)
            self.open = shown

    async def _frame_file(self, game_id: str, turn: int, shown: TurnMessage) -> list[discord.File]:
        ref = self.frames.pop((game_id, turn), None)
        if ref is None:
            return []
        try:
            picture = await self.client.frame(ref)
        except GlitchcartError as exc:
            log.warning("channel %s: no picture for turn %s: %s", self.key, turn, exc)
            return []
        if len(picture) > self.upload_limit - HEADROOM:
            log.info("channel %s: the picture of turn %s passes the upload limit", self.key, turn)
            return []
        name = f"{render.FRAME_FILE}.{ref.name.rsplit('.', 1)[-1]}"
        shown.embed.set_image(url=f"attachment://{name}")
        return [discord.File(io.BytesIO(picture), filename=name)]

    def votes_changed(self) -> None:
        """Show the new counts, at most once per ``edit_interval`` in this channel."""
        if self._counts is not None and not self._counts.done():
            return  # the pending edit will read the newest counts
        self._counts = asyncio.get_running_loop().create_task(self._edit_counts())

    async def _edit_counts(self) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self._last_counts + self.edit_interval - loop.time()))
        self._last_counts = loop.time()
        try:
            view = await self.client.snapshot(session=self.key)
            async with self._lock:
                shown = self.open
                window = view.window
                if shown is None or window is None or window.turn != shown.window_turn:
                    return
                _set_field(shown.embed, "Votes", render.votes_field(window, shown.choices))
                shown.message = await shown.message.edit(embed=shown.embed)
        except (GlitchcartError, discord.HTTPException) as exc:
            log.warning("channel %s: vote counts not shown: %s", self.key, exc)

    async def _closed(self, window_turn: int, tally: TallyOut) -> None:
        # A pending counts edit is not cancelled (a request cancelled in flight was seen to
        # stall later requests on its bucket in discord.py 2.7); it finds the turn closed.
        async with self._lock:
            shown = self.open
            if shown is None or shown.window_turn != window_turn:
                await self._post_unlocked(
                    "🗳️ " + render.tally_field(tally, shown.choices if shown else [])
                )
                return
            _set_field(shown.embed, "Votes", render.tally_field(tally, shown.choices))
            buttons = choice_view(window_turn, shown.game_id, shown.choices, closed=True)
            shown.message = await shown.message.edit(embed=shown.embed, view=buttons)
            self.open = None

    def adopt(self, window_turn: int, game_id: str, message: discord.Message) -> None:
        """A click on ``message`` tells which message shows the open turn (after a
        restart the bot does not know it)."""
        if self.open is not None and self.open.message.id == message.id:
            return
        embed = (
            message.embeds[0] if message.embeds else render.turn_embed(window_turn - 1, None, "")
        )
        shown = TurnMessage(message, game_id, window_turn - 1, embed)
        self.open = self._remember(shown)

    async def choices_of(self, message: discord.Message, view_choices: list[ChoiceOut]) -> None:
        if self.open is not None and self.open.message.id == message.id and not self.open.choices:
            self.open.choices = list(view_choices)

    # ------------------------------------------------------------ helpers

    def _remember(self, shown: TurnMessage) -> TurnMessage:
        self.turns[(shown.game_id, shown.turn)] = shown
        while len(self.turns) > KEPT_TURNS:
            self.turns.popitem(last=False)
        return shown

    async def _title(self, game_id: str) -> str | None:
        if game_id not in self.titles:
            try:
                self.titles[game_id] = (await self.client.snapshot(session=self.key)).title
            except GlitchcartError:
                return None
        return self.titles[game_id]

    def _game_of(self, ref: MediaRefOut) -> str:
        return ref.name.rsplit("-", 1)[0]  # frames are named <game id>-<turn>.<ext>

    async def _post(self, text: str) -> None:
        async with self._lock:
            await self._post_unlocked(text)

    async def _post_unlocked(self, text: str) -> None:
        await self.channel.send(render.clip(text, render.CONTENT_LIMIT))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._side.add(task)
        task.add_done_callback(self._side.discard)


def _set_field(embed: discord.Embed, name: str, value: str) -> None:
    for index, existing in enumerate(embed.fields):
        if existing.name == name:
            embed.set_field_at(index, name=name, value=value, inline=False)
            return
    embed.add_field(name=name, value=value, inline=False)


def _crown_line(data: dict[str, Any]) -> str:
    holder = data.get("holder")
    if holder is None:
        return "👑 The crown is free: `/glitch crown take`."
    return f"👑 <@{holder}> holds the crown." if str(holder).isdigit() else "👑 The crown moved."


class Feeds:
    """The channels the bot follows, one feed each, started on demand."""

    def __init__(self, client: Client, bot: discord.Client, edit_interval: float) -> None:
        self.client = client
        self.bot = bot
        self.edit_interval = edit_interval
        self.feeds: dict[int, ChannelFeed] = {}

    def follow(self, channel_id: int, upload_limit: int | None = None) -> ChannelFeed:
        """The feed of a channel, following its events. ``upload_limit``: what an
        interaction in the channel said the upload limit is (it knows better than the
        guild's boost tier)."""
        feed = self.feeds.get(channel_id)
        if feed is None:
            cached = self.bot.get_channel(channel_id)
            limit = DEFAULT_UPLOAD_LIMIT
            guild = getattr(cached, "guild", None)
            if isinstance(guild, discord.Guild):
                limit = guild.filesize_limit
            channel: discord.abc.Messageable = (
                cached
                if isinstance(cached, discord.abc.Messageable)
                else self.bot.get_partial_messageable(channel_id)
            )
            feed = ChannelFeed(
                self.client,
                channel,
                session_of(channel_id),
                edit_interval=self.edit_interval,
                upload_limit=limit,
            )
            self.feeds[channel_id] = feed
        if upload_limit is not None:
            feed.upload_limit = upload_limit
        feed.start()
        return feed

    async def stop(self) -> None:
        for feed in self.feeds.values():
            await feed.stop()
