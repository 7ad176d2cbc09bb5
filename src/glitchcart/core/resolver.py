"""The one rule that decides which session a call is about.

Order: an explicit session argument, then the session a ref carries, then the
session bound in the current context (:func:`bound_session`). There is no
default: if none of them names a session, :class:`NoSessionResolved` is raised.
A ref whose session differs from the resolved session is refused with
:class:`SessionMismatch`, never followed.

>>> key = SessionKey.parse("cli:alice")
>>> with bound_session(key):
...     resolve_session() == key
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from glitchcart.core.keys import MediaRef, SessionKey
from glitchcart.errors import NoSessionResolved, SessionMismatch

# Convenience only: the resolver below is the one place that reads it.
_current: ContextVar[SessionKey | None] = ContextVar("glitchcart_session", default=None)


@contextmanager
def bound_session(key: SessionKey | str) -> Iterator[SessionKey]:
    """Bind ``key`` as the current session for the duration of a ``with`` block."""
    parsed = SessionKey.parse(key)
    token = _current.set(parsed)
    try:
        yield parsed
    finally:
        _current.reset(token)


def resolve_session(
    explicit: SessionKey | str | None = None, ref: MediaRef | None = None
) -> SessionKey:
    """Decide the session: explicit, then ``ref.session``, then the context; else raise."""
    if explicit is not None:
        key = SessionKey.parse(explicit)
    elif ref is not None:
        key = ref.session
    else:
        bound = _current.get()
        if bound is None:
            raise NoSessionResolved(
                "no session given: pass a session key (namespace:id); there is no default session"
            )
        key = bound
    if ref is not None:
        check_ref(ref, key)
    return key


def check_ref(ref: MediaRef, session: SessionKey) -> MediaRef:
    """Refuse a ref that belongs to another session."""
    if ref.session != session:
        raise SessionMismatch(f"{ref.kind} not found in session {session}")
    return ref
