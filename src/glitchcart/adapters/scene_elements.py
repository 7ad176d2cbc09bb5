"""The painter's element table, kept importable here; see :mod:`glitchcart.adapters.painter`."""

from glitchcart.adapters.painter.elements import (
    AIR,
    ELEMENTS,
    FAR,
    FRONT,
    GROUND,
    MID,
    NEAR,
    SKY,
    DrawFn,
    unknown,
)

__all__ = ["AIR", "ELEMENTS", "FAR", "FRONT", "GROUND", "MID", "NEAR", "SKY", "DrawFn", "unknown"]
