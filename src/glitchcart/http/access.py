"""Who may call the API, on which sessions, doing what, and how often.

API keys come from settings; each key is limited to session namespaces (a key
for ``discord`` gets 403 on ``web:*``) and to a role (``play``; ``admin`` also
exits sessions and loads and deletes games). With no keys configured the server
answers loopback clients only, as an ``admin`` of every namespace; and
:func:`check_bind` refuses to start it on any other address.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from glitchcart.core.keys import SessionKey
from glitchcart.errors import Forbidden, GlitchcartError, InvalidInput, Unauthorized
from glitchcart.http.limits import TokenBuckets
from glitchcart.http.problem import error_response
from glitchcart.settings import Settings

Role = Literal["play", "admin"]
PUBLIC_PREFIX = "/v1/"  # the API proper; health, schema and docs need no key


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a request: a configured key, or the loopback user."""

    name: str
    role: Role
    namespaces: frozenset[str]
    rate: float | None = None

    def may_touch(self, namespace: str) -> bool:
        return "*" in self.namespaces or namespace in self.namespaces

    def check_session(self, key: SessionKey) -> SessionKey:
        if not self.may_touch(key.namespace):
            raise Forbidden(f"this API key may not touch sessions of namespace {key.namespace!r}")
        return key

    def check_admin(self) -> None:
        if self.role != "admin":
            raise Forbidden("this needs an admin API key")


LOOPBACK_USER = Principal("loopback", "admin", frozenset({"*"}))


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to serve a non-loopback address without API keys."""
    if not settings.api_keys and not is_loopback(host):
        raise InvalidInput(
            f"refusing to serve on {host} without API keys: anyone who can reach it could "
            "play or delete every session. Set GLITCHCART_API_KEYS (see the README), "
            "or bind 127.0.0.1."
        )


class Gatekeeper:
    """Authenticates a request and takes a token from its key's bucket."""

    def __init__(self, settings: Settings, now: Callable[[], float]) -> None:
        self._keys = {
            _digest(k.key.get_secret_value()): Principal(
                k.name, k.role, frozenset(k.namespaces), k.rate
            )
            for k in settings.api_keys
        }
        self.key_buckets = TokenBuckets(settings.api_rate, settings.api_burst, now)
        self.player_buckets = TokenBuckets(settings.player_rate, settings.player_burst, now)

    def admit(self, scope: Scope) -> Principal | None:
        """The caller of ``scope``; None for a public path. Raises if refused."""
        if not self._keys:
            client = scope.get("client") or ("", 0)
            if not is_loopback(str(client[0])):
                raise Forbidden("this server has no API keys, so it answers loopback clients only")
            principal = LOOPBACK_USER
        elif not scope["path"].startswith(PUBLIC_PREFIX):
            return None
        else:
            principal = self._authenticate(scope)
        if not scope["path"].startswith(PUBLIC_PREFIX):
            return None
        self.key_buckets.take(principal.name, principal.rate)
        return principal

    def _authenticate(self, scope: Scope) -> Principal:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    break
                principal = self._keys.get(_digest(token.strip()))
                if principal is None:
                    raise Unauthorized("unknown API key")
                return principal
        raise Unauthorized("an API key is required: Authorization: Bearer <key>")

    def player(self, key: SessionKey, player: str | None) -> None:
        """Take a token from the bucket of one player of one session."""
        self.player_buckets.take((key, player or ""), what="actions by this player")


class AccessMiddleware:
    """Runs the :class:`Gatekeeper` before anything else reads the request."""

    def __init__(self, app: ASGIApp, gatekeeper: Gatekeeper) -> None:
        self.app = app
        self.gatekeeper = gatekeeper

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            principal = self.gatekeeper.admit(scope)
        except GlitchcartError as exc:
            await error_response(exc)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)
