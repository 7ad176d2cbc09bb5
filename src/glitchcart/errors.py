"""The one exception tree of glitchcart.

Every error the project raises on purpose is a ``GlitchcartError``. Foreign
exceptions (sqlite3, OSError, tomllib, later httpx and redis) are translated
where they enter, raised ``from`` the original.

    GlitchcartError
    ├── InvalidInput                 bad input from a user or a caller (HTTP 422, exit 2)
    │   ├── InvalidSessionKey        a key that is not ``namespace:id``
    │   ├── InvalidAction            empty or over-long action text, a choice out of range
    │   ├── IdempotencyMismatch      an idempotency key reused with another payload
    │   ├── UnknownEventId           resuming after an event id that was never written
    │   ├── UnsupportedMediaType     a request body that is not JSON (HTTP 415)
    │   ├── InvalidCartridge         a cartridge file that fails validation (names the field)
    │   └── InvalidSetting           a GLITCHCART_* setting that fails validation (names it)
    ├── NotFound                     (HTTP 404, exit 3)
    │   ├── SessionNotFound
    │   ├── CartridgeNotFound
    │   ├── GameNotFound
    │   └── MediaNotFound
    ├── SessionMismatch              a ref used under another session (HTTP 404, exit 3)
    ├── NoSessionResolved            nothing named a session and there is no default (exit 2)
    ├── Forbidden                    not allowed for this player or key (HTTP 403, exit 4)
    │   └── Unauthorized             no API key, or an unknown one (HTTP 401)
    ├── Conflict                     valid, but not in this state (HTTP 409, exit 4)
    │   ├── StaleVersion             a commit computed from an old version was refused
    │   │   ├── PreconditionFailed   the caller's expected version is not current (HTTP 412)
    │   │   └── LeaseLost            a commit fenced by a lease a newer holder has taken
    │   ├── TurnResolving            a turn is being resolved; try again in a moment
    │   ├── WrongTurn                a move made for another turn than the one open now
    │   ├── GameOver                 the character is dead; reset or start again
    │   └── NoGameRunning            the session has no game booted
    ├── LimitExceeded                an explicit limit was reached (HTTP 429, exit 4)
    │   ├── RateLimited              too many requests; ``retry_after`` seconds (HTTP 429)
    │   ├── SessionFull              every seat is taken; ``retry_after``: when one frees
    │   └── PayloadTooLarge          a request body over the size limit (HTTP 413)
    ├── ProviderError                a narrator/painter failed (never shown in the story)
    │   ├── ProviderTimeout          no answer in time: retried
    │   ├── ProviderUnavailable      5xx, connection refused or reset: retried, then benched
    │   ├── ProviderRateLimited      429 (``retry_after`` seconds; ``quota`` when credit is spent)
    │   ├── ProviderRefused          the model declined (content policy): not retried
    │   └── ProviderBadOutput        malformed or invalid output, even after repair
    ├── StorageError                 the store or media folder failed (HTTP 503, exit 5)
    │   └── StorageUnavailable       the store's server did not answer (Redis down or paused)
    └── Unreachable                  the client could not reach the server (exit 5)
"""

from __future__ import annotations


class GlitchcartError(Exception):
    """Base of every error glitchcart raises on purpose."""

    exit_code = 1


class InvalidInput(GlitchcartError):
    """Bad input from a user or a caller; nothing was changed."""

    exit_code = 2


class InvalidSessionKey(InvalidInput):
    """A session key that is not ``namespace:id`` with the allowed characters."""


class InvalidAction(InvalidInput):
    """An action or choice that the turn cannot accept."""


class IdempotencyMismatch(InvalidInput):
    """An idempotency key already used with a different payload."""


class UnknownEventId(InvalidInput):
    """A subscriber asked to resume after an event id the session never reached."""


class UnsupportedMediaType(InvalidInput):
    """A request body in another format than JSON (a form a web page could send)."""


class InvalidCartridge(InvalidInput):
    """A cartridge that failed validation; the message names the field."""


class InvalidSetting(InvalidInput):
    """A setting that failed validation; one line naming the variable and what it expects."""


class NotFound(GlitchcartError):
    exit_code = 3


class SessionNotFound(NotFound):
    pass


class CartridgeNotFound(NotFound):
    pass


class GameNotFound(NotFound):
    pass


class MediaNotFound(NotFound):
    pass


class SessionMismatch(GlitchcartError):
    """A ref that belongs to another session; it is refused, never followed."""

    exit_code = 3


class NoSessionResolved(GlitchcartError):
    """No explicit session, ref or context named a session."""

    exit_code = 2


class Forbidden(GlitchcartError):
    """The caller may not do this (not the crown holder, a key of another namespace)."""

    exit_code = 4


class Unauthorized(Forbidden):
    """No API key was presented, or one the server does not know."""


class Conflict(GlitchcartError):
    exit_code = 4


class StaleVersion(Conflict):
    """A commit was computed from a version that is no longer current."""


class PreconditionFailed(StaleVersion):
    """The version the caller expected (HTTP If-Match) is not the current one."""


class LeaseLost(StaleVersion):
    """The session's lease passed to a newer holder; this holder's commit was refused."""


class TurnResolving(Conflict):
    """The session is resolving a turn; the request may be retried shortly."""


class WrongTurn(Conflict):
    """A move made for a turn that is not the one open now; ``turn`` and ``game_id``
    name the one that is (``None`` when no game runs)."""

    def __init__(
        self, message: str, *, turn: int | None = None, game_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.turn = turn
        self.game_id = game_id


class GameOver(Conflict):
    """The character is dead; only reset or a new start are accepted."""


class NoGameRunning(Conflict):
    """The session has no game booted."""


class LimitExceeded(GlitchcartError):
    """An explicit limit was reached; ``retry_after`` seconds, when known, until it may pass."""

    exit_code = 4

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(LimitExceeded):
    """Too many requests; the next one may succeed after ``retry_after`` seconds."""

    retry_after: float

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message, retry_after=retry_after)


class SessionFull(LimitExceeded):
    """Every seat of the session is taken by a player who is still around."""


class PayloadTooLarge(LimitExceeded):
    """A request body over the configured size limit."""


class ProviderError(GlitchcartError):
    """A narrator, painter or filmmaker failed; callers fall back, never print it."""

    exit_code = 5


class ProviderTimeout(ProviderError):
    """No answer within the call's timeout; a later attempt may work."""


class ProviderUnavailable(ProviderError):
    """The server failed or could not be reached; a later attempt may work."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderRateLimited(ProviderError):
    """HTTP 429. ``quota`` means the account is out of credit, not just busy."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, quota: bool = False
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.quota = quota


class ProviderRefused(ProviderError):
    """The model declined the request; asking again would not help."""


class ProviderBadOutput(ProviderError):
    """The reply could not be parsed or broke the reply contract."""


class StorageError(GlitchcartError):
    """The session store or the media folder failed."""

    exit_code = 5


class StorageUnavailable(StorageError):
    """The store's server could not be reached or did not answer in time; try again."""


class Unreachable(GlitchcartError):
    """The client could not reach the server (refused, timed out, cut off)."""

    exit_code = 5
