"""What a session chooses for itself: its model providers and its media modes.

Each option is ``None`` until the session sets it, and ``None`` means "the
server's default" (the cartridge's preferred providers, then the settings'
chains; the settings' ``flipbook`` and ``video`` switches). Options are stored
in the session record, so every process serving the session honours them and
they survive a restart and a new game::

    options = SessionOptions().merge({"providers": ["local", "offline"], "video": True})
    options.merge({"video": None})           # back to the server's default
    options.wants_video(default=False)       # True

Provider names are checked here for shape only; whether a name is configured
is the engine's question (it knows the process's providers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from glitchcart.core.ids import PROVIDER_NAME, PROVIDER_NAME_PATTERN
from glitchcart.errors import InvalidInput

MAX_PROVIDERS = 8
OFFLINE = "offline"  # the built-in narrator and painter; always available


@dataclass(frozen=True, slots=True)
class SessionOptions:
    providers: tuple[str, ...] | None = None  # model providers by name, best first
    flipbook: bool | None = None  # each turn's picture a short animated GIF
    video: bool | None = None  # a film clip per turn, a film at death

    def merge(self, changes: Mapping[str, Any]) -> SessionOptions:
        """These options with ``changes`` applied (a JSON merge patch: None resets one).

        Unknown names and ill-shaped values raise :class:`InvalidInput`; nothing
        is applied then.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InvalidInput(f"unknown session option(s): {', '.join(unknown)}")
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if value is None:
                checked[name] = None
            elif name == "providers":
                checked[name] = check_provider_names(value)
            elif isinstance(value, bool):
                checked[name] = value
            else:
                raise InvalidInput(f"{name}: must be true, false or null")
        return replace(self, **checked)

    def wants_flipbook(self, *, default: bool) -> bool:
        return default if self.flipbook is None else self.flipbook

    def wants_video(self, *, default: bool) -> bool:
        return default if self.video is None else self.video

    def to_dict(self) -> dict[str, Any]:
        return {
            "providers": list(self.providers) if self.providers is not None else None,
            "flipbook": self.flipbook,
            "video": self.video,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> SessionOptions:
        return cls().merge(d or {})


def check_provider_names(value: Any) -> tuple[str, ...]:
    """A non-empty list of distinct provider names, best first."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInput("providers: must be a list of provider names")
    if not 1 <= len(value) <= MAX_PROVIDERS:
        raise InvalidInput(f"providers: name 1 to {MAX_PROVIDERS} providers")
    for i, name in enumerate(value):
        if not isinstance(name, str) or not PROVIDER_NAME.fullmatch(name):
            raise InvalidInput(f"providers[{i}]: must match {PROVIDER_NAME_PATTERN}")
    if len(set(value)) != len(value):
        raise InvalidInput("providers: a name is listed twice")
    return tuple(value)
