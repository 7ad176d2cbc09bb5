"""Session keys and media refs: parsed once at the edge, trusted everywhere after.

A session key is ``namespace:id``. The namespace is ``[a-z][a-z0-9]{0,15}`` and the
id is ``[A-Za-z0-9_-]{1,64}`` (:mod:`glitchcart.core.ids`), both ASCII only, so
look-alike Unicode, path separators, dots, NUL and template braces can never get
through.

>>> key = SessionKey.parse("discord:1234567890")
>>> key.namespace, key.id, key.folder_name
('discord', '1234567890', 'discord.1234567890')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from glitchcart.core.ids import (
    GAME_ID,
    MAX_KEY_LENGTH,
    NAMESPACE,
    NAMESPACE_PATTERN,
    SESSION_ID,
    SESSION_ID_PATTERN,
)
from glitchcart.errors import InvalidInput, InvalidSessionKey

_MEDIA_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,95}\.(png|gif|mp4|webm)", re.ASCII)

MediaKind = Literal["frame", "tape", "segment", "film"]
MEDIA_KINDS: tuple[MediaKind, ...] = ("frame", "tape", "segment", "film")


@dataclass(frozen=True, order=True, slots=True)
class SessionKey:
    """The one name of a session. Build it with :meth:`parse`."""

    namespace: str
    id: str

    def __post_init__(self) -> None:
        if not (
            isinstance(self.namespace, str)
            and isinstance(self.id, str)
            and NAMESPACE.fullmatch(self.namespace)
            and SESSION_ID.fullmatch(self.id)
        ):
            raise InvalidSessionKey(
                f"invalid session key: expected namespace:id with namespace {NAMESPACE_PATTERN} "
                f"and id {SESSION_ID_PATTERN}"
            )

    @classmethod
    def parse(cls, raw: object) -> SessionKey:
        """Parse ``namespace:id``; anything else raises :class:`InvalidSessionKey`."""
        if isinstance(raw, SessionKey):
            return raw
        if not isinstance(raw, str) or len(raw) > MAX_KEY_LENGTH or raw.count(":") != 1:
            shown = repr(raw)[:40] if isinstance(raw, str) else type(raw).__name__
            raise InvalidSessionKey(f"invalid session key {shown}: expected namespace:id")
        namespace, _, ident = raw.partition(":")
        return cls(namespace, ident)

    def __str__(self) -> str:
        return f"{self.namespace}:{self.id}"

    @property
    def folder_name(self) -> str:
        """A file-system name for this key that stays distinct on case-insensitive disks.

        Uppercase letters become ``_`` + lowercase and ``_`` becomes ``__``, so
        ``web:Fox`` and ``web:fox`` never share a folder.
        """
        escaped = "".join(
            "__" if c == "_" else f"_{c.lower()}" if c.isupper() else c for c in self.id
        )
        return f"{self.namespace}.{escaped}"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A handle to a media file owned by one session.

    The session key travels with the ref; using it under another session is
    refused by :func:`glitchcart.core.resolver.check_ref`.
    """

    session: SessionKey
    kind: MediaKind
    name: str

    def __post_init__(self) -> None:
        if self.kind not in MEDIA_KINDS:
            raise InvalidInput(f"invalid media kind {self.kind!r}")
        if not isinstance(self.name, str) or not _MEDIA_NAME.fullmatch(self.name):
            raise InvalidInput("invalid media name: expected a plain file name such as 0001.png")

    def to_dict(self) -> dict[str, str]:
        return {"session": str(self.session), "kind": self.kind, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> MediaRef:
        kind = data.get("kind")
        if kind not in MEDIA_KINDS:
            raise InvalidInput(f"invalid media kind {kind!r}")
        return cls(SessionKey.parse(data.get("session")), kind, str(data.get("name")))

    def __str__(self) -> str:
        return f"{self.session}/{self.kind}/{self.name}"


def is_game_id(text: object) -> bool:
    """Whether ``text`` has the shape of a game id (1-64 ASCII letters and digits)."""
    return isinstance(text, str) and GAME_ID.fullmatch(text) is not None


def is_namespace(text: object) -> bool:
    """A session namespace: ``discord``, ``web``, ``cli``... (the part before ``:``)."""
    return isinstance(text, str) and NAMESPACE.fullmatch(text) is not None
