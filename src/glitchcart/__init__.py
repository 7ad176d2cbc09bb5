"""glitchcart: AI-narrated multiplayer choose-your-own-adventure games.

The public API is what ``__all__`` lists; everything else is internal. One client
serves every surface, over HTTP or with the engine in this process::

    import glitchcart

    client = glitchcart.Client(glitchcart.HttpTransport("http://127.0.0.1:8000", api_key="..."))

    settings = glitchcart.load_settings(home="/tmp/gc")
    async with glitchcart.embedded_engine(settings) as engine:
        client = glitchcart.Client(glitchcart.InProcessTransport(engine))
        await client.boot("dust-signal", session="cli:alice")

Errors are the :mod:`glitchcart.errors` tree, rooted in :class:`GlitchcartError`.

The client, the engine and the settings are imported on first use, so that
``import glitchcart`` stays cheap for the command line; type checkers see them
through the ``TYPE_CHECKING`` imports below, so ``glitchcart.Client`` is the class
and a misspelt name is an error.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from glitchcart.errors import (
    CartridgeNotFound,
    Conflict,
    Forbidden,
    GameNotFound,
    GameOver,
    GlitchcartError,
    IdempotencyMismatch,
    InvalidAction,
    InvalidCartridge,
    InvalidInput,
    InvalidSessionKey,
    LimitExceeded,
    MediaNotFound,
    NoGameRunning,
    NoSessionResolved,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    ProviderBadOutput,
    ProviderError,
    ProviderRateLimited,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    SessionMismatch,
    SessionNotFound,
    StaleVersion,
    StorageError,
    TurnResolving,
    Unauthorized,
    Unreachable,
    UnsupportedMediaType,
    WrongTurn,
)

if TYPE_CHECKING:
    from glitchcart.bootstrap import embedded_engine
    from glitchcart.client import Client, HttpTransport, InProcessTransport, Transport
    from glitchcart.core.keys import MediaRef, SessionKey
    from glitchcart.core.votes import VotingMode
    from glitchcart.service.engine import Engine
    from glitchcart.settings import Settings, load_settings

# public name -> the module that defines it (imported on first use)
_LAZY = {
    "Client": "glitchcart.client",
    "HttpTransport": "glitchcart.client",
    "InProcessTransport": "glitchcart.client",
    "Transport": "glitchcart.client",
    "embedded_engine": "glitchcart.bootstrap",
    "Engine": "glitchcart.service.engine",
    "Settings": "glitchcart.settings",
    "load_settings": "glitchcart.settings",
    "SessionKey": "glitchcart.core.keys",
    "MediaRef": "glitchcart.core.keys",
    "VotingMode": "glitchcart.core.votes",
}

if not TYPE_CHECKING:  # hidden from type checkers: they read the imports above

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'glitchcart' has no attribute {name!r}")
        value = getattr(import_module(module), name)
        globals()[name] = value  # the next lookup is a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


__all__ = [
    "CartridgeNotFound",
    "Client",
    "Conflict",
    "Engine",
    "Forbidden",
    "GameNotFound",
    "GameOver",
    "GlitchcartError",
    "HttpTransport",
    "IdempotencyMismatch",
    "InProcessTransport",
    "InvalidAction",
    "InvalidCartridge",
    "InvalidInput",
    "InvalidSessionKey",
    "LimitExceeded",
    "MediaNotFound",
    "MediaRef",
    "NoGameRunning",
    "NoSessionResolved",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "ProviderBadOutput",
    "ProviderError",
    "ProviderRateLimited",
    "ProviderRefused",
    "ProviderTimeout",
    "ProviderUnavailable",
    "RateLimited",
    "SessionKey",
    "SessionMismatch",
    "SessionNotFound",
    "Settings",
    "StaleVersion",
    "StorageError",
    "Transport",
    "TurnResolving",
    "Unauthorized",
    "Unreachable",
    "UnsupportedMediaType",
    "VotingMode",
    "WrongTurn",
    "embedded_engine",
    "load_settings",
]
