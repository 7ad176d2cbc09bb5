"""The HTTP API surface (FastAPI). Build it with :func:`create_app`."""

from glitchcart.http.app import create_app

__all__ = ["create_app"]
