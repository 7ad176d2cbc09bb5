"""A Discord-compatible server on loopback: REST and the gateway websocket, enough for a
real, unpatched discord.py 2.x bot pointed at it by ``GLITCHCART_DISCORD_API_URL`` and
``GLITCHCART_DISCORD_GATEWAY_URL``.

>>> async with discord_server(token="t") as server:
...     guild = server.add_guild("table", channels=["general", "side"])
...     # start the bot with server.env(), then play as users do:
...     ack = await server.command(guild.channels[0], server.user("ann"), "play")
...     await ack.wait()

What probing discord.py 2.7 showed it needs, and this server therefore does: the content
type exactly ``application/json``; the interaction callback answered with
``{"interaction": ..., "resource": ...}`` (it posts with ``?with_response=1``); fresh
snowflakes for interaction ids; ``position`` on channels; a 429 carrying a ``Via`` header
and ``retry_after`` (without ``Via`` it is taken for a Cloudflare ban and raised);
``guild_id`` on interactions; ``GET /gateway/bot`` naming the gateway (a sharded client
takes its URL from there); and a component interaction whose ``message`` holds the
clicked button (else a ``DynamicItem`` never runs and nothing is acknowledged).

Everything the bot sends is kept: channel messages (with attachment bytes), interaction
acknowledgements with the time they took, ephemeral answers, and a transcript.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1_420_070_400_000
UPLOAD_LIMIT = 10 * 1024 * 1024  # an unboosted guild
MANAGE_CHANNELS = 1 << 4
EVERYONE = (1 << 10) | (1 << 11) | (1 << 31)  # view, send messages, use application commands
EPHEMERAL = 1 << 6
TYPE_PONG, TYPE_MESSAGE, TYPE_DEFERRED, TYPE_DEFERRED_UPDATE, TYPE_UPDATE = 1, 4, 5, 6, 7
TYPE_AUTOCOMPLETE, TYPE_MODAL = 8, 9


class Snowflakes:
    """Fresh, rising ids, as Discord makes them (discord.py refuses reused interaction ids)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (millis << 22) | (next(self._counter) & 0x3FFFFF)


@dataclass
class User:
    id: int
    name: str
    permissions: int = EVERYONE

    def wire(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }


@dataclass
class Guild:
    id: int
    name: str
    channels: list[int]


@dataclass
class Ack:
    """One interaction the server sent, and what the bot answered."""

    id: int
    token: str
    kind: int
    channel_id: int
    user: User
    sent_at: float
    message_id: int | None = None  # the message clicked, for components
    response: dict[str, Any] | None = None
    acked_at: float | None = None
    original_id: int | None = None
    followups: list[dict[str, Any]] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self, within: float = 10.0) -> dict[str, Any]:
        await asyncio.wait_for(self.answered.wait(), within)
        assert self.response is not None
        return self.response

    @property
    def latency(self) -> float:
        assert self.acked_at is not None
        return self.acked_at - self.sent_at

    @property
    def modal(self) -> dict[str, Any] | None:
        if self.response and self.response["type"] == TYPE_MODAL:
            data: dict[str, Any] = self.response["data"]
            return data
        return None

    def texts(self) -> list[str]:
        """Everything said to this user for this interaction, in order."""
        said = []
        if self.response and self.response.get("data"):
            said.append(_text(self.response["data"]))
        said += [_text(m) for m in self.followups]
        return said

    async def said(self, within: float = 10.0) -> str:
        """Wait for the first text answer (reply, edited original or follow-up)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            texts = [t for t in self.texts() if t]
            if texts:
                return texts[0]
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError("the bot said nothing")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                continue


def _text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')}: {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a message, row by row."""
    return [
        item
        for row in message.get("components") or []
        for item in row.get("components") or []
        if item.get("type") == 2
    ]


def turn_messages(server: DiscordServer, channel: int) -> list[dict[str, Any]]:
    """The channel's turn messages (those with vote buttons), oldest first."""
    return [m for m in server.channel_messages(channel) if buttons(m)]


def open_turn(server: DiscordServer, channel: int) -> dict[str, Any] | None:
    """The newest turn message whose buttons are live."""
    found = [m for m in turn_messages(server, channel) if not buttons(m)[0].get("disabled")]
    return found[-1] if found else None


