"""The image-model painter over real HTTP, and the "signal lost" frame."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from glitchcart.adapters.providers.chain import ChainPainter
from glitchcart.adapters.providers.metering import Meter
from glitchcart.adapters.providers.openai.painter import fit_png
from glitchcart.adapters.providers.signal_lost import render_signal_lost
from glitchcart.core.keys import SessionKey
from glitchcart.errors import ProviderBadOutput, ProviderRefused
from support.cartridges import mini_cartridge
from support.fake_openai import FakeOpenAI, Reply, tiny_png
from support.model_stack import paint_request, painter_for


def size_of(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


async def test_b64_image_becomes_a_png_of_the_frame_size() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        config = server.config("paint", "image", price_per_image=0.04)
        meter = Meter({"paint": config})
        painter = painter_for(config, http, meter)
        png = await painter.paint(paint_request())
        assert size_of(png) == (160, 90)
        body = server.requests[-1].json
        assert server.requests[-1].path == "/v1/images/generations"
        assert body["model"] == "fake-image" and body["size"] == "1024x1024"
        assert body["response_format"] == "b64_json"
        assert body["prompt"].startswith("found-footage. The hall at dusk")
        assert meter.session(SessionKey.parse("web:alpha")).cost == pytest.approx(0.04)


async def test_a_url_on_the_same_host_is_fetched() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("images", Reply(image="url"))
        painter = painter_for(server.config("paint", "image"), http, Meter({}))
        assert size_of(await painter.paint(paint_request())) == (160, 90)
        assert server.requests[-1].path == "/v1/files/f.png"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://example.com/frame.png",
        "https://127.0.0.1:{port}/v1/files/f.png",
        "http://127.0.0.1:1/v1/files/f.png",
    ],
)
async def test_a_url_anywhere_else_is_refused_without_fetching(url: str) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        bad = Reply(image_url=url.format(port=server.port))
        server.script("images", bad, bad, bad)
        painter = painter_for(server.config("paint", "image"), http, Meter({}))
        with pytest.raises(ProviderBadOutput, match="another host"):
            await painter.paint(paint_request())
        assert all(r.path != "/v1/files/f.png" for r in server.requests)


async def test_the_prompt_is_filtered_and_carries_the_previous_frame() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        painter = painter_for(server.config("paint", "image"), http, Meter({}))
        await painter.paint(paint_request(description="A bloody corpse, photo of Tom Hanks."))
        first = server.requests[-1].json["prompt"]
        assert "bloody" not in first and "corpse" not in first and "Hanks" not in first
        await painter.paint(paint_request(description="The yard at night."))
        second = server.requests[-1].json["prompt"]
        assert "previous frame: A dark still shape." in second
        await painter.paint(paint_request(game_id="g2", description="Elsewhere."))
        assert "previous frame" not in server.requests[-1].json["prompt"]


async def test_a_refused_image_is_a_refusal() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("images", Reply(status=400, error_code="content_policy_violation"))
        painter = painter_for(server.config("paint", "image"), http, Meter({}))
        with pytest.raises(ProviderRefused):
            await painter.paint(paint_request())
        assert server.count("images") == 1


async def test_an_image_that_is_not_an_image_is_bad_output() -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        junk = Reply(body=b'{"data": [{"b64_json": "aGVsbG8="}]}')
        server.script("images", junk, junk, junk)
        painter = painter_for(server.config("paint", "image"), http, Meter({}))
        with pytest.raises(ProviderBadOutput):
            await painter.paint(paint_request())


@pytest.mark.parametrize(
    "failure",
    [Reply(status=400, error_code="content_policy_violation"), Reply(status=500), Reply(hang=True)],
)
async def test_the_chain_paints_signal_lost_instead_of_a_hole(failure: Reply) -> None:
    async with FakeOpenAI() as server, httpx.AsyncClient() as http:
        server.script("images", failure, failure, failure)
        config = server.config("paint", "image", timeout=0.2)
        chain = ChainPainter([painter_for(config, http, Meter({}))], Meter({}))
        png = await chain.paint(paint_request())
        assert size_of(png) == (160, 90)
        assert chain.lost == 1
        assert png == render_signal_lost(mini_cartridge(), 160, 90, 11)


def test_signal_lost_is_deterministic_and_sized() -> None:
    cart = mini_cartridge()
    first = render_signal_lost(cart, 512, 288, 3)
    assert first == render_signal_lost(cart, 512, 288, 3)
    assert first != render_signal_lost(cart, 512, 288, 4)
    assert size_of(first) == (512, 288)
    assert size_of(render_signal_lost(cart, 20, 20, 1)) == (20, 20)


def test_fit_png_crops_to_the_frame_aspect() -> None:
    assert size_of(fit_png(tiny_png(size=(300, 300)), 160, 90)) == (160, 90)
    with pytest.raises(ProviderBadOutput):
        fit_png(b"GIF89a not really", 160, 90)
