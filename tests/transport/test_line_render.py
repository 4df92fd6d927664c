"""Outbox messages as LINE messages: plain text, quick replies or Flex bubbles, within LINE's
limits. The last test sends every shape to the LINE stand-in, which checks each request against
LINE's OpenAPI files and documented limits (the `line` fixture fails the test otherwise)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bot.domain.outbound import OutboundMessage
from bot.ports.telegram import BadRequest
from handlers.line.client import LineClient
from handlers.line.render import chunks, plain, render, utf16_length
from sandbox.line.people import actions_of
from sandbox.line.standin import LineStandIn

CHAT = 2**53 + 1


def message(text: str = "こんにちは", buttons: Any = (), **extra: Any) -> OutboundMessage:
    return OutboundMessage(chat_id=CHAT, text=text, buttons=buttons, **extra)


def row(*labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((label, f"t:{label}") for label in labels)


def test_telegrams_html_becomes_plain_text():
    html = '<b>受付番号</b> <code>K-2611-0001</code> &lt;b&gt; &amp; <a href="https://x.example/a?b=1&amp;c=2">desk</a>'
    assert plain(message(html)) == "受付番号 K-2611-0001 <b> & desk https://x.example/a?b=1&c=2"
    assert plain(message("<b>a</b> &amp;", parse_mode=None)) == "<b>a</b> &amp;"


def test_a_long_text_is_cut_within_lines_utf16_units():
    text = ("🍎" * 1500 + "\n") * 3  # 3,001 UTF-16 units a line
    pieces = chunks(text)
    assert "".join(pieces) == text
    assert [utf16_length(p) for p in pieces] == [3001, 3001, 3001]
    assert all(utf16_length(p) <= 5000 for p in chunks("あ" * 12_000))


def test_a_few_short_buttons_are_quick_replies_under_the_text():
    [text] = render(message("どれにしますか?", (row("はい", "いいえ"), row("◀ 戻る"))))
    assert text["text"] == "どれにしますか?"
    items = text["quickReply"]["items"]
    assert [i["action"] for i in items] == [
        {"type": "postback", "data": "t:はい", "displayText": "はい", "label": "はい"},
        {"type": "postback", "data": "t:いいえ", "displayText": "いいえ", "label": "いいえ"},
        {"type": "postback", "data": "t:◀ 戻る", "displayText": "◀ 戻る", "label": "◀ 戻る"},
    ]


@pytest.mark.parametrize(
    "buttons",
    [
        tuple(row(f"{day}日") for day in range(1, 15)),  # 14 buttons: more than 13
        (row("🔑 I have an invite code from the co-op", "✖ Cancel"),),  # a label over 20
    ],
)
def test_more_buttons_or_a_long_label_go_in_a_flex_bubble_rows_kept(buttons):
    text, bubble = render(message("選んでください", buttons))
    assert text == {"type": "text", "text": "選んでください"}
    assert bubble["type"] == "flex" and bubble["altText"] == "選んでください"
    body = bubble["contents"]["body"]["contents"]
    assert [len(r["contents"]) for r in body] == [len(r) for r in buttons]
    tapped = actions_of(bubble)
    assert [a["data"] for a in tapped] == [data for r in buttons for _, data in r]
    assert [a["displayText"] for a in tapped] == [label for r in buttons for label, _ in r]
    for action in tapped:  # LINE allows a label of 20 at most; the box shows it whole anyway
        assert "label" not in action or len(action["label"]) <= 20


def test_an_undo_outlasts_later_messages_in_a_bubble_though_it_would_fit_a_quick_reply():
    # A quick reply vanishes when the card's new state arrives; an Undo is pressed after it.
    buttons = ((("↩️ 元に戻す", "cf:undo:hd:7"),), row("🏠 メニュー"))
    text, bubble = render(message("承認しました。", buttons))
    assert "quickReply" not in text
    assert [a["data"] for a in actions_of(bubble)] == ["cf:undo:hd:7", "t:🏠 メニュー"]


def test_very_many_buttons_become_a_carousel():
    [_, bubble] = render(message("日付", tuple(row(str(n), str(n + 100)) for n in range(30))))
    assert bubble["contents"]["type"] == "carousel"
    assert len(actions_of(bubble)) == 60


def test_an_edit_is_a_new_message():
    assert render(message("更新", edit_message_id=42)) == render(message("更新"))


def test_what_line_cannot_take_is_refused_before_sending():
    with pytest.raises(BadRequest):
        render(message(""))


MESSAGES = [
    message("<b>太字</b> &amp; 🍎"),
    message("あ" * 4096, (row("はい", "いいえ"),)),
    message("選択", tuple(row(f"{d}日(火)", f"{d + 1}日(水)") for d in range(1, 20, 2))),
    message(
        "長いラベル", (row("🔑 組合員です（招待コードがあります）"), row("🌐 言語 / Language"))
    ),
    message("多い", tuple(row(str(n)) for n in range(40))),
    message("😀" * 2600, (row("x" * 40),)),
]


@pytest.mark.parametrize("outbound", MESSAGES)
async def test_line_takes_every_shape(line: LineStandIn, outbound: OutboundMessage):
    person = line.add_person("花子")
    client = LineClient(line.access_token, line.api_base_url)
    try:
        await client.push(person.user_id, render(outbound), str(uuid.uuid4()), 5)
    finally:
        await client.close()
    assert line.received(person.user_id)
    assert line.violations == []
