"""Composition root of the HTTP server process: settings → app → uvicorn.

The command line starts the server through this module, so the CLI surface
never imports the HTTP surface itself.
"""

from __future__ import annotations

import contextlib
import logging

import uvicorn

from glitchcart.http import create_app
from glitchcart.http.access import check_bind
from glitchcart.http.connections import ConnectionGuard
from glitchcart.settings import Settings

FD_RESERVE = 256  # descriptors kept for the database, media files, encoders and logs
# asyncio accepts up to `backlog` sockets per wake-up before the guard sees any of them:
# a batch that fits in the reserve never runs the process out of descriptors
BACKLOG = FD_RESERVE // 4
STARTUP_FAILURE = 3  # the exit status uvicorn.run gives a server that could not start


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the API until interrupted; refuses a public address without API keys."""
    check_bind(host, settings)
    descriptors = descriptor_limit()
    guard = ConnectionGuard(
        max_connections=connection_cap(settings.max_connections, descriptors),
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
    )
    config = uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        http=guard.protocol(),
        backlog=BACKLOG,
        ws="none",
        server_header=False,
        timeout_keep_alive=max(1, round(settings.keep_alive_timeout)),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_graceful_shutdown=5,  # event streams never end by themselves
        log_level="info",
    )
    logging.getLogger("uvicorn.error").info(  # the config has set uvicorn's logging up
        "At most %d connections (descriptor limit %s); heads within %g s, bodies within %g s",
        guard.max_connections,
        descriptors or "none",
        settings.header_timeout,
        settings.body_timeout,
    )
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises a caught SIGINT again
        server.run()
    if not server.started:  # uvicorn has logged why (a port in use...); exit as uvicorn.run does
        raise SystemExit(STARTUP_FAILURE)


def connection_cap(wanted: int, descriptors: int | None) -> int:
    """``wanted``, lowered to leave :data:`FD_RESERVE` descriptors free (at least 8)."""
    if descriptors is None:
        return wanted
    return max(8, min(wanted, descriptors - FD_RESERVE))


def descriptor_limit() -> int | None:
    """This process's soft limit on open files (RLIMIT_NOFILE), where there is one."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft
