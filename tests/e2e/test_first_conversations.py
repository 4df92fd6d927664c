"""End to end, over both transports, through the sandbox: what a person sees in Telegram."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.domain.invites import Invite, code_hash
from bot.domain.people import Role
from bot.ports.clock import SystemClock
from kyodo.app import KyodoApp, open_store
from storage.models import InboxRow, PersonRow
from tests.fixtures.kyodo import invite_code, kyodo_settings, labels


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


async def test_a_stranger_is_welcomed_in_japanese(kyodo, person):
    hanako = person(501, "花子", "ja")
    answer = await hanako.says("/start")
    assert "花子さん、こんにちは" in answer.text
    assert labels(answer) == [
        "🤝 サービスを利用したい",
        "🙋 ボランティアをしたい",
        "🔑 組合員です（招待コードがあります）",
        "🆘 困ったとき",
        # Not chosen yet: the three languages stand in for the Language button.
        "日本語",
        "やさしい にほんご",
        "English",
        "❓ ヘルプ",
    ]


async def test_a_stranger_is_welcomed_in_english(kyodo, person):
    answer = await person(502, "John", "en").says("/start")
    assert "Hello, John!" in answer.text
    assert "🔑 I'm a member (I have an invite code)" in labels(answer)


async def test_a_stranger_without_a_telegram_language_gets_japanese(kyodo, person):
    answer = await person(503, "X", None).says("/start")
    assert "こんにちは" in answer.text


async def test_a_member_joins_by_typing_a_full_width_code(kyodo, person):
    code = await invite_code(kyodo.settings)
    taro = person(504, "太郎", "ja")
    await taro.says("/start")
    prompt = await taro.taps("招待コード")
    assert "招待コード" in prompt.text
    welcome = await taro.says(full_width(code[:4].lower() + "－" + code[4:]))
    assert "組合員として登録しました" in welcome.text
    assert "組合員メニュー" in welcome.text


async def test_staff_join_by_deep_link_and_issue_an_invite(kyodo, person):
    code = await invite_code(kyodo.settings, Role.STAFF)
    mia = person(505, "Mia", "en")
    welcome = await mia.says(f"/start {code}")
    assert "registered as staff" in welcome.text
    issued = await mia.taps("Invite a member")
    assert "https://t.me/kyodo_coop_bot?start=" in issued.text
    new_code = issued.text.split("?start=")[1].split()[0]
    joined = await person(506, "Ken", "en").says(f"/start {new_code}")
    assert "registered as a member" in joined.text


async def test_a_used_code_is_refused(kyodo, person):
    code = await invite_code(kyodo.settings)
    await person(507, "A", "en").says(f"/start {code}")
    answer = await person(508, "B", "en").says(f"/start {code}")
    assert "already been used" in answer.text


async def test_an_expired_code_is_refused(kyodo, person):
    now = SystemClock().now()
    async with open_store(kyodo.settings) as store, store.uow() as uow:
        await uow.invites.add(
            Invite(
                code_hash("ABCDEFGH"),
                Role.MEMBER,
                None,
                now - timedelta(days=4),
                now - timedelta(days=1),
            )
        )
        await uow.commit()
    answer = await person(509, "C", "en").says("/start ABCD-EFGH")
    assert "expired" in answer.text


async def test_the_language_switch_is_remembered(kyodo, person):
    hanako = person(510, "花子", "ja")
    await hanako.says("/language")
    changed = await hanako.taps("English")
    assert "I will speak English from now on." in changed.text
    assert "Help" in (await hanako.says("/help")).text


async def test_cancel_mid_dialog_leaves_it(kyodo, person):
    john = person(511, "John", "en")
    await john.says("/start")
    await john.taps("invite code")
    assert "Cancelled." in (await john.says("/cancel")).text
    assert "Kyodo could not read that." in (await john.says("ABCD-EFGH")).text


async def test_a_restart_mid_dialog_resumes_where_the_person_left_off(
    sandbox, transport, kyodo_db, person
):
    settings = kyodo_settings(sandbox, transport, kyodo_db)
    john = person(512, "John", "en")
    async with KyodoApp(settings):
        await john.says("/start")
        await john.taps("invite code")
    code = await invite_code(settings)
    async with KyodoApp(settings):
        assert "registered as a member" in (await john.says(code)).text


async def test_forged_button_data_gets_a_refusal(kyodo, sandbox, person):
    john = person(513, "John", "en")
    await john.says("/start")
    answer = await john.presses_data("inv:admin")
    assert "not allowed" in answer.text
    answers = await sandbox.wait_for_callback_answers(1)
    assert answers[-1].get("text") == "Sorry, you are not allowed to do that."


async def test_a_sticker_or_photo_where_text_was_expected_is_explained(kyodo, sandbox, person):
    john = person(514, "John", "en")
    await john.says("/start")
    await john.taps("invite code")
    before = len(john.messages)
    sandbox.user_sends_sticker(john.user)
    sticker = (await sandbox.wait_for_messages(john.id, before + 1, timeout=10))[-1]
    assert "only read text messages and button taps" in sticker.text
    sandbox.user_sends_photo(john.user, caption="my code")
    photo = (await sandbox.wait_for_messages(john.id, before + 2, timeout=10))[-1]
    assert "only read text messages and button taps" in photo.text


async def test_a_5000_character_message_is_refused_clearly(kyodo, person):
    answer = await person(515, "花子", "ja").says("あ" * 5000)
    assert "メッセージが長すぎます（5,000文字）" in answer.text


async def test_a_group_chat_is_told_kyodo_works_in_private(kyodo, sandbox, person):
    john = person(516, "John", "en")
    sandbox.user_sends(john.user, "/start", {"id": -1000516, "type": "group", "title": "Co-op"})
    notice = (await sandbox.wait_for_messages(-1000516, 1, timeout=10))[-1]
    assert "only talk in private chats" in notice.text


async def test_the_same_update_delivered_twice_is_handled_once(kyodo, sandbox, person):
    john = person(517, "John", "en")
    update = sandbox.user_sends(john.user, "/help")
    await sandbox.wait_for_messages(john.id, 1, timeout=10)
    sandbox.deliver_twice(update)
    await john.says("/menu")  # a later update, so the duplicate has certainly been seen
    assert [m.text.split("\n")[0] for m in john.messages] == ["Help", "What would you like to do?"]
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        stored = await db.scalar(select(func.count()).select_from(InboxRow))
    assert stored == 2


async def test_wanting_a_service_opens_the_request_form(kyodo, person):
    staff = person(518, "Mia", "en")
    await staff.says(f"/start {await invite_code(kyodo.settings, Role.STAFF)}")
    tome = person(519, "トメ", "ja")
    await tome.says("/start")
    form = await tome.taps("サービス")
    assert "どのサービスをご希望ですか" in form.text
    async with open_store(kyodo.settings) as store, store.engine.connect() as db:
        names = (await db.scalars(select(PersonRow.display_name))).all()
    assert "トメ" in names
    # Staff get the request's card when it is sent (tests/e2e/test_requests_e2e.py), not before.
    assert len(staff.messages) == 1


async def test_the_command_menu_is_registered_in_both_languages(kyodo, sandbox):
    calls = {
        c.params.get("language_code"): c.params["commands"]
        for c in sandbox.calls_of("setMyCommands")
    }
    assert set(calls) == {None, "ja", "en"}
    english = {c["command"]: c["description"] for c in calls["en"]}
    assert english["cancel"] == "Stop what you are doing"
    assert {c["command"] for c in calls["ja"]} == {
        "start",
        "menu",
        "hours",
        "reminders",
        "help",
        "language",
        "cancel",
    }
    assert calls[None] == calls["ja"]  # the co-op's default language for everyone else
