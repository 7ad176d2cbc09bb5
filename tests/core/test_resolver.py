import asyncio

import pytest

from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.core.resolver import bound_session, check_ref, resolve_session
from glitchcart.errors import NoSessionResolved, SessionMismatch

A = SessionKey.parse("web:alpha")
B = SessionKey.parse("web:beta")
C = SessionKey.parse("discord:42")


def test_nothing_resolved_is_an_error() -> None:
    with pytest.raises(NoSessionResolved):
        resolve_session()


def test_explicit_wins_over_context() -> None:
    with bound_session(C):
        assert resolve_session("web:alpha") == A


def test_ref_session_used_when_no_explicit() -> None:
    with bound_session(C):
        assert resolve_session(ref=MediaRef(B, "frame", "x.png")) == B


def test_context_used_last() -> None:
    with bound_session("web:beta"):
        assert resolve_session() == B
    with pytest.raises(NoSessionResolved):
        resolve_session()


def test_ref_of_another_session_is_refused_not_followed() -> None:
    with pytest.raises(SessionMismatch):
        resolve_session(A, ref=MediaRef(B, "frame", "x.png"))
    with pytest.raises(SessionMismatch):
        check_ref(MediaRef(B, "frame", "x.png"), A)


def test_explicit_key_is_validated() -> None:
    with pytest.raises(Exception, match="invalid session key"):
        resolve_session("web:../x")


async def test_context_does_not_leak_between_tasks() -> None:
    seen: dict[str, SessionKey] = {}

    async def worker(key: SessionKey) -> None:
        with bound_session(key):
            await asyncio.sleep(0)
            seen[key.id] = resolve_session()

    await asyncio.gather(worker(A), worker(B), worker(C))
    assert seen == {"alpha": A, "beta": B, "42": C}
