"""What a web browser may make the API do: the checks a page can't get around.

A browser sends a page's requests with whatever the user's machine is allowed
(loopback access, the player cookie), so a server must tell its own callers from
a page of another site:

- **Host**: only loopback names and the configured public host are served; a
  DNS-rebound name (``evil.example`` resolving to 127.0.0.1) is refused, so a
  remote page can't read or drive a local server.
- **Origin / Sec-Fetch-Site**: a state change (any method but GET, HEAD, OPTIONS)
  sent by a page of another origin is refused. Requests without either header
  (curl, the CLI, a bot) are not a browser's and pass.
- **JSON bodies only**: a body in another format (an HTML form's) is 415, so no
  form on any site can post to the API without a CORS preflight.

CORS stays closed (no ``Access-Control-Allow-*`` headers) unless origins are
configured; those origins also pass the Origin check. :mod:`.access` applies the
Host and Origin checks to every request of a server without API keys and to
cookie-authenticated requests of one with keys, the JSON rule to every request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from glitchcart.errors import Forbidden, UnsupportedMediaType

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
Headers = Iterable[tuple[bytes, bytes]]


def header(headers: Headers, name: bytes) -> str | None:
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


def host_name(host: str) -> str:
    """The name of a ``Host`` value without its port: ``[::1]:8000`` -> ``::1``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback_name(name: str) -> bool:
    """``localhost`` (and names under it, which resolve to loopback by RFC 6761) or a
    loopback address; never a name that DNS could point anywhere."""
    name = name.lower().rstrip(".").strip("[]")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class BrowserRules:
    """The allowed hosts and origins of one server (from its settings)."""

    def __init__(self, public_host: str | None, cors_origins: Iterable[str]) -> None:
        self.public_host = host_name(public_host).lower() if public_host else None
        self.cors_origins = frozenset(o.lower().rstrip("/") for o in cors_origins)

    def check_host(self, headers: Headers) -> None:
        host = header(headers, b"host")
        name = host_name(host or "").lower().rstrip(".")
        if is_loopback_name(name) or (self.public_host is not None and name == self.public_host):
            return
        raise Forbidden(
            f"this server does not answer to the host name {name[:100]!r}; "
            "set GLITCHCART_PUBLIC_HOST to the name browsers use"
        )

    def check_origin(self, method: str, headers: Headers) -> None:
        """Refuse a state change sent by a page of another origin."""
        if method in SAFE_METHODS:
            return
        site = header(headers, b"sec-fetch-site")
        origin = header(headers, b"origin")
        if origin is not None:
            if self._allowed_origin(origin, header(headers, b"host")):
                return
            raise Forbidden(f"requests from pages of {origin[:100]} may not change anything")
        if site is not None and site not in ("same-origin", "none"):
            raise Forbidden("requests from pages of other sites may not change anything")

    def _allowed_origin(self, origin: str, host: str | None) -> bool:
        origin = origin.lower().rstrip("/")
        if origin in self.cors_origins:
            return True
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or host is None:
            return False  # "null" (a sandboxed page, a file), or no Host to compare with
        return parts.netloc == host.lower()  # same origin (the Host itself is checked first)

    @staticmethod
    def check_body(method: str, headers: Headers) -> None:
        """A request body is JSON (``application/json`` or ``application/*+json``)."""
        if method in SAFE_METHODS:
            return
        kind = header(headers, b"content-type")
        if kind is None:
            length = header(headers, b"content-length")
            chunked = header(headers, b"transfer-encoding") is not None
            if chunked or (length is not None and length.strip() not in ("", "0")):
                raise UnsupportedMediaType("send the request body as JSON (application/json)")
            return
        media = kind.split(";", 1)[0].strip().lower()
        if media != "application/json" and not (
            media.startswith("application/") and media.endswith("+json")
        ):
            raise UnsupportedMediaType(
                f"request bodies are JSON (application/json), not {media[:60]!r}"
            )
