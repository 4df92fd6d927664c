"""Malformed calls are answered 400 (or 404) like Telegram and recorded as violations."""

from __future__ import annotations

import pytest

from sandbox.server import SandboxServer
from tests.sandbox.conftest import HANA, RawCall

pytestmark = pytest.mark.sandbox_violations_expected


def _button(data: str) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": "押す", "callback_data": data}]]}


async def test_an_unknown_method_is_not_found(sandbox: SandboxServer, call: RawCall) -> None:
    status, body = await call("sendMessageNow", chat_id=1, text="hi")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert sandbox.violations[0].method == "sendMessageNow"


async def test_method_names_are_case_insensitive_like_telegram(call: RawCall) -> None:
    status, body = await call("getme")
    assert status == 200
    assert body["result"]["username"] == "kyodo_coop_bot"


async def test_a_malformed_token_is_unauthorized(call: RawCall) -> None:
    status, body = await call("getMe", _token="not-a-token")
    assert status == 401
    assert body["description"] == "Unauthorized"


async def test_an_unknown_parameter_is_refused(sandbox: SandboxServer, call: RawCall) -> None:
    status, body = await call("sendMessage", chat_id=HANA["id"], text="hi", colour="red")
    assert status == 400
    assert body["ok"] is False
    assert 'unknown parameter "colour"' in body["description"]
    assert len(sandbox.violations) == 1


async def test_a_missing_chat_id_is_refused(call: RawCall) -> None:
    status, body = await call("sendMessage", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")


async def test_a_wrong_type_is_refused(call: RawCall) -> None:
    status, body = await call(
        "sendMessage", chat_id=HANA["id"], text="hi", disable_notification="maybe"
    )
    assert status == 400
    assert "disable_notification" in body["description"]


async def test_4096_characters_pass_and_4097_do_not(sandbox: SandboxServer, call: RawCall) -> None:
    status, _ = await call("sendMessage", chat_id=HANA["id"], text="あ" * 4096)
    assert status == 200
    status, body = await call("sendMessage", chat_id=-5, text="あ" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")


async def test_length_is_counted_after_html_parsing(call: RawCall) -> None:
    text = "<b>" + "x" * 4090 + "</b> &amp;"
    status, body = await call("sendMessage", chat_id=HANA["id"], text=text, parse_mode="HTML")
    assert status == 200, body
    assert len(body["result"]["text"]) == 4092


async def test_an_empty_text_after_parsing_is_refused(call: RawCall) -> None:
    status, body = await call("sendMessage", chat_id=HANA["id"], text="<b> </b>", parse_mode="HTML")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")


@pytest.mark.parametrize("data", ["x" * 65, "承" * 22])
async def test_callback_data_over_64_bytes_is_refused(call: RawCall, data: str) -> None:
    status, body = await call(
        "sendMessage", chat_id=HANA["id"], text="hi", reply_markup=_button(data)
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_callback_data_of_64_bytes_and_21_japanese_characters_pass(call: RawCall) -> None:
    for data in ("x" * 64, "承" * 21):
        status, body = await call(
            "sendMessage", _form=True, chat_id=-7, text="hi", reply_markup=_button(data)
        )
        assert status == 200, body


async def test_a_button_needs_a_label_and_one_action(call: RawCall) -> None:
    status, body = await call(
        "sendMessage",
        chat_id=HANA["id"],
        text="hi",
        reply_markup={"inline_keyboard": [[{"callback_data": "x"}]]},
    )
    assert status == 400
    assert "text" in body["description"]
    status, body = await call(
        "sendMessage",
        chat_id=HANA["id"],
        text="hi",
        reply_markup={"inline_keyboard": [[{"text": "label only"}]]},
    )
    assert status == 400
    assert "exactly one of" in body["description"]


@pytest.mark.parametrize(
    "text",
    [
        "<b>unclosed",
        "<blink>no</blink>",
        "a </b> b",
        "<b><i>x</b></i>",
        "<span>x</span>",
        "&nbsp;",
        "1 < 2",
    ],
)
async def test_html_telegram_cannot_parse_is_refused(call: RawCall, text: str) -> None:
    status, body = await call("sendMessage", chat_id=HANA["id"], text=text, parse_mode="HTML")
    assert status == 400
    assert body["description"].startswith("Bad Request: can't parse entities:")


async def test_form_encoded_values_are_decoded_as_telegram_does(call: RawCall) -> None:
    status, body = await call(
        "sendMessage",
        _form=True,
        chat_id=str(HANA["id"]),
        text="<i>hi</i>",
        parse_mode="HTML",
        disable_notification=True,
        reply_markup=_button("ok"),
    )
    assert status == 200, body
    assert body["result"]["entities"] == [{"type": "italic", "offset": 0, "length": 2}]


async def test_answer_text_over_200_characters_is_refused(call: RawCall) -> None:
    status, body = await call("answerCallbackQuery", callback_query_id="1", text="x" * 201)
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")


async def test_state_errors_are_not_violations(sandbox: SandboxServer, call: RawCall) -> None:
    status, body = await call("answerCallbackQuery", callback_query_id="nope")
    assert status == 400
    assert "query is too old" in body["description"]
    status, _ = await call("editMessageText", chat_id=HANA["id"], message_id=99, text="x")
    assert status == 400
    assert sandbox.violations == []


async def test_the_full_reference_is_checked_when_present(sandbox: SandboxServer) -> None:
    if sandbox.reference_spec is None:
        pytest.skip("the full api.json reference is absent on this machine")
    assert "sendMessage" in sandbox.reference_spec.methods
    assert sandbox.reference_spec.source.startswith("Bot API")
