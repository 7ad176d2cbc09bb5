"""The offline painter, one concern per module.

:mod:`.canvas` holds the drawing primitives; :mod:`.landscape`, :mod:`.structures`,
:mod:`.props` and :mod:`.air` draw the scene elements that :mod:`.elements`
joins into one table; :mod:`.backdrop` lays the sky, ground or room;
:mod:`.effects` finishes the frame; :mod:`.offline` composes it all.
"""
