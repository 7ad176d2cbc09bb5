"""The offline painter, kept importable here; it lives in :mod:`glitchcart.adapters.painter`."""

from glitchcart.adapters.painter.canvas import PIXEL
from glitchcart.adapters.painter.offline import (
    ALIASES,
    MAX_ELEMENTS,
    MAX_PIXELS,
    OfflinePainter,
    compose,
    element_names,
    render,
)

__all__ = [
    "ALIASES",
    "MAX_ELEMENTS",
    "MAX_PIXELS",
    "PIXEL",
    "OfflinePainter",
    "compose",
    "element_names",
    "render",
]
