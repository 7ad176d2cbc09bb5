"""Who may call the API, on which sessions, as which player, doing what, how often.

Three kinds of caller (README, "HTTP API"):

- an **admin** key: everything, in its namespaces (``*`` for all);
- an **integration** key (role ``play``: a bot, a site's backend): trusted to name
  the player it acts for, in its namespaces;
- a **player credential** (:mod:`.credentials`), issued by the server to one player
  of one namespace, sent as a bearer token or as the web page's cookie: it acts
  only as that player, only in that namespace; a body naming another player is 403.

With no keys configured the server answers loopback clients only, as an admin of
every namespace (unless they present a player credential); :func:`check_bind`
refuses to start it on any other address. The browser checks of :mod:`.browser`
(Host, Origin, JSON bodies) guard every request of a server without keys and the
cookie-authenticated requests of one with keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from glitchcart.core.keys import SessionKey
from glitchcart.errors import Forbidden, GlitchcartError, InvalidInput, Unauthorized
from glitchcart.http.browser import BrowserRules, header
from glitchcart.http.browser import is_loopback_name as is_loopback
from glitchcart.http.credentials import COOKIE, PREFIX, Credentials, PlayerCredential
from glitchcart.http.limits import TokenBuckets
from glitchcart.http.problem import error_response
from glitchcart.settings import Settings

Role = Literal["play", "admin", "player"]
PUBLIC_PREFIX = "/v1/"  # the API proper; health, schema and docs need no key
HEALTH = "/healthz"  # answers any Host (a load balancer's check names an address)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a request: a configured key, the loopback user, or a player
    (``player`` set) proven by a credential, sent as the cookie if ``via_cookie``."""

    name: str
    role: Role
    namespaces: frozenset[str]
    rate: float | None = None
    player: str | None = None
    via_cookie: bool = False

    def may_touch(self, namespace: str) -> bool:
        return "*" in self.namespaces or namespace in self.namespaces

    def check_session(self, key: SessionKey) -> SessionKey:
        if not self.may_touch(key.namespace):
            raise Forbidden(f"this API key may not touch sessions of namespace {key.namespace!r}")
        return key

    def check_admin(self) -> None:
        if self.role != "admin":
            raise Forbidden("this needs an admin API key")

    def acting_as(self, named: str | None) -> str | None:
        """The player this caller acts as when a body names ``named`` (None: nobody).

        A player credential acts as its own player, whatever the body leaves out; a
        body naming anyone else is refused. A key is trusted to name its players."""
        if self.player is None:
            return named
        if named is not None and named != self.player:
            raise Forbidden(
                f"this credential acts for player {self.player!r}; it can't act as {named[:64]!r}"
            )
        return self.player

    @classmethod
    def of_player(cls, credential: PlayerCredential, *, via_cookie: bool) -> Principal:
        return cls(
            f"player:{credential.namespace}:{credential.player}",
            "player",
            frozenset({credential.namespace}),
            player=credential.player,
            via_cookie=via_cookie,
        )


LOOPBACK_USER = Principal("loopback", "admin", frozenset({"*"}))


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to serve a non-loopback address without API keys."""
    if not settings.api_keys and not is_loopback(host):
        raise InvalidInput(
            f"refusing to serve on {host} without API keys: anyone who can reach it could "
            "play or delete every session. Set GLITCHCART_API_KEYS (see the README), "
            "or bind 127.0.0.1."
        )


class Gatekeeper:
    """Authenticates a request, applies the browser checks, and takes a token from the
    caller's bucket; then, per route, proves the acting player (:meth:`player`)."""

    def __init__(
        self, settings: Settings, now: Callable[[], float], credentials: Credentials
    ) -> None:
        self._keys = {
            _digest(k.key.get_secret_value()): Principal(
                k.name, k.role, frozenset(k.namespaces), k.rate
            )
            for k in settings.api_keys
        }
        self.credentials = credentials
        self.browser = BrowserRules(settings.public_host, settings.cors_origins)
        self.key_buckets = TokenBuckets(settings.api_rate, settings.api_burst, now)
        self.player_buckets = TokenBuckets(settings.player_rate, settings.player_burst, now)

    async def admit(self, scope: Scope) -> Principal | None:
        """The caller of ``scope``; None for a public path. Raises if refused."""
        headers = scope["headers"]
        keyless = not self._keys
        if keyless:
            client = scope.get("client") or ("", 0)
            if not is_loopback(str(client[0])):
                raise Forbidden("this server has no API keys, so it answers loopback clients only")
        if not scope["path"].startswith(PUBLIC_PREFIX):
            if keyless and scope["path"] != HEALTH:
                self.browser.check_host(headers)
            return None
        principal = await self._authenticate(headers, keyless)
        if keyless or principal.via_cookie:
            self.browser.check_host(headers)
            self.browser.check_origin(scope["method"], headers)
        self.browser.check_body(scope["method"], headers)
        self.key_buckets.take(principal.name, principal.rate)
        return principal

    async def _authenticate(self, headers: list[tuple[bytes, bytes]], keyless: bool) -> Principal:
        authorization = header(headers, b"authorization")
        if authorization is not None:
            scheme, _, token = authorization.partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token.startswith(PREFIX):
                return Principal.of_player(await self.credentials.check(token), via_cookie=False)
            if keyless:
                return LOOPBACK_USER
            if scheme.lower() == "bearer" and token:
                principal = self._keys.get(_digest(token))
                if principal is None:
                    raise Unauthorized("unknown API key")
                return principal
        else:
            cookie = cookie_parser(header(headers, b"cookie") or "").get(COOKIE)
            if cookie:
                return Principal.of_player(await self.credentials.check(cookie), via_cookie=True)
            if keyless:
                return LOOPBACK_USER
        raise Unauthorized(
            "an API key or a player credential is required: Authorization: Bearer <key>"
        )

    def player(self, caller: Principal, key: SessionKey, named: str | None) -> str | None:
        """The player ``caller`` proves it acts as in session ``key`` (see
        :meth:`Principal.acting_as`); takes a token from that player's bucket, keyed by
        the caller too, so nobody can spend another caller's player's actions."""
        acting = caller.acting_as(named)
        self.player_buckets.take((caller.name, key, acting or ""), what="actions by this player")
        return acting


class AccessMiddleware:
    """Runs the :class:`Gatekeeper` before anything else reads the request, and marks
    every answer ``nosniff`` (a browser never reads a JSON answer as a page)."""

    def __init__(self, app: ASGIApp, gatekeeper: Gatekeeper) -> None:
        self.app = app
        self.gatekeeper = gatekeeper

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            principal = await self.gatekeeper.admit(scope)
        except GlitchcartError as exc:
            await error_response(exc)(scope, receive, marked)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, marked)
