"""Domain errors. Each carries a stable snake_case `code` and never an HTTP status.

Every API package maps these in one table (its `errors.py`) to its own wire shape:
Micropub `{"error", "error_description"}`, v1 `{"message", "errors"}`, directory `{"detail"}`.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Unauthenticated(DomainError):
    """No credential, or one that is unknown, revoked or expired."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this (wrong owner, missing scope, plan)."""

    code = "forbidden"

    def __init__(self, message: str, *, code: str | None = None, scope: str | None = None):
        super().__init__(message, code=code)
        self.scope = scope


class NotFound(DomainError):
    code = "not_found"


class Gone(DomainError):
    """It existed and was removed on purpose (deleted, archived)."""

    code = "gone"


class Invalid(DomainError):
    """Input that breaks a rule. `fields` maps a dotted field path to its messages."""

    code = "invalid"

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        self.fields = dict(fields or {})
        if message is None:
            message = next(iter(self.fields.values()))[0] if self.fields else "Invalid input."
        super().__init__(message, code=code)

    @classmethod
    def field(cls, name: str, message: str, *, code: str | None = None) -> Invalid:
        return cls(message, fields={name: [message]}, code=code)


class TooLarge(DomainError):
    code = "too_large"

    def __init__(self, message: str, *, limit: int | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.limit = limit


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, retry_after: int, *, limit: int | None = None, message: str | None = None):
        super().__init__(message or f"Too many requests. Retry in {retry_after} seconds.")
        self.retry_after = max(1, int(retry_after))
        self.limit = limit


class Unavailable(DomainError):
    """The node cannot do this now (its database, Redis or disk is away, or a part of it is
    busy); the caller should try again after `retry_after` seconds."""

    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class FetchRefused(DomainError):
    """An outbound fetch was refused before or during the request (address, scheme, size)."""

    code = "fetch_refused"


class FetchFailed(DomainError):
    """An outbound fetch could not complete (network error, timeout, too many redirects)."""

    code = "fetch_failed"
