"""How a model provider failed, as branches of :class:`~glitchcart.errors.ProviderError`.

The retry and bench logic needs to tell a rate limit from an outage from a
refusal; the engine only needs ``ProviderError``, which all of these are::

    ProviderError                    (glitchcart.errors)
    ├── ProviderTimeout              (glitchcart.errors) no answer in time: retried
    ├── ProviderUnavailable          5xx, connection refused or reset, benched: retried
    ├── ProviderRateLimited          429 (``retry_after`` seconds, ``quota`` when spent)
    ├── ProviderRefused              the model declined (content policy): not retried
    └── ProviderBadOutput            malformed or invalid output, even after repair

Messages name the provider and the HTTP status only: never a response body, a
prompt or a key, so nothing a player typed or a secret can reach a log line.
"""

from __future__ import annotations

from glitchcart.errors import ProviderError, ProviderTimeout


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


def is_transient(exc: ProviderError) -> bool:
    """Whether trying the same call again soon may succeed."""
    return isinstance(exc, ProviderTimeout | ProviderUnavailable | ProviderBadOutput) or (
        isinstance(exc, ProviderRateLimited) and not exc.quota
    )


__all__ = [
    "ProviderBadOutput",
    "ProviderError",
    "ProviderRateLimited",
    "ProviderRefused",
    "ProviderTimeout",
    "ProviderUnavailable",
    "is_transient",
]
