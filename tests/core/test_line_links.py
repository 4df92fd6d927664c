"""LINE's add-friend link in invites and letters, and joining on LINE by typing the code.

LINE's add-friend link (`https://line.me/R/ti/p/%40<id>`) carries no code, unlike Telegram's
deep link: staff's invites and the letters give it beside the code, and a person of no role on
LINE who then types the code joins exactly as through the join dialog. Transcripts over the
core's chat harness; a LINE person is a chat whose id is LINE's (bot.domain.channels)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.config import ConfigError, load_settings
from bot.dialogs.engine import DialogSettings
from bot.domain.channels import add_friend_link, basic_id, line_chat_id
from bot.domain.people import Actor, NewPerson, Role
from bot.letters import DEFAULT_FONT, render_letters
from bot.rendering import Renderer
from bot.services import member_import
from bot.services.invites import issue_invite
from tests.fakes.chat import ChatHarness, User
from tests.fixtures.core import conversation_on

LINK = "https://line.me/R/ti/p/%40123abcde"
ADMIN = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
CSV = "name,kana,centres,language,role\n田中 一郎,タナカ イチロウ,中央ケアセンター,ja,member\n"
ON_LINE = User(line_chat_id(7), "たなか", "ja")
STAFF = User(900, "佐藤", "ja")


@pytest.fixture
def line_chat(memory_store, i18n, clock):
    settings = DialogSettings(
        bot_username="kyodo_test_bot",
        invite_ttl_hours=72,
        max_text_length=1000,
        default_locale="ja",
        line_add_friend=LINK,
    )
    return ChatHarness(
        memory_store, conversation_on(memory_store, Renderer(i18n), settings, clock), clock
    )


async def _imported(store, clock) -> str:
    async with store.uow() as uow:
        await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        report = await member_import.import_members(
            uow, ADMIN, CSV.encode(), clock.now(), letters=True
        )
        await uow.commit()
    [letter] = report.letters
    return letter.code


def test_the_basic_id_is_read_as_typed_and_its_at_sign_url_encoded():
    assert basic_id("@123abcde") == "@123abcde"
    assert basic_id("＠１２３ＡＢＣＤＥ ") == "@123abcde"  # full-width, upper case, a space
    assert basic_id("123abcde") == "@123abcde"
    assert add_friend_link("@123abcde") == LINK
    for bad in ("", "@", "@ab", "@12 3abcde", "@123abcde/../x", "@" + "a" * 30):
        with pytest.raises(ValueError):
            basic_id(bad)


def test_the_setting_gives_the_link_and_a_bad_one_stops_kyodo():
    assert load_settings({"LINE_BOT_BASIC_ID": "@123ABCDE"}).line_add_friend == LINK
    assert load_settings({}).line_add_friend is None
    with pytest.raises(ConfigError, match="LINE_BOT_BASIC_ID"):
        load_settings({"LINE_BOT_BASIC_ID": "https://line.me/R/ti/p/@123abcde"})


async def test_staff_see_the_add_friend_link_beside_the_code(line_chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(NewPerson(STAFF.id, STAFF.name, "ja", clock.now(), roles={Role.STAFF}))
        await uow.commit()
    turn = await line_chat.press(STAFF, "inv:member")
    assert "https://t.me/kyodo_test_bot?start=" in turn.text
    assert (
        f"LINE を使う方は、このリンクで Kyodo を友だちに追加し、招待コードを送ります：{LINK}"
        in (turn.text)
    )


async def test_without_the_setting_an_invite_has_telegrams_link_only(chat, memory_store, clock):
    async with memory_store.uow() as uow:
        await uow.people.add(NewPerson(STAFF.id, STAFF.name, "ja", clock.now(), roles={Role.STAFF}))
        await uow.commit()
    turn = await chat.press(STAFF, "inv:member")
    assert "https://t.me/kyodo_test_bot?start=" in turn.text
    assert "line.me" not in turn.text


async def test_a_letters_reader_on_line_adds_the_account_and_types_the_code(
    line_chat, memory_store, clock
):
    code = await _imported(memory_store, clock)
    await line_chat.send(ON_LINE, "/start")  # the follow event of the add-friend link
    typed = f"{code[:4].lower()}－{code[4:]}"  # as a phone's keyboard may give it
    turn = await line_chat.send(ON_LINE, typed)
    assert "田中 一郎さん" in turn.text and "組合員として登録しました" in turn.text
    [person] = [p for p in memory_store.state.people.values() if p.telegram_user_id == ON_LINE.id]
    assert person.display_name == "田中 一郎" and Role.MEMBER in person.roles


async def test_a_wrong_code_on_line_is_answered_and_the_next_try_is_read_as_a_code(
    line_chat, memory_store, clock
):
    async with memory_store.uow() as uow:
        invite = await issue_invite(uow, ADMIN, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    turn = await line_chat.send(ON_LINE, "ABCD-EFGH")
    assert "その招待コードは見つかりませんでした" in turn.text
    turn = await line_chat.send(ON_LINE, invite.code)
    assert "組合員として登録しました" in turn.text


async def test_a_member_on_line_typing_eight_letters_is_not_asked_for_a_code(
    line_chat, memory_store, clock
):
    code = await _imported(memory_store, clock)
    await line_chat.send(ON_LINE, code)
    async with memory_store.uow() as uow:
        other = await issue_invite(uow, ADMIN, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    await line_chat.send(ON_LINE, other.code)  # a member already: not redeemed
    assert [i for i in memory_store.state.invites.values() if i.used_by is None] != []


async def test_on_telegram_a_code_typed_outside_the_dialog_is_not_redeemed(
    line_chat, memory_store, clock
):
    code = await _imported(memory_store, clock)
    turn = await line_chat.send(User(555, "ゲスト", "ja"), code)  # the deep link carries it
    assert "登録しました" not in turn.text


@pytest.mark.skipif(not DEFAULT_FONT.exists(), reason="the letters' font is not installed")
async def test_a_letter_has_the_add_friend_qr_code_that_a_phone_reads(
    line_chat, memory_store, clock, i18n
):
    await _imported(memory_store, clock)
    async with memory_store.uow() as uow:
        report = await member_import.reprint(
            uow, ADMIN, next(iter(memory_store.state.people)), clock.now()
        )
        await uow.commit()
    code = report.code
    letters = member_import.to_letters(
        [report],
        bot_username="kyodo_coop_bot",
        tz=ZoneInfo("Asia/Tokyo"),
        default_locale="ja",
        line_add_friend=load_settings({"LINE_BOT_BASIC_ID": "@123abcde"}).line_add_friend,
    )
    out = io.BytesIO()
    render_letters(letters, i18n, out)
    document = pdfium.PdfDocument(out.getvalue())
    page = document[0]
    image = page.render(scale=150 / 72, grayscale=True).to_pil()
    read = sorted(
        c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    )
    textpage = page.get_textpage()
    text = str(textpage.get_text_range())
    textpage.close()
    page.close()
    document.close()
    assert read == sorted([f"https://t.me/kyodo_coop_bot?start={code}", LINK])
    assert "右の QRコードで Kyodo を友だちに追加し、招待コードを送ります" in text.replace(
        "\r\n", ""
    )
    # What the camera opens: LINE adds the account (a follow: /start), then the code is typed.
    await line_chat.send(ON_LINE, "/start")
    turn = await line_chat.send(ON_LINE, code)
    assert "田中 一郎さん" in turn.text
