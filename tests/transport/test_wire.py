"""How a Bot API error answer maps to the gateway's errors (shared by both transports)."""

from __future__ import annotations

import pytest

from bot.domain.outbound import OutboundMessage
from bot.ports.telegram import (
    BadRequest,
    Conflict,
    RateLimited,
    TransientError,
    Unreachable,
)
from handlers.wire import error_for, send_params, split_command


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected"),
    [
        (429, "Too Many Requests: retry after 5", 5, RateLimited),
        (403, "Forbidden: bot was blocked by the user", None, Unreachable),
        (403, "Forbidden: user is deactivated", None, Unreachable),
        (400, "Bad Request: chat not found", None, Unreachable),
        (400, "Bad Request: message text is empty", None, BadRequest),
        (409, "Conflict: terminated by other getUpdates request", None, Conflict),
        (500, "Internal Server Error", None, TransientError),
        (502, "Bad Gateway", None, TransientError),
        (401, "Unauthorized", None, TransientError),
        (404, "Not Found", None, TransientError),
    ],
)
def test_each_error_answer_maps_to_one_gateway_error(status, description, retry_after, expected):
    error = error_for(status, description, retry_after)

    assert type(error) is expected


def test_a_429_carries_its_retry_after():
    error = error_for(429, "Too Many Requests", 12)

    assert isinstance(error, RateLimited)
    assert error.retry_after == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", "")),
        ("/start ABC", ("start", "ABC")),
        ("/START@Kyodo_Bot\nline two", ("start", "line two")),
        ("/hours   7.5  h ", ("hours", "7.5  h")),
    ],
)
def test_a_command_is_its_first_word_lower_cased_without_the_bot_name(text, expected):
    assert split_command(text) == expected


def test_an_edit_becomes_edit_message_text_with_its_keyboard():
    method, params = send_params(
        OutboundMessage(5, "x", buttons=((("A", "a"),),), edit_message_id=9)
    )

    assert method == "editMessageText"
    assert params == {
        "chat_id": 5,
        "text": "x",
        "parse_mode": "HTML",
        "message_id": 9,
        "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    }
