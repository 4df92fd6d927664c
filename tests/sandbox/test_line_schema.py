"""The LINE stand-in's checks on their own: LINE's OpenAPI files as the schema checker reads
them, the limits LINE states only in prose, and how LINE counts characters."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.line import rules
from sandbox.line.counting import graphemes, utf16_units
from sandbox.line.http_api import HANDLERS
from sandbox.line.schema import Checker, Problem
from sandbox.line.spec import messaging_api, webhook


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(messaging_api())


def push(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"to": "U" + "0" * 32, "messages": list(messages)}


def test_every_handler_names_an_operation_of_lines_file() -> None:
    documented = {operation.operation_id for operation in messaging_api().operations}
    assert set(HANDLERS) <= documented


@pytest.mark.parametrize("document", [messaging_api, webhook], ids=["messaging-api", "webhook"])
def test_every_schema_of_both_files_can_be_read(document: Any) -> None:
    checker = Checker(document())
    for name in document().schemas:
        checker.check_component(name, {})  # resolves every $ref and allOf without failing


def test_literal_paths_win_over_templates() -> None:
    document = messaging_api()
    listing = document.operation("GET", "/v2/bot/richmenu/list")
    one = document.operation("GET", "/v2/bot/richmenu/richmenu-123")
    assert listing is not None and listing[0].operation_id == "getRichMenuList"
    assert one is not None and one[0].operation_id == "getRichMenu"
    assert one[1] == {"richMenuId": "richmenu-123"}
    assert document.operation("GET", "/v2/bot/nothing") is None


def test_a_flex_bubble_is_checked_down_to_its_buttons(checker: Checker) -> None:
    bubble = {
        "type": "flex",
        "altText": "シフト",
        "contents": {
            "type": "bubble",
            "body": {
                "type": "box",
                "layout": "diagonal",
                "contents": [
                    {"type": "text", "text": "6月3日"},
                    {"type": "button", "action": {"type": "postback", "data": "x" * 301}},
                    {"type": "sparkle"},
                ],
            },
        },
    }

    problems = checker.check_component("PushMessageRequest", push(bubble))

    where = "messages[0].contents.body"
    assert [p.property for p in problems] == [
        f"{where}.layout",
        f"{where}.contents[1].action.data",
        f"{where}.contents[2].type",
    ]
    assert problems[0].message.startswith("must be one of ['horizontal', 'vertical', 'baseline'")


def test_required_fields_of_a_subtype_and_of_its_base(checker: Checker) -> None:
    assert checker.check_component("Message", {"type": "text"}) == [
        Problem("text", "must be specified")
    ]
    assert checker.check_component("Message", {"text": "x"}) == [
        Problem("type", "must be specified")
    ]


def test_wrong_types_and_nulls(checker: Checker) -> None:
    problems = checker.check_component(
        "PushMessageRequest", {"to": 5, "messages": "hi", "notificationDisabled": None}
    )
    assert problems == [
        Problem("to", "must be a string"),
        Problem("messages", "must be an array"),
        Problem("notificationDisabled", "must not be null"),
    ]


def test_the_stand_ins_own_webhook_bodies_are_checked_too() -> None:
    checker = Checker(webhook())
    body = {
        "destination": "U" + "a" * 32,
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1,
                "webhookEventId": "01",
                "deliveryContext": {"isRedelivery": False},
                "message": {"type": "text", "id": "1", "text": "x"},
            }
        ],
    }
    assert checker.check_component("CallbackRequest", body) == [
        Problem("events[0].message.quoteToken", "must be specified")
    ]


def test_labels_count_graphemes_text_counts_utf16_units(checker: Checker) -> None:
    family = "👨\u200d👩\u200d👧"  # one grapheme, eight UTF-16 units
    assert (graphemes(family), utf16_units(family)) == (1, 8)
    assert graphemes("🇯🇵🇯🇵が") == 3
    assert graphemes("が") == graphemes("か\u3099") == 1
    item = {"type": "action", "action": {"type": "message", "label": family * 20, "text": "x"}}
    message = {"type": "text", "text": "🍎" * 2501, "quickReply": {"items": [item]}}

    assert rules.check("pushMessage", push(message)) == [
        Problem("messages[0].text", "Length must be between 1 and 5000")
    ]
    item["action"]["label"] = family * 21
    assert rules.check("pushMessage", push(message))[1:] == [
        Problem("messages[0].quickReply.items[0].action.label", "Length must be between 1 and 20")
    ]


def template(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": "template", "altText": "x", "template": {"type": kind, **fields}}


def postback(label: str) -> dict[str, Any]:
    return {"type": "postback", "label": label, "data": label}


def test_template_limits_from_lines_documentation() -> None:
    confirm = template("confirm", text="はい？", actions=[postback("はい")])
    carousel = template(
        "carousel",
        columns=[
            {"text": "a", "actions": [postback("1")]},
            {"text": "b", "actions": [postback("1"), postback("2")]},
        ],
    )
    unlabelled = template("buttons", text="x", actions=[{"type": "postback", "data": "x"}])

    assert rules.check("pushMessage", push(confirm, carousel, unlabelled)) == [
        Problem("messages[0].template.actions", "Size must be between 2 and 2"),
        Problem(
            "messages[1].template.columns", "every column must have the same number of actions"
        ),
        Problem("messages[2].template.actions[0].label", "must be specified"),
    ]


def test_a_flex_bubble_over_30_kb_is_refused() -> None:
    texts = [{"type": "text", "text": "あ" * 1000} for _ in range(11)]
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": texts}}
    message = {"type": "flex", "altText": "x", "contents": bubble}

    assert rules.check("pushMessage", push(message)) == [
        Problem("messages[0].contents", "a bubble must be at most 30000 bytes")
    ]
    del texts[1:]
    assert rules.check("pushMessage", push(message)) == []


def test_recipients_must_be_line_ids() -> None:
    message = {"type": "text", "text": "x"}
    assert rules.check("pushMessage", {"to": "hana", "messages": [message]}) == [
        Problem("to", "must be a user, group or room ID")
    ]
    assert rules.check("multicast", {"to": ["U" + "0" * 32, "C1"], "messages": [message]}) == [
        Problem("to[1]", "must be a user ID")
    ]
