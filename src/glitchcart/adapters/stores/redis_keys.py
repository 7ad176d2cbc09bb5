"""The names of the Redis keys glitchcart writes: one place, shared by the store
and the lease.

Every key of one session is ``<prefix>:{<session key>}:<name>``: the braces are
Redis Cluster's hash tag, so all of a session's keys live in one slot and one
script can touch them together. Session keys never contain braces (they are
refused when parsed), so the tag is always the whole session key. A saved game's
pointer to the session that holds its turns is ``<prefix>:{g:<game id>}:owner``,
in the game's own slot.
"""

from __future__ import annotations

import re

from glitchcart.core.keys import SessionKey

_PLAIN = re.compile(r"[A-Za-z0-9_.-]{1,128}", re.ASCII)
_GLOB = re.compile(r"([*?\[\]\\])")


class RedisKeys:
    """Key names under one prefix (tests use a fresh prefix each)."""

    def __init__(self, prefix: str = "glitchcart") -> None:
        if "{" in prefix or "}" in prefix or not prefix:
            raise ValueError("a Redis key prefix is non-empty and has no braces")
        self.prefix = prefix

    def of(self, session: SessionKey, name: str) -> str:
        """The key ``name`` of ``session`` (``rec``, ``fence``, ``lease``, ``events``, ...)."""
        return f"{self.prefix}:{{{session}}}:{name}"

    def turns(self, session: SessionKey, game_id: str) -> str:
        """The sorted set of one game's turns while ``session`` holds the game."""
        return self.of(session, f"turns:{game_id}")

    def owner(self, game_id: str) -> str:
        """The pointer naming the session that holds a game's turns."""
        tag = game_id if _PLAIN.fullmatch(game_id) else "x" + game_id.encode().hex()
        return f"{self.prefix}:{{g:{tag}}}:owner"

    def pattern(self, name: str) -> str:
        """A SCAN pattern matching key ``name`` of every session."""
        escaped = _GLOB.sub(r"\\\1", self.prefix)
        return f"{escaped}:{{*}}:{name}"

    def session_of(self, key: str) -> SessionKey:
        """The session a key of :meth:`of` belongs to."""
        start = len(self.prefix) + 2
        return SessionKey.parse(key[start : key.index("}", start)])
