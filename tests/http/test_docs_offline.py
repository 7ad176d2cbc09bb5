"""Issue 12 item 21: /docs works offline, every asset served by the server itself."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from glitchcart.http import create_app
from support.api import api_engine, api_settings


async def test_the_docs_page_loads_nothing_from_another_host(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    app = create_app(settings, api_engine(tmp_path, settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert urls and all(u.startswith("/") for u in urls), urls  # no CDN, no other host
        assert "cdn." not in page.text
        for url in urls:
            asset = await http.get(url)
            assert asset.status_code == 200 and len(asset.content) > 100, url
        assert "swagger-ui-bundle.js" in " ".join(urls)
        assert (await http.get("/openapi.json")).status_code == 200
