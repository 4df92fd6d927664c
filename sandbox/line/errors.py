"""Errors answered to Messaging API clients, in LINE's format: ``{"message", "details"?}``.

``violation`` marks a request that broke the API (a bug in the bot, recorded so that a test
fails), as opposed to answers a correct bot meets in normal operation: an expired reply token,
a spent quota, a rate limit, a repeated retry key, a person who blocked the account.
"""

from __future__ import annotations

from typing import Any

from sandbox.line.schema import Problem


class LineError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: list[Problem] | None = None,
        sent_messages: list[dict[str, Any]] | None = None,
        violation: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.sent_messages = sent_messages
        self.violation = violation
        self.headers = headers or {}

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.details:
            body["details"] = [problem.to_dict() for problem in self.details]
        if self.sent_messages:
            body["sentMessages"] = self.sent_messages
        return body

    def describe(self) -> str:
        """One line for violation listings: the message and every detail."""
        parts = [f"{p.property}: {p.message}" for p in self.details]
        return self.message + (f" ({'; '.join(parts)})" if parts else "")


def invalid_body(problems: list[Problem], *, violation: bool = True) -> LineError:
    return LineError(
        400,
        f"The request body has {len(problems)} error(s)",
        details=problems,
        violation=violation,
    )


def not_found(*, violation: bool = False) -> LineError:
    return LineError(404, "Not found", violation=violation)


def unauthorized() -> LineError:
    return LineError(
        401,
        "Authentication failed. Confirm that the access token in the authorization header is"
        " valid.",
    )


def invalid_reply_token() -> LineError:
    return LineError(400, "Invalid reply token")


def rate_limited() -> LineError:
    return LineError(429, "The API rate limit has been exceeded. Try again later.")


def quota_spent() -> LineError:
    return LineError(429, "You have reached your monthly limit.")


def retry_key_accepted(request_id: str, sent: list[dict[str, Any]] | None) -> LineError:
    return LineError(
        409,
        "The retry key is already accepted",
        sent_messages=sent or None,
        headers={"x-line-accepted-request-id": request_id},
    )
