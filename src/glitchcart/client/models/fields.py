"""The wire's building blocks: id patterns, constrained field types, and the base models.

Every answer and request body derives from :class:`Wire`; request bodies from
:class:`Request`, so numbers and flags are never coerced from other JSON types.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from glitchcart.core import ids
from glitchcart.core.names import MAX_DISPLAY_NAME
from glitchcart.core.tape import MAX_TURN

KEY_PATTERN = ids.anchored(ids.SESSION_KEY_PATTERN)
NAMESPACE_PATTERN = ids.anchored(ids.NAMESPACE_PATTERN)
PLAYER_PATTERN = ids.anchored(ids.PLAYER_ID_PATTERN)
GAME_ID_PATTERN = ids.anchored(ids.GAME_ID_PATTERN)
CARTRIDGE_PATTERN = ids.anchored(ids.CARTRIDGE_ID_PATTERN)
PROVIDER_PATTERN = ids.anchored(ids.PROVIDER_NAME_PATTERN)
FRAME_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,95}\.(png|gif)$"  # gif: a flipbook
TAPE_NAME_PATTERN = (
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}-tape-[0-9]{5,8}-[0-9]{5,8}-[0-9a-f]{10}\.(gif|mp4)$"
)
TEXT_FORMAT = "action-text"  # printable text; its longest length is a server setting


def _not_reserved(player_id: str) -> str:
    """A player id that is not one of :data:`glitchcart.core.ids.RESERVED_PLAYER_IDS`."""
    if ids.is_reserved_player_id(player_id):
        raise ValueError(f"player id {player_id!r} is reserved")
    return player_id


NOT_RESERVED = AfterValidator(_not_reserved)
PLAYER_DESCRIPTION = (
    "a player id; never " + ", ".join(sorted(ids.RESERVED_PLAYER_IDS)) + " (any case)"
)
PlayerId = Annotated[
    str, Field(pattern=PLAYER_PATTERN, description=PLAYER_DESCRIPTION), NOT_RESERVED
]
DisplayName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_DISPLAY_NAME, description="shown to others; escaped there"),
]
ProviderName = Annotated[str, Field(pattern=PROVIDER_PATTERN)]
Text = Annotated[
    str,
    Field(min_length=1, max_length=4000, pattern=r"\S", json_schema_extra={"format": TEXT_FORMAT}),
]


def _whole(value: object) -> object:
    """A JSON integer (``2`` or ``2.0``), never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("expected an integer")
        return int(value)
    return value


Flag = Annotated[bool, Strict()]
ChoiceNumber = Annotated[int, Field(ge=1, le=99), BeforeValidator(_whole)]
Seed = Annotated[int, Field(ge=0, le=2**53 - 1), BeforeValidator(_whole)]  # exact in JSON
TurnNumber = Annotated[int, Field(ge=0, le=MAX_TURN), BeforeValidator(_whole)]
TapeFormat = Literal["gif", "mp4"]
TapeContentType = Literal["image/gif", "video/mp4"]
TAPE_CONTENT_TYPES: dict[str, TapeContentType] = {"gif": "image/gif", "mp4": "video/mp4"}


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Request(Wire):
    """A request body. Numbers and flags are not coerced from other JSON types."""
