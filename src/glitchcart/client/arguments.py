"""A caller's arguments made ready for a transport: request models built (a validation
failure is the project's :class:`InvalidInput`) and wire refs turned back into refs.
Shared by :class:`~glitchcart.client.Client` and its namespaces (``client.tapes``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from glitchcart.client.models import MediaRefOut
from glitchcart.client.problems import invalid_input
from glitchcart.core.keys import MediaRef, SessionKey

T = TypeVar("T")
SessionArg = SessionKey | str | None


def build_request(make: Callable[[], T]) -> T:
    """Build a request model; a validation failure is the project's InvalidInput."""
    try:
        return make()
    except ValidationError as exc:
        raise invalid_input(exc) from None


def media_ref(ref: MediaRefOut) -> MediaRef:
    return MediaRef.from_dict({"session": ref.session, "kind": ref.kind, "name": ref.name})
