"""The short menu under the chat, end to end over both transports through the sandbox: a member's
/menu sets Telegram's reply keyboard (the sandbox checks it against the Bot API's description),
and pressing a key (its label sent as text) does what the menu's button does, mid-dialog too."""

from __future__ import annotations

from tests.fixtures.kyodo import labels, load


def keyboard(message) -> list[str]:
    rows = (message.reply_markup or {}).get("keyboard", [])
    return [button["text"] for row in rows for button in row]


async def test_a_member_presses_the_keys_under_the_chat(kyodo, person):
    await load(kyodo)
    tanaka = person(2001, "田中 一郎", "ja")
    menu = await tanaka.says("/menu", expect=2)
    shown = tanaka.messages[-2]
    assert keyboard(shown) == ["⏱ 時間", "📅 シフト", "📣 総会", "🆘 困ったとき", "≡ その他"]
    assert shown.reply_markup["is_persistent"] is True
    assert not any("勤務時間を報告" in label for label in labels(menu))
    asked = await tanaka.says("⏱ 時間")
    assert "いつの勤務ですか" in asked.text
    shifts = await tanaka.says("📅 シフト")  # mid-dialog: the key, not an answer
    assert "シフト" in shifts.text
    more = await tanaka.says("≡ その他")
    assert any("空きシフト" in label for label in labels(more))


async def test_an_english_member_gets_english_keys(kyodo, person):
    await load(kyodo)
    maria = person(2002, "Maria Santos", "en")
    await maria.says("/menu", expect=2)
    assert keyboard(maria.messages[-2]) == [
        "⏱ Hours",
        "📅 Shifts",
        "📣 Assembly",
        "🆘 Help",
        "≡ More",
    ]
    answer = await maria.says("🆘 Help")
    assert "staff" in answer.text.lower()
