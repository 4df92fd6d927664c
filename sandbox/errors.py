"""Errors answered to Bot API clients, shaped like Telegram's own error replies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call: becomes ``{"ok": false, "error_code": ..., "description": ...}``.

    ``violation`` marks errors caused by a malformed request (a bug in the client), as opposed
    to errors a correct client meets in normal operation (a blocked user, a flood wait, an
    edit that changes nothing). Violations are recorded so that tests can assert there were none.
    """

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        violation: bool = False,
        source: str | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after
        self.violation = violation
        # Which description of the API the request broke (the compact schema or api.json).
        self.source = source

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str, *, violation: bool = True) -> ApiError:
    """A 400 with Telegram's ``Bad Request: `` prefix; a client bug unless said otherwise."""
    return ApiError(400, f"Bad Request: {detail}", violation=violation)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