def field(message: dict[str, Any], name: str) -> str:
    """The value of an embed field of a message."""
    for item in message["embeds"][0].get("fields") or []:
        if item["name"] == name:
            value: str = item["value"]
            return value
    raise AssertionError(f"no field {name!r} in {message['embeds'][0]}")


class DiscordServer:
    def __init__(self, token: str, *, upload_limit: int = UPLOAD_LIMIT) -> None:
        self.token = token
        self.upload_limit = upload_limit
        self.ids = Snowflakes()
        self.app_id = self.ids.next()
        self.bot = User(self.ids.next(), "glitchcart")
        self.base_url = ""
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[str, Any]] = {}  # id -> message (public and ephemeral)
        self.files: dict[int, list[tuple[str, bytes]]] = {}  # message id -> attachments
        self.acks: dict[str, Ack] = {}  # interaction token -> ack
        self.commands: list[dict[str, Any]] = []
        self.transcript: list[str] = []
        self.requests: list[tuple[str, str, int]] = []  # method, path, status
        self.identifies = 0
        self.resumes = 0
        self._limits: list[tuple[str, re.Pattern[str], float]] = []
        self._sockets: list[_Gateway] = []
        self._sessions: dict[str, list[dict[str, Any]]] = {}  # session id -> dispatched
        self.connected = asyncio.Event()
        self.message_posted = asyncio.Event()

    # ------------------------------------------------------------ the world

    def add_guild(self, name: str, channels: list[str]) -> Guild:
        guild = Guild(self.ids.next(), name, [])
        for position, channel_name in enumerate(channels):
            cid = self.ids.next()
            self.channels[cid] = {
                "id": str(cid),
                "type": 0,
                "guild_id": str(guild.id),
                "name": channel_name,
                "position": position,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "flags": 0,
            }
            guild.channels.append(cid)
        self.guilds[guild.id] = guild
        return guild

    def user(self, name: str, *, manage_channels: bool = False) -> User:
        permissions = EVERYONE | (MANAGE_CHANNELS if manage_channels else 0)
        return User(self.ids.next(), name, permissions)

    def env(self) -> dict[str, str]:
        return {
            "GLITCHCART_DISCORD_TOKEN": self.token,
            "GLITCHCART_DISCORD_API_URL": f"{self.base_url}/api/v10",
            "GLITCHCART_DISCORD_GATEWAY_URL": f"{self.ws_url}/gateway",
        }

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1)

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Public messages of a channel, oldest first."""
        return [
            m
            for m in self.messages.values()
            if m["channel_id"] == str(channel_id) and not m["flags"] & EPHEMERAL
        ]

    def limit(self, method: str, path: str, retry_after: float = 0.5) -> None:
        """Answer the next request matching ``method`` and ``path`` (a regex) with a 429."""
        self._limits.append((method, re.compile(path), retry_after))

    async def wait_for(self, predicate: Any, within: float = 15.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked as the bot posts)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                recent = "\n".join(self.transcript[-15:])
                raise TimeoutError(f"the bot did not get there; last in the channels:\n{recent}")
            self.message_posted.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.message_posted.wait(), min(left, 0.25))

    # ------------------------------------------------------------ users act

    async def command(self, channel_id: int, user: User, sub: str, **options: Any) -> Ack:
        """``/glitch <sub> [options]`` typed by ``user`` in the channel; ``sub`` may name a
        subcommand of a group (``"crown take"``); a :class:`User` value is a member option."""
        *groups, name = sub.split()
        node: dict[str, Any] = {
            "name": name,
            "type": 1,
            "options": [_option(k, v) for k, v in options.items() if v is not None],
        }
        for group in reversed(groups):
            node = {"name": group, "type": 2, "options": [node]}
        data: dict[str, Any] = {
            "id": str(self._command_id("glitch")),
            "name": "glitch",
            "type": 1,
            "options": [node],
        }
        members = [v for v in options.values() if isinstance(v, User)]
        if members:
            data["resolved"] = {
                "users": {str(m.id): m.wire() for m in members},
                "members": {
                    str(m.id): {
                        "roles": [],
                        "joined_at": _now(),
                        "flags": 0,
                        "permissions": str(m.permissions),
                        "nick": None,
                    }
                    for m in members
                },
            }
        shown = {k: (v.name if isinstance(v, User) else v) for k, v in options.items()}
        self.transcript.append(f"{user.name}: /glitch {sub} {_args(shown)}".rstrip())
        return await self._interact(2, channel_id, user, data)

    async def autocomplete(
        self, channel_id: int, user: User, sub: str, name: str, typed: str
    ) -> Ack:
        option = {"name": name, "type": 3, "value": typed, "focused": True}
        data = {
            "id": str(self._command_id("glitch")),
            "name": "glitch",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": [option]}],
        }
        return await self._interact(4, channel_id, user, data)

    async def click(self, message: dict[str, Any], custom_id: str, user: User) -> Ack:
        """``user`` presses the button ``custom_id`` on ``message`` (as the server has it)."""
        current = self.messages.get(int(message["id"]), message)
        labels = [b.get("label") for b in buttons(current) if b.get("custom_id") == custom_id]
        self.transcript.append(f"{user.name} clicks [{labels[0] if labels else custom_id}]")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, int(current["channel_id"]), user, data, message=current)

    async def submit(self, opened: Ack, values: list[str]) -> Ack:
        """Fill in the text inputs of the modal the bot answered ``opened`` with, in
        order, and submit it."""
        modal = opened.modal
        assert modal is not None, "the bot answered with no modal"
        self.transcript.append(f"{opened.user.name} submits {json.dumps(values)}")
        typed = iter(values)
        rows = [_filled(component, typed) for component in modal.get("components", [])]
        data = {"custom_id": modal["custom_id"], "components": rows}
        return await self._interact(5, opened.channel_id, opened.user, data)

    def _command_id(self, name: str) -> int:
        for command in self.commands:
            if command["name"] == name:
                return int(command["id"])
        raise AssertionError(f"the bot registered no /{name}")

    async def _interact(
        self,
        kind: int,
        channel_id: int,
        user: User,
        data: dict[str, Any],
        message: dict[str, Any] | None = None,
    ) -> Ack:
        channel = self.channels[channel_id]
        interaction_id = self.ids.next()
        token = f"itoken-{interaction_id}"
        ack = Ack(
            interaction_id,
            token,
            kind,
            channel_id,
            user,
            time.perf_counter(),
            message_id=int(message["id"]) if message else None,
        )
        self.acks[token] = ack
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "guild_id": channel["guild_id"],
            "channel_id": str(channel_id),
            "channel": channel,
            "member": {
                "user": user.wire(),
                "roles": [],
                "joined_at": _now(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "nick": None,
                "permissions": str(user.permissions),
            },
            "token": token,
            "version": 1,
            "app_permissions": str((1 << 41) - 1),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": channel["guild_id"]},
            "context": 0,
            "attachment_size_limit": self.upload_limit,
        }
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return ack

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for socket in list(self._sockets):
            await socket.dispatch(event, data)

    async def drop_connections(self) -> None:
        """Close every gateway socket as a network failure would (the bot may resume)."""
        for socket in list(self._sockets):
            await socket.ws.close(code=4000)

    # ------------------------------------------------------------ REST

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * self.upload_limit, middlewares=[self._edge])
        r = app.router
        api = "/api/v10"
        r.add_get("/gateway", self._gateway)
        r.add_get(f"{api}/gateway", self._gateway_url)
        r.add_get(f"{api}/gateway/bot", self._gateway_bot)
        r.add_get(f"{api}/users/@me", self._me)
        r.add_get(f"{api}/oauth2/applications/@me", self._application)
        r.add_put(f"{api}/applications/{{app}}/commands", self._put_commands)
        r.add_get(f"{api}/applications/{{app}}/commands", self._get_commands)
        r.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._put_commands)
        r.add_get(f"{api}/channels/{{channel}}", self._get_channel)
        r.add_post(f"{api}/channels/{{channel}}/messages", self._post_message)
        r.add_get(f"{api}/channels/{{channel}}/messages/{{message}}", self._get_message)
        r.add_patch(f"{api}/channels/{{channel}}/messages/{{message}}", self._patch_message)
        r.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        r.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        hook = f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}"
        r.add_get(hook, self._get_webhook_message)
        r.add_patch(hook, self._patch_webhook_message)
        r.add_delete(hook, self._delete_webhook_message)
        return app

    @web.middleware
    async def _edge(self, request: web.Request, handler: Any) -> web.StreamResponse:
        for index, (method, pattern, retry_after) in enumerate(self._limits):
            if request.method == method and pattern.search(request.path):
                del self._limits[index]
                self.requests.append((request.method, request.path, 429))
                return _json(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": False,
                    },
                    429,
                    headers={
                        "Via": "1.1 google",
                        "Retry-After": str(retry_after),
                        "X-RateLimit-Scope": "shared",
                    },
                )
        needs_token = not request.path.startswith(("/api/v10/interactions", "/api/v10/webhooks"))
        signed = request.headers.get("Authorization") == f"Bot {self.token}"
        if needs_token and request.path != "/gateway" and not signed:
            return _error(401, 0, "401: Unauthorized")
        try:
            response: web.StreamResponse = await handler(request)
        except web.HTTPNotFound:
            response = _error(404, 0, "404: Not Found")
        self.requests.append((request.method, request.path, response.status))
        return response

    async def _gateway_url(self, _: web.Request) -> web.Response:
        return _json({"url": f"{self.ws_url}/gateway"})

    async def _gateway_bot(self, _: web.Request) -> web.Response:
        return _json(
            {
                "url": f"{self.ws_url}/gateway",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000 - self.identifies,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _me(self, _: web.Request) -> web.Response:
        return _json(self.bot.wire() | {"bot": True})

    async def _get_commands(self, _: web.Request) -> web.Response:
        return _json(self.commands)

    async def _application(self, _: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": "glitchcart",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.bot.wire(),
                "verify_key": "00",
                "flags": 0,
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        commands = await request.json()
        self.commands = [
            {**c, "id": str(self.ids.next()), "application_id": str(self.app_id), "version": "1"}
            for c in commands
        ]
        return _json(self.commands)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self.channels.get(int(request.match_info["channel"]))
        return _json(channel) if channel else _error(404, 10003, "Unknown Channel")

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel"])
        if channel_id not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        body, files = await self._body(request)
        if body is None:
            return _error(413, 40005, "Request entity too large")
        message = self._store(channel_id, body, files)
        return _json(message)

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message"]))
        return _json(message) if message else _error(404, 10008, "Unknown Message")

    async def _patch_message(self, request: web.Request) -> web.Response:
        message_id = int(request.match_info["message"])
        if message_id not in self.messages:
            return _error(404, 10008, "Unknown Message")
        body, files = await self._body(request)
        if body is None:
            return _error(413, 40005, "Request entity too large")
        return _json(self._edit(message_id, body, files))

    async def _callback(self, request: web.Request) -> web.Response:
        ack = self.acks.get(request.match_info["token"])
        if ack is None or str(ack.id) != request.match_info["id"]:
            return _error(404, 10062, "Unknown interaction")
        if ack.response is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body, files = await self._body(request)
        if body is None:
            return _error(413, 40005, "Request entity too large")
        ack.response = body
        ack.acked_at = time.perf_counter()
        kind, data = body["type"], body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        if kind in (TYPE_MESSAGE, TYPE_DEFERRED):
            message = self._store(ack.channel_id, data, files, loading=kind == TYPE_DEFERRED)
            ack.original_id = int(message["id"])
            resource["message"] = message
        elif kind in (TYPE_DEFERRED_UPDATE, TYPE_UPDATE):
            ack.original_id = ack.message_id
            if kind == TYPE_UPDATE and ack.message_id is not None:
                resource["message"] = self._edit(ack.message_id, data, files)
        ack.answered.set()
        ack.changed.set()
        return _json(
            {
                "interaction": {
                    "id": str(ack.id),
                    "type": ack.kind,
                    "response_message_id": str(ack.original_id) if ack.original_id else None,
                    "response_message_loading": kind == TYPE_DEFERRED,
                    "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
                },
                "resource": resource,
            }
        )

    def _ack(self, request: web.Request) -> Ack | None:
        ack = self.acks.get(request.match_info["token"])
        if ack is None or ack.response is None:
            return None
        return ack

    async def _followup(self, request: web.Request) -> web.Response:
        ack = self._ack(request)
        if ack is None:
            return _error(404, 10015, "Unknown Webhook")
        body, files = await self._body(request)
        if body is None:
            return _error(413, 40005, "Request entity too large")
        message = self._store(ack.channel_id, body, files)
        ack.followups.append(message)
        ack.changed.set()
        return _json(message)

    def _original(self, request: web.Request) -> tuple[Ack | None, int | None]:
        ack = self._ack(request)
        if ack is None:
            return None, None
        raw = request.match_info["message"]
        return ack, (ack.original_id if raw == "@original" else int(raw))

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        _, message_id = self._original(request)
        message = self.messages.get(message_id) if message_id else None
        return _json(message) if message else _error(404, 10008, "Unknown Message")

    async def _patch_webhook_message(self, request: web.Request) -> web.Response:
        ack, message_id = self._original(request)
        if ack is None or message_id is None or message_id not in self.messages:
            return _error(404, 10008, "Unknown Message")
        body, files = await self._body(request)
        if body is None:
            return _error(413, 40005, "Request entity too large")
        message = self._edit(message_id, body, files)
        ack.changed.set()
        if message_id == ack.original_id and message_id != ack.message_id:
            ack.followups.append(message)  # the deferred "thinking" answer, filled in
        return _json(message)

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        _, message_id = self._original(request)
        if message_id is None or self.messages.pop(message_id, None) is None:
            return _error(404, 10008, "Unknown Message")
        return web.Response(status=204)

    async def _body(
        self, request: web.Request
    ) -> tuple[dict[str, Any] | None, list[tuple[str, bytes]]]:
        """The JSON body, or ``payload_json`` and the files of a multipart one; None
        (with no files) when the files pass the upload limit."""
        if not request.content_type.startswith("multipart/"):
            return await request.json(), []
        payload: dict[str, Any] = {}
        files: list[tuple[str, bytes]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert not isinstance(part, type(reader))
            if part.name == "payload_json":
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                files.append((part.filename or "file", bytes(await part.read())))  # type: ignore[union-attr]
        if sum(len(data) for _, data in files) > self.upload_limit:
            return None, []
        return payload, files

    def _store(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        *,
        loading: bool = False,
    ) -> dict[str, Any]:
        message_id = self.ids.next()
        message = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": self.bot.wire() | {"bot": True},
            "content": "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "components": [],
            "flags": (body.get("flags") or 0) | ((1 << 7) if loading else 0),
        }
        self.messages[message_id] = message
        self._edit(message_id, body, files, edited=False)
        if not message["flags"] & EPHEMERAL:
            name = self.channels[channel_id]["name"]
            self.transcript.append(f"#{name} <bot> {_summary(message)}")
        self.message_posted.set()
        return message

    def _edit(
        self,
        message_id: int,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        *,
        edited: bool = True,
    ) -> dict[str, Any]:
        message = self.messages[message_id]
        for name in ("content", "embeds", "components"):
            if name in body and body[name] is not None:
                message[name] = body[name]
        if edited:
            message["flags"] &= ~(1 << 7)
        if files or "attachments" in body:
            kept = [
                a
                for a in message["attachments"]
                if "id" in a
                and any(str(b.get("id")) == a["id"] for b in body.get("attachments") or [])
            ]
            stored = self.files.setdefault(message_id, [])
            for filename, data in files:
                stored.append((filename, data))
                kept.append(
                    {
                        "id": str(self.ids.next()),
                        "filename": filename,
                        "size": len(data),
                        "url": f"{self.base_url}/attachments/{message_id}/{filename}",
                        "proxy_url": f"{self.base_url}/attachments/{message_id}/{filename}",
                    }
                )
            message["attachments"] = kept
        if edited:
            message["edited_timestamp"] = _now()
            if not message["flags"] & EPHEMERAL:
                name = self.channels[int(message["channel_id"])]["name"]
                self.transcript.append(f"#{name} <bot edits> {_summary(message)}")
        self.message_posted.set()
        return message

    # ------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        socket = _Gateway(self, ws)
        try:
            await socket.serve()
        finally:
            if socket in self._sockets:
                self._sockets.remove(socket)
        return ws

    def _ready(self, session_id: str) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot.wire() | {"bot": True},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "session_id": session_id,
            "resume_gateway_url": f"{self.ws_url}/gateway",
            "shard": [0, 1],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }

    def _guild_create(self, guild: Guild) -> dict[str, Any]:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "owner_id": str(self.bot.id),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "roles": [
                {
                    "id": str(guild.id),
                    "name": "@everyone",
                    "permissions": str(EVERYONE),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [self.channels[c] for c in guild.channels],
            "threads": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "members": [
                {
                    "user": self.bot.wire() | {"bot": True},
                    "roles": [],
                    "joined_at": _now(),
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "premium_progress_bar_enabled": False,
        }


class _Gateway:
    """One gateway connection: HELLO, heartbeats, IDENTIFY or RESUME, then dispatches."""

    def __init__(self, server: DiscordServer, ws: web.WebSocketResponse) -> None:
        self.server = server
        self.ws = ws
        self.session_id = ""
        self.seq = 0

    async def send(self, payload: dict[str, Any]) -> None:
        if not self.ws.closed:
            await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.server._sessions.setdefault(self.session_id, []).append(payload)
        await self.send(payload)

    async def serve(self) -> None:
        await self.send({"op": 10, "d": {"heartbeat_interval": 41_250}, "s": None, "t": None})
        async for frame in self.ws:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op, data = message["op"], message.get("d")
            if op == 1:
                await self.send({"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                await self._identify()
            elif op == 6:
                await self._resume(data)

    async def _identify(self) -> None:
        server = self.server
        server.identifies += 1
        self.session_id = f"session-{server.ids.next()}"
        server._sockets.append(self)
        await self.dispatch("READY", server._ready(self.session_id))
        for guild in server.guilds.values():
            await self.dispatch("GUILD_CREATE", server._guild_create(guild))
        server.connected.set()

    async def _resume(self, data: dict[str, Any]) -> None:
        server = self.server
        missed = server._sessions.get(data["session_id"])
        if missed is None:
            await self.send({"op": 9, "d": False, "s": None, "t": None})
            return
        server.resumes += 1
        self.session_id = data["session_id"]
        self.seq = data.get("seq") or 0
        server._sockets.append(self)
        for payload in missed:
            if payload["s"] > self.seq:
                await self.send(payload)
                self.seq = payload["s"]
        await self.dispatch("RESUMED", {})
        server.connected.set()


def _option(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, User):
        return {"name": name, "type": 6, "value": str(value.id)}
    if isinstance(value, bool):
        return {"name": name, "type": 5, "value": value}
    kind = 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value}


def _args(options: dict[str, Any]) -> str:
    return " ".join(f"{k}:{v}" for k, v in options.items() if v is not None)


def _filled(component: dict[str, Any], typed: Iterator[str]) -> dict[str, Any]:
    """A modal component as a submit carries it: its text inputs with values."""
    if component.get("type") == 4:  # a text input
        return {"type": 4, "custom_id": component["custom_id"], "value": next(typed, "")}
    out: dict[str, Any] = {"type": component.get("type"), "id": component.get("id", 0)}
    if "components" in component:
        out["components"] = [_filled(c, typed) for c in component["components"]]
    if "component" in component:
        out["component"] = _filled(component["component"], typed)
    return out


def _summary(message: dict[str, Any]) -> str:
    text = _text(message).replace("\n", " / ")
    labels = [
        f"[{b.get('label')}{' (off)' if b.get('disabled') else ''}]" for b in buttons(message)
    ]
    files = [f"<{a['filename']} {a['size']} B>" for a in message.get("attachments") or []]
    return " ".join(part for part in [text, *labels, *files] if part)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with the content type exactly ``application/json`` (no charset), as discord.py
    compares it."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)


def _now() -> str:
    return datetime.now(UTC).isoformat()


@asynccontextmanager
async def discord_server(token: str = "test-token", **kwargs: Any) -> AsyncIterator[DiscordServer]:
    """Serve a :class:`DiscordServer` on 127.0.0.1 (an ephemeral port) in this loop."""
    server = DiscordServer(token, **kwargs)
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.base_url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        for socket in list(server._sockets):
            await socket.ws.close()
        await runner.cleanup()
