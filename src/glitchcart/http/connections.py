"""Connection hygiene for the HTTP server: a connection cap and read deadlines.

uvicorn (0.54) bounds the size of a request head (``h11_max_incomplete_event_size``)
and closes a kept-alive connection idle after a response (``timeout_keep_alive``),
but a connection that never sends a complete head, or a body that never ends, is
held for ever; and ``limit_concurrency`` answers 503 only once a request head has
arrived, so sockets that send nothing exhaust the file descriptors before any
limit applies. This module adds what is missing, as a wrapper around uvicorn's
own h11 protocol (composition: uvicorn still parses HTTP and runs the app):

- **a cap** on open connections, kept below the process's descriptor limit.
  A connection over the cap first closes the oldest connection that is waiting
  for a request (a fresh or kept-alive socket with no request being served);
  when every connection is busy the newcomer gets a quick 503 and is closed.
  So idle sockets can never lock out ``/healthz`` or a real request.
- **a head deadline**: a request line and headers must arrive within
  ``header_timeout`` of the connection being ready for them (408, then closed);
- **a body deadline**: a request body must be read whole within ``body_timeout``
  (a never-ending chunked body is cut off).

Deadlines are checked by one sweep a second over the open connections; a
connection's phase is read from h11's own state machine (``their_state``).

Usage::

    guard = ConnectionGuard(max_connections=900, header_timeout=10, body_timeout=30)
    uvicorn.Config(app, http=guard.protocol(), ...)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, cast

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

SWEEP_SECONDS = 1.0
REFUSED_LINGER = 1.0  # seconds a refused connection may take to read its 503
_BUSY_BODY = (
    b'{"type":"urn:glitchcart:problem:Busy","title":"Service Unavailable","status":503,'
    b'"detail":"too many connections; try again in a moment","code":"Busy"}'
)
BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/problem+json\r\n"
    b"Retry-After: 1\r\n"
    b"Connection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY)
)
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class ConnectionGuard:
    """The cap and the deadlines shared by every connection of one server."""

    def __init__(
        self,
        *,
        max_connections: int,
        header_timeout: float,
        body_timeout: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self._now = now
        self._open: dict[GuardedConnection, None] = {}  # in order of arrival
        self._sweeper: asyncio.TimerHandle | None = None
        self.refused = 0  # newcomers answered 503
        self.evicted = 0  # waiting connections closed to make room
        self.timed_out = 0  # heads or bodies that missed their deadline

    def protocol(self) -> type[asyncio.Protocol]:
        """The protocol class to hand to uvicorn as ``http=``."""
        guard = self

        class Guarded(GuardedConnection):
            def __init__(
                self,
                config: Config,
                server_state: ServerState,
                app_state: dict[str, Any],
                _loop: asyncio.AbstractEventLoop | None = None,
            ) -> None:
                super().__init__(guard, H11Protocol(config, server_state, app_state, _loop))

        return Guarded

    @property
    def open(self) -> int:
        return len(self._open)

    def admit(self, conn: GuardedConnection) -> bool:
        """Seat ``conn``, closing the oldest waiting connection if at the cap."""
        if len(self._open) >= self.max_connections:
            waiting = [c for c in self._open if c.waiting()]
            if not waiting:
                self.refused += 1
                return False
            oldest = min(waiting, key=lambda c: c.since)
            self.evicted += 1
            oldest.close()
            self.release(oldest)  # its descriptor is freed on the loop's next pass
        self._open[conn] = None
        self._start_sweeping()
        return True

    def release(self, conn: GuardedConnection) -> None:
        self._open.pop(conn, None)

    def now(self) -> float:
        return self._now()

    def sweep(self) -> None:
        """Close every connection past its head or body deadline."""
        for conn in list(self._open):
            if conn.overdue():
                self.timed_out += 1
                conn.time_out()

    def _start_sweeping(self) -> None:
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(SWEEP_SECONDS, self._tick)

    def _tick(self) -> None:
        self._sweeper = None
        self.sweep()
        if self._open:
            self._start_sweeping()


class GuardedConnection(asyncio.Protocol):
    """One connection: uvicorn's h11 protocol inside, the guard's deadlines around it."""

    def __init__(self, guard: ConnectionGuard, inner: H11Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.refused = False
        self.since = guard.now()  # when the current phase began
        self._phase: tuple[object, object] = (None, h11.IDLE)

    # ------------------------------------------------------------ asyncio protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        if not self.guard.admit(self):
            self.refused = True
            self.transport.write(BUSY)
            # half-close, then let the request the client already sent drain: closing
            # at once over unread data would reset the connection and lose the 503
            if self.transport.can_write_eof():
                self.transport.write_eof()
            asyncio.get_running_loop().call_later(REFUSED_LINGER, self.close)
            return
        self.inner.connection_made(self.transport)
        self._observe()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self.inner.data_received(data)
        self._observe()

    def eof_received(self) -> bool | None:
        if not self.refused:
            self.inner.eof_received()
        return False  # close on the peer's EOF (uvicorn's own protocol does the same)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.release(self)
        if not self.refused:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if not self.refused:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if not self.refused:
            self.inner.resume_writing()

    # ------------------------------------------------------------ phases

    def _observe(self) -> None:
        """Restart the phase clock when a new request began or the peer's state moved."""
        phase = (self.inner.cycle, self.inner.conn.their_state)
        if phase != self._phase:
            self._phase = phase
            self.since = self.guard.now()

    def waiting(self) -> bool:
        """No request is being served: the connection waits for (the rest of) a head."""
        self._observe()
        conn = self.inner.conn
        return conn.their_state is h11.IDLE and conn.our_state is h11.IDLE

    def overdue(self) -> bool:
        self._observe()
        state = self.inner.conn.their_state
        elapsed = self.guard.now() - self.since
        if state is h11.IDLE:
            return elapsed > self.guard.header_timeout
        if state is h11.SEND_BODY:
            return elapsed > self.guard.body_timeout
        return False  # the request is read; the app is answering (streams may be long)

    def time_out(self) -> None:
        """408 if nothing was answered on this request yet, then close."""
        if self.transport is None or self.transport.is_closing():
            return
        if self.inner.conn.our_state is h11.IDLE:
            self.transport.write(TIMED_OUT)
        self.close()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
