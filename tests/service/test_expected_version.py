"""A direct turn may name the version it was computed from (HTTP If-Match)."""

from pathlib import Path

import pytest

from glitchcart.core.keys import SessionKey
from glitchcart.errors import PreconditionFailed, StaleVersion
from support.engines import make_engine

KEY = SessionKey.parse("web:if-match")


async def test_a_stale_expected_version_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    await engine.boot(KEY, "mini", seed=3)
    version = (await engine.snapshot(KEY)).version
    turn = await engine.choose(KEY, 1, expected_version=version)
    assert turn.turn == 1
    for move in (
        lambda: engine.choose(KEY, 1, expected_version=version),
        lambda: engine.act(KEY, "wave", expected_version=version),
        lambda: engine.tick(KEY, expected_version=version),
        lambda: engine.hesitate(KEY, expected_version=version),
    ):
        with pytest.raises(PreconditionFailed) as caught:
            await move()
        assert isinstance(caught.value, StaleVersion)
    snap = await engine.snapshot(KEY)
    assert snap.state is not None and snap.state.turn == 1
    assert (await engine.tick(KEY, expected_version=snap.version)).turn == 2
