"""Typed errors of the Clever client: callers branch on the type, never on status codes."""

from __future__ import annotations

from classhub.errors import ClassHubError


class CleverError(ClassHubError):
    """Clever could not give us what we asked for."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class CleverUnavailable(CleverError):
    """Clever kept failing (5xx, timeouts, rate limits) after every retry; try again later."""


class CleverRateLimited(CleverUnavailable):
    """Clever kept answering 429 after every retry."""


class CleverMalformedResponse(CleverError):
    """Clever answered with JSON of a shape we cannot read; the call can be tried again later."""


class CleverAuthError(CleverError):
    """Clever refused our credentials (401)."""


class CleverTokenRevoked(CleverAuthError):
    """A district token was refused: the district removed the connection or the token rotated."""


class CleverNotFound(CleverError):
    """The object is not shared with us, was deleted, or the token is the wrong one (404)."""


class CleverRequestRejected(CleverError):
    """Clever rejected the request itself (400, 413, 501, ...); retrying cannot help."""
