"""Swagger UI at ``/docs``, its scripts and styles served by this server.

FastAPI's default page loads Swagger UI from a CDN, so it is blank offline.
The assets come from the ``swagger-ui-bundle`` package (swagger-ui's ``dist``
files) and are mounted under ``/docs/assets``, as FastAPI documents for
self-hosted docs.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def add_docs(app: FastAPI, *, openapi_url: str = "/openapi.json") -> None:
    """Serve ``/docs`` and its assets from the installed package; nothing from the network."""
    folder = Path(str(swagger_ui_bundle.swagger_ui_path))
    app.mount(ASSETS, StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
