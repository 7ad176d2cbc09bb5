"""Issue 12 item 7: a bad move gets one plain sentence, in process and over HTTP alike."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from glitchcart.client import Client, InProcessTransport
from glitchcart.core.keys import SessionKey
from glitchcart.errors import InvalidInput
from glitchcart.http import create_app
from support.api import ADMIN_KEY, api_engine, api_settings, bearer

ROOM = "web:room"
PYDANTIC_WORDS = ("Input should", "String should", "validation error", "ChoiceVote", "ActionVote")


def plain(message: str) -> str:
    for words in PYDANTIC_WORDS:
        assert words not in message, message
    assert ";" not in message and "\n" not in message, message
    return message


async def test_in_process_errors_are_plain_sentences(tmp_path: Path) -> None:
    engine = api_engine(tmp_path)
    await engine.boot(SessionKey.parse(ROOM), "mini", seed=1)
    client = Client(InProcessTransport(engine))
    with pytest.raises(InvalidInput) as zero:
        await client.vote("ann", choice=0, turn=1, session=ROOM)
    assert plain(str(zero.value)) == "choice must be 1 or more"
    with pytest.raises(InvalidInput) as long:
        await client.vote("ann", action="x" * 5000, turn=1, session=ROOM)
    assert plain(str(long.value)) == "action is too long (at most 4000 characters)"


async def test_a_bad_vote_over_http_is_one_sentence_for_the_shape_meant(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    engine = api_engine(tmp_path, settings)
    await engine.boot(SessionKey.parse(ROOM), "mini", seed=1)
    transport = httpx.ASGITransport(app=create_app(settings, engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        answer = await http.post(
            f"/v1/sessions/{ROOM}/votes",
            json={"player": "ann", "choice": 0, "turn": 1},
            headers=bearer(ADMIN_KEY),
        )
    assert answer.status_code == 422
    assert plain(answer.json()["detail"]) == "choice must be 1 or more"
    await engine.drain()
