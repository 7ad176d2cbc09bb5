"""The timers stop at once when a request has just moved a deadline (a server shutting
down right after a vote). Python 3.11's ``wait_for`` swallowed that cancel once, and
shutdown waited for the vote window's deadline."""

import asyncio
from pathlib import Path

import httpx

from glitchcart.bootstrap import open_engine
from glitchcart.core.keys import SessionKey
from glitchcart.http import create_app
from glitchcart.service.timers import DeadlineTimers
from glitchcart.settings import Settings


async def test_timers_stop_right_after_a_request_moved_a_deadline(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    key = SessionKey.parse("web:room")
    async with open_engine(settings) as engine:
        timers = DeadlineTimers(engine)
        timers.start()
        app = create_app(settings, engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            await engine.boot(key, "dust-signal", seed=7)
            await engine.join(key, "lurker")
            assert (await http.get("/healthz")).status_code == 200
            await engine.vote(key, "ann", choice=1)  # opens a window: a new deadline
        async with asyncio.timeout(10) as guard:  # a liveness guard, not a measurement
            await timers.stop()
        assert not guard.expired()
