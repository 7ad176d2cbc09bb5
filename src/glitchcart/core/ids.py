"""Every id pattern of glitchcart, written once.

The core (session keys, options, the roster, cartridges), the settings and the
API's wire models all check ids with these, so an id the API accepts is one the
core accepts, and a pattern changed here changes everywhere. Every pattern is
ASCII only: look-alike Unicode, path separators, NUL and braces never match.

The ``*_PATTERN`` strings are unanchored, for building other patterns and for
messages; the compiled forms are for :meth:`re.Pattern.fullmatch`; a JSON Schema
or pydantic ``pattern`` (which searches) wants :func:`anchored`.

>>> SESSION_KEY.fullmatch("discord:1234567890") is not None
True
>>> anchored(GAME_ID_PATTERN)
'^[A-Za-z0-9]{1,64}$'
"""

from __future__ import annotations

import re

MAX_NAMESPACE = 16
MAX_SESSION_ID = 64
MAX_GAME_ID = 64
MAX_PLAYER_ID = 64
MAX_NAME = 48  # a cartridge or location id, a provider's or an API key's name

# The characters of an id, for building patterns and for turning free text into one.
SESSION_ID_CHARS = "A-Za-z0-9_-"
PLAYER_ID_CHARS = "A-Za-z0-9_.-"

NAMESPACE_PATTERN = rf"[a-z][a-z0-9]{{0,{MAX_NAMESPACE - 1}}}"  # discord, web, cli
SESSION_ID_PATTERN = rf"[{SESSION_ID_CHARS}]{{1,{MAX_SESSION_ID}}}"
SESSION_KEY_PATTERN = f"{NAMESPACE_PATTERN}:{SESSION_ID_PATTERN}"
GAME_ID_PATTERN = rf"[A-Za-z0-9]{{1,{MAX_GAME_ID}}}"
# A Discord user id, a web id. It starts with a letter, digit or "_": never "." or
# ".." (read as paths) nor "-" (read as a command-line option).
PLAYER_ID_PATTERN = rf"[A-Za-z0-9_][{PLAYER_ID_CHARS}]{{0,{MAX_PLAYER_ID - 1}}}"
# Player ids that match the pattern but that other layers read as "no value" or as
# a literal (JSON null and booleans, JavaScript undefined and NaN, Python None, Lua
# and Ruby nil): a missing id serialized on the way could pass for a player. Refused
# in any case, by the core (check_player_id) and the API's wire models alike.
RESERVED_PLAYER_IDS = frozenset({"null", "undefined", "none", "nil", "nan", "true", "false"})
NAME_PATTERN = rf"[a-z][a-z0-9-]{{0,{MAX_NAME - 1}}}"
CARTRIDGE_ID_PATTERN = NAME_PATTERN
LOCATION_ID_PATTERN = NAME_PATTERN  # a place in a cartridge
PROVIDER_NAME_PATTERN = NAME_PATTERN
API_KEY_NAME_PATTERN = NAME_PATTERN

NAMESPACE = re.compile(NAMESPACE_PATTERN, re.ASCII)
SESSION_ID = re.compile(SESSION_ID_PATTERN, re.ASCII)
SESSION_KEY = re.compile(SESSION_KEY_PATTERN, re.ASCII)
GAME_ID = re.compile(GAME_ID_PATTERN, re.ASCII)
PLAYER_ID = re.compile(PLAYER_ID_PATTERN, re.ASCII)
NAME = re.compile(NAME_PATTERN, re.ASCII)
CARTRIDGE_ID = re.compile(CARTRIDGE_ID_PATTERN, re.ASCII)
PROVIDER_NAME = re.compile(PROVIDER_NAME_PATTERN, re.ASCII)
API_KEY_NAME = re.compile(API_KEY_NAME_PATTERN, re.ASCII)

MAX_KEY_LENGTH = MAX_NAMESPACE + 1 + MAX_SESSION_ID


def is_reserved_player_id(text: str) -> bool:
    """Whether ``text`` is one of :data:`RESERVED_PLAYER_IDS`, in any case."""
    return text.casefold() in RESERVED_PLAYER_IDS


def anchored(pattern: str) -> str:
    """``pattern`` matched whole, for JSON Schema and pydantic's ``pattern``."""
    return f"^{pattern}$"
