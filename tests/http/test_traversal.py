"""Path-traversal payloads in session keys and frame and tape refs, sent verbatim to a real
server: encoded, double-encoded, backslashes, NUL, look-alike Unicode. Each is
refused (404 or 422) and nothing on disk is read or touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glitchcart.core.keys import SessionKey
from glitchcart.http import create_app
from support.engines import make_engine
from support.raw_http import raw_request
from support.rigs import CARTS, unlimited
from support.servers import serving
from support.tapes import add_tapes

KEY_PAYLOADS = [
    "..",
    "..%2F..%2Fsecret.txt",
    "web:..%2F..%2Fsecret.txt",
    "%2e%2e%2f%2e%2e%2fsecret.txt",
    "web:%2e%2e",
    "web:%252e%252e%252fsecret.txt",
    "%252e%252e%252f%252e%252e%252fsecret.txt",
    "web:..%5C..%5Csecret.txt",
    "web:..\\..\\secret.txt",
    "web:a%00b",
    "web:ok%00",
    "web%3Aok%2F..%2F..",
    "web:%EF%BD%8F%EF%BD%8B",  # fullwidth "ok"
    "WEB:ok",
    "web:{ok}",
    "web:" + "a" * 65,
]
REF_PAYLOADS = [
    "..%2F..%2F..%2Fsecret.txt",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "%252e%252e%252f%252e%252e%252fsecret.txt",
    "..%5C..%5C..%5Csecret.txt",
    "..\\..\\..\\secret.txt",
    "g1-00000.png%00.txt",
    "%00",
    "....%2F%2F....%2F%2Fsecret.txt",
    "%2e%2e",
    "g1-00000.PNG%2F..",
    "g1%E2%80%A400000.png",  # one-dot leader, looks like a dot
]
SUFFIXES = ["", "/frames/g1-00000.png", "/history", "/events", "/votes", "/tapes"]


def tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
async def server(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "secret.txt").write_text("do not read me")
    data = tmp_path / "data"
    engine = make_engine(data, cartridges=CARTS)
    add_tapes(engine)
    await engine.boot(SessionKey.parse("web:ok"), "mini", seed=1)
    await engine.boot(SessionKey.parse("web:other"), "mini", seed=2)
    async with serving(create_app(unlimited(engine.settings), engine)) as base_url:
        yield base_url, tmp_path


async def test_keys_that_try_to_leave_their_folder_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    base_url, root = server
    before = tree(root)
    for payload in KEY_PAYLOADS:
        for suffix in SUFFIXES:
            for method, body in (("GET", b""), ("PUT", b'{"cartridge": "mini"}')):
                if method == "PUT" and suffix:
                    method = "POST"
                    body = b'{"player": "ann", "choice": 1}'
                target = f"/v1/sessions/{payload}{suffix}"
                status, _, content = await raw_request(
                    base_url,
                    method,
                    target,
                    body=body,
                    headers={"Content-Type": "application/json"} if body else None,
                )
                assert status in (400, 404, 405, 422), (target, status, content)
                if status != 400:  # a 400 comes from the HTTP parser itself, before the app
                    detail = json.loads(content)["detail"]
                    assert str(root) not in detail and "do not read me" not in detail
    assert tree(root) == before


async def test_frame_refs_that_try_to_leave_their_folder_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    base_url, root = server
    before = tree(root)
    for payload in REF_PAYLOADS:
        for kind in ("frames", "tapes"):
            target = f"/v1/sessions/web:ok/{kind}/{payload}"
            status, _, content = await raw_request(base_url, "GET", target)
            assert status in (400, 404, 422), (target, status, content)
            assert b"do not read me" not in content
    assert tree(root) == before


async def test_a_frame_of_another_session_is_not_found_here(server) -> None:  # type: ignore[no-untyped-def]
    base_url, _ = server
    ok, headers, png = await raw_request(base_url, "GET", "/v1/sessions/web:ok/frames/g1-00000.png")
    assert ok == 200 and headers["content-type"] == "image/png" and png.startswith(b"\x89PNG")
    status, headers, content = await raw_request(
        base_url, "GET", "/v1/sessions/web:ok/frames/g2-00000.png"
    )
    assert status == 404 and headers["content-type"] == "application/problem+json"
    assert json.loads(content)["code"] == "MediaNotFound"
    own, _, _ = await raw_request(base_url, "GET", "/v1/sessions/web:other/frames/g2-00000.png")
    assert own == 200
