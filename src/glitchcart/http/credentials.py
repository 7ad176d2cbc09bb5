"""Player credentials: issued by the server to one player of one namespace.

A credential is the player's namespace and id, when it was issued and until when
it holds, signed with the server's secret by :mod:`itsdangerous` (HMAC-SHA1 over a
derived key, as Starlette's signed-cookie sessions). It travels as a bearer token
(``Authorization: Bearer gcp.<...>``) or, for a web page, as the httpOnly,
SameSite=Strict cookie :data:`COOKIE` holding the same token. The API derives the
acting player from it; a body naming another player is refused (:mod:`.access`).

Revoking a player refuses every credential issued to them until then; the time is
kept by a :class:`~glitchcart.ports.Revocations` store shared by every process.

>>> token, credential = credentials.issue("web", "alice")
>>> await credentials.check(token)   # the credential, or Unauthorized
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from glitchcart.core.keys import is_namespace
from glitchcart.core.names import check_player_id
from glitchcart.errors import InvalidInput, Unauthorized
from glitchcart.ports import Revocations

PREFIX = "gcp."  # tells a player token from an API key at a glance
COOKIE = "glitchcart_player"
_SALT = "glitchcart.player-credential"


@dataclass(frozen=True, slots=True)
class PlayerCredential:
    namespace: str
    player: str
    issued_at: float
    expires_at: float


class Credentials:
    """Issues, checks and revokes player credentials. ``now`` is wall-clock seconds."""

    def __init__(
        self,
        secret: str,
        revocations: Revocations,
        now: Callable[[], float],
        lifetime: float,
    ) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)
        self.revocations = revocations
        self._now = now
        self.lifetime = lifetime

    def issue(self, namespace: str, player: str) -> tuple[str, PlayerCredential]:
        """A new credential for ``player`` of ``namespace``, and its token."""
        if not is_namespace(namespace):
            raise InvalidInput(f"{namespace!r} is not a namespace")
        check_player_id(player)
        now = self._now()
        credential = PlayerCredential(namespace, player, now, now + self.lifetime)
        payload = [namespace, player, credential.issued_at, credential.expires_at]
        return PREFIX + str(self._serializer.dumps(payload)), credential

    async def check(self, token: str) -> PlayerCredential:
        """The credential ``token`` carries; :class:`Unauthorized` if it is forged,
        expired or revoked."""
        if not token.startswith(PREFIX):
            raise Unauthorized("not a player credential")
        try:
            namespace, player, issued_at, expires_at = self._serializer.loads(token[len(PREFIX) :])
        except (BadSignature, ValueError, TypeError) as exc:
            raise Unauthorized("this player credential is not valid") from exc
        credential = PlayerCredential(str(namespace), str(player), issued_at, expires_at)
        if not isinstance(issued_at, float | int) or not isinstance(expires_at, float | int):
            raise Unauthorized("this player credential is not valid")
        if expires_at <= self._now():
            raise Unauthorized("this player credential has expired; ask for a new one")
        revoked = await self.revocations.revoked_at(credential.namespace, credential.player)
        if revoked is not None and credential.issued_at <= revoked:
            raise Unauthorized("this player credential was revoked")
        return credential

    async def revoke(self, namespace: str, player: str) -> None:
        """Refuse every credential issued to ``player`` of ``namespace`` until now."""
        await self.revocations.revoke(namespace, player, self._now())


def _credential(payload: object) -> PlayerCredential:
    """The credential a signed payload holds (signed by us, so only a payload of an
    older shape can fail here)."""
    match payload:
        case [str(namespace), str(player), float() | int() as issued, float() | int() as expires]:
            return PlayerCredential(namespace, player, float(issued), float(expires))
    raise Unauthorized("this player credential is not valid")
