"""Ports: the Protocols the service talks to; adapters implement them.

One module per kind of port (:mod:`.providers`, :mod:`.storage`, :mod:`.events`,
:mod:`.leases`); this package is their one public face: import from ``glitchcart.ports``.

Every port is async and every call may fail with a :class:`GlitchcartError`
(providers with :class:`ProviderError`, stores with :class:`StorageError`), so
an offline adapter and a remote one are interchangeable.
"""

from __future__ import annotations

from glitchcart.ports.events import (
    EPHEMERAL_KINDS,
    Event,
    EventBus,
    EventLog,
    EventPage,
    NewEvent,
)
from glitchcart.ports.leases import (
    Clock,
    Lease,
    SessionLease,
)
from glitchcart.ports.providers import (
    ChoiceRequest,
    Filmmaker,
    Narration,
    NarrationRequest,
    Narrator,
    Painter,
    PaintRequest,
    PrologueRequest,
    Scene,
    SegmentRequest,
)
from glitchcart.ports.storage import (
    CartridgeSource,
    GameSummary,
    MediaStore,
    Revocations,
    SessionStore,
    SessionSummary,
)

__all__ = [
    "EPHEMERAL_KINDS",
    "CartridgeSource",
    "ChoiceRequest",
    "Clock",
    "Event",
    "EventBus",
    "EventLog",
    "EventPage",
    "Filmmaker",
    "GameSummary",
    "Lease",
    "MediaStore",
    "Narration",
    "NarrationRequest",
    "Narrator",
    "NewEvent",
    "PaintRequest",
    "Painter",
    "PrologueRequest",
    "Revocations",
    "Scene",
    "SegmentRequest",
    "SessionLease",
    "SessionStore",
    "SessionSummary",
]
