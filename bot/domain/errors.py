"""Domain errors: each carries a stable code that the transports turn into localised text."""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused. `code` is stable (tests and catalogs key on it); never user text."""

    code: str = "error"

    def __init__(self, code: str | None = None, **details: object) -> None:
        self.code = code or self.code
        self.details = details
        super().__init__(self.code)


class PermissionDenied(DomainError):
    code = "permission_denied"


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """Raised by every parser: one type, a code saying what was wrong."""

    code = "invalid_input"
