"""A painter on an OpenAI-compatible image model: ``POST {base_url}/images/generations``.

The prompt comes from the scene, the cartridge's art style and palette, and the
previous frame's description of the same game (for continuity), and always
passes the content filter (:func:`~glitchcart.core.picture_prompt.picture_prompt`),
so gore and real people never reach the image model.

The server may answer with ``b64_json`` or with a ``url``. A URL is fetched only
from the very host of ``base_url`` (same scheme, host and port, no redirects),
so a reply can't make the process fetch from anywhere else. The image is
checked by decoding it, cropped to the frame's aspect, resized and re-encoded
as PNG in a worker thread. A refusal is :class:`ProviderRefused`; the chain turns
it into the "signal lost" frame.

    painter = OpenAIPainter(HttpProvider(config, http), caller, meter)
    png = await painter.paint(request)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
from collections import OrderedDict
from typing import Any

import httpx
from PIL import Image, ImageOps

from glitchcart.adapters.providers.metering import Meter, Usage
from glitchcart.adapters.providers.openai.chat import HttpProvider, read_limited
from glitchcart.adapters.providers.openai.narrator import schedule_key
from glitchcart.adapters.providers.resilient import ProviderCaller
from glitchcart.core.picture_prompt import picture_prompt
from glitchcart.errors import ProviderBadOutput, ProviderRefused
from glitchcart.ports import PaintRequest

MAX_IMAGE_BYTES = 24_000_000
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_GAMES = 10_000


class OpenAIPainter:
    """Frames from one image provider."""

    def __init__(
        self,
        client: HttpProvider,
        caller: ProviderCaller,
        meter: Meter,
        *,
        size: str | None = None,
    ) -> None:
        self.client = client
        self.caller = caller
        self.meter = meter
        self.size = size or client.config.image_size
        self.name = client.name
        self._previous: OrderedDict[str, str] = OrderedDict()  # game id -> last frame's scene

    def available(self) -> bool:
        return self.caller.available()

    def prompt_for(self, request: PaintRequest) -> str:
        scene = request.scene
        previous = self._previous.get(request.game_id) if request.game_id else None
        return picture_prompt(
            request.cartridge,
            location=scene.location,
            time_of_day=scene.time_of_day,
            elements=scene.elements,
            description=scene.description,
            mood=scene.mood,
            chaos=scene.chaos,
            previous=previous,
        )

    async def paint(self, request: PaintRequest) -> bytes:
        body = {
            "model": self.client.config.model,
            "prompt": self.prompt_for(request),
            "n": 1,
            "size": self.size,
            "response_format": "b64_json",
        }

        async def attempt() -> bytes:
            async with self.client.request("POST", "/images/generations", body) as response:
                data = await self.client.read_json(response, limit=MAX_IMAGE_BYTES)
            self.meter.charge(
                Usage(images=1),
                provider=self.name,
                session=request.session,
                game_id=request.game_id,
            )
            raw = await self._image_bytes(data)
            return await asyncio.to_thread(fit_png, raw, request.width, request.height, self.name)

        png = await self.caller.call(schedule_key(request.session), attempt)
        if request.game_id is not None:
            self._previous.pop(request.game_id, None)
            self._previous[request.game_id] = request.scene.description
            while len(self._previous) > MAX_GAMES:
                self._previous.popitem(last=False)
        return png

    async def _image_bytes(self, data: dict[str, Any]) -> bytes:
        try:
            item = data["data"][0]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderBadOutput(f"provider {self.name}: reply has no image") from exc
        if not isinstance(item, dict):
            raise ProviderBadOutput(f"provider {self.name}: reply has no image")
        if isinstance(item.get("b64_json"), str):
            try:
                return base64.b64decode(item["b64_json"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ProviderBadOutput(f"provider {self.name}: image is not base64") from exc
        url = item.get("url")
        if isinstance(url, str):
            return await self._fetch(url)
        raise ProviderRefused(f"provider {self.name}: no image in the reply")

    async def _fetch(self, url: str) -> bytes:
        base = httpx.URL(self.client.base)
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise ProviderBadOutput(f"provider {self.name}: bad image url") from exc
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise ProviderBadOutput(f"provider {self.name}: image url on another host refused")
        async with self.client.request("GET", str(target)) as response:
            return await read_limited(response, MAX_IMAGE_BYTES, self.name)


def fit_png(raw: bytes, width: int, height: int, name: str = "painter") -> bytes:
    """Decode ``raw`` (any format Pillow reads), crop to ``width:height``, resize, save PNG."""
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise ProviderBadOutput(f"provider {name}: image too large")
            image = probe.convert("RGB")
        fitted = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        fitted.save(out, format="PNG", optimize=False, compress_level=3)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ProviderBadOutput(f"provider {name}: the image could not be decoded") from exc
    return out.getvalue()
