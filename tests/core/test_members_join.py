"""Joining as an imported person, and naming oneself after an ordinary invite: transcripts.

With a letter's code (deep link or typed) the person's name, language and centres are the
import's, no stand-in "ゲスト"; a stand-in row made before the code (a language chosen first)
is removed in the same transaction; their centre's staff are told. With an ordinary invite the
person is asked their name, the messenger profile's offered as a button."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
import zxingcpp

from bot.domain.invites import display_code
from bot.domain.people import Actor, NewPerson, Role
from bot.letters import DEFAULT_FONT, render_letters
from bot.services import member_import
from bot.services.invites import issue_invite
from tests.fakes.chat import User

ADMIN = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
CSV = (
    "name,kana,centres,language,role\n"
    "田中 一郎,タナカ イチロウ,中央ケアセンター,ja,member\n"
    "Maria Santos,マリア サントス,中央ケアセンター,en,volunteer\n"
)
STAFF_CHUO = User(900, "佐藤", "ja")
STAFF_MINATO = User(901, "Kato", "en")
GUEST = User(555, "ゲスト", "ja")


async def _imported(store, clock) -> dict[str, str]:
    async with store.uow() as uow:
        chuo = await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        minato = await uow.centres.add("港センター", "Minato Centre")
        for user, centre in ((STAFF_CHUO, chuo), (STAFF_MINATO, minato)):
            staff = await uow.people.add(
                NewPerson(user.id, user.name, user.language, clock.now(), roles={Role.STAFF})
            )
            await uow.memberships.add(staff.id, centre.id)
        report = await member_import.import_members(
            uow, ADMIN, CSV.encode(), clock.now(), letters=True
        )
        await uow.commit()
    return {letter.person.display_name: letter.code for letter in report.letters}


async def make_invite(store, clock) -> str:
    async with store.uow() as uow:
        invite = await issue_invite(uow, ADMIN, Role.MEMBER, clock.now(), 72)
        await uow.commit()
    return invite.code


def _person_of(store, telegram_id: int):
    return next(p for p in store.state.people.values() if p.telegram_user_id == telegram_id)


async def test_a_deep_link_makes_the_redeemer_the_imported_person_and_tells_centre_staff(
    chat, memory_store, clock
):
    codes = await _imported(memory_store, clock)
    turn = await chat.send(GUEST, f"/start {codes['田中 一郎']}")
    assert "田中 一郎さん" in turn.text and "ゲスト" not in turn.text
    assert "組合員として登録しました" in turn.text
    person = _person_of(memory_store, GUEST.id)
    assert person.display_name == "田中 一郎" and Role.MEMBER in person.roles
    assert (
        len([p for p in memory_store.state.people.values() if p.display_name == "田中 一郎"]) == 1
    )
    told = [m.text for m in chat.delivered.get(STAFF_CHUO.id, [])]
    assert told == [
        "田中 一郎さん（組合員）が案内状のコードでKyodoに参加しました。所属：中央ケアセンター"
    ]
    assert chat.delivered.get(STAFF_MINATO.id, []) == []  # not their centre


async def test_a_typed_code_after_choosing_a_language_merges_the_stand_in_and_speaks_english(
    chat, memory_store, clock
):
    codes = await _imported(memory_store, clock)
    maria = User(556, "mmm", "ja")
    turn = await chat.send(maria, "/language")
    await chat.press(maria, turn.data_for("English"))  # a stand-in person row, no role
    turn = await chat.send(maria, "/join")
    turn = await chat.send(maria, display_code(codes["Maria Santos"]).lower())
    assert "Welcome, Maria Santos!" in turn.text and "volunteer" in turn.text
    assert [
        p.display_name for p in memory_store.state.people.values() if p.telegram_user_id == maria.id
    ] == ["Maria Santos"]
    assert "mmm" not in {p.display_name for p in memory_store.state.people.values()}
    told = [m.text for m in chat.delivered.get(STAFF_CHUO.id, [])]
    assert told == [
        "Maria Santosさん（ボランティア）が案内状のコードでKyodoに参加しました。"
        "所属：中央ケアセンター"
    ]


async def test_a_letter_code_used_twice_and_an_account_of_someone_else_are_refused(
    chat, memory_store, clock
):
    codes = await _imported(memory_store, clock)
    await chat.send(GUEST, f"/start {codes['田中 一郎']}")
    other = User(557, "誰か", "ja")
    turn = await chat.send(other, f"/start {codes['田中 一郎']}")
    assert "すでに使われています" in turn.text
    # Staff's own account cannot become an imported member.
    turn = await chat.send(STAFF_MINATO, f"/start {codes['Maria Santos']}")
    assert "already registered as someone else" in turn.text
    assert _person_of(memory_store, STAFF_MINATO.id).display_name == "Kato"


async def test_an_ordinary_invite_asks_the_name_with_the_profile_name_offered(
    chat, memory_store, clock
):
    code = await make_invite(memory_store, clock)
    turn = await chat.send(GUEST, f"/start {code}")
    assert "組合員として登録しました" in turn.text  # welcomed, with the menu, then asked
    assert "お名前を教えてください" in turn.text
    assert [label for label, _ in turn.messages[-1].buttons[0]] == ["「ゲスト」にする"]
    assert len(turn.messages) == 1  # one message: its buttons are the name and the menu
    turn = await chat.send(GUEST, "x" * 65)
    assert "名前が長すぎます" in turn.text
    turn = await chat.send(GUEST, "ＹＡＭＡＤＡ　花子")
    assert "YAMADA 花子さん、ありがとうございます" in turn.text and "組合員メニュー" in turn.text
    assert _person_of(memory_store, GUEST.id).display_name == "YAMADA 花子"


@pytest.mark.parametrize(
    ("telegram", "language"),
    [("ja", "ja"), ("en", "en"), ("ja", "ja-easy")],
    ids=["ja", "en", "ja-easy"],
)
async def test_the_profile_name_is_kept_with_one_tap(
    chat, memory_store, clock, i18n, telegram, language
):
    """In each language; Easy Japanese is chosen at the first /start, as its readers do."""
    code = await make_invite(memory_store, clock)
    john = User(558, "John", telegram)
    if language == "ja-easy":
        await chat.send(john, "/start")
        await chat.tap(john, "やさしい にほんご")
    turn = await chat.send(john, f"/join {code}")
    assert i18n.text("members.join.ask_name_or_keep", language) in turn.text
    keep = i18n.text("members.join.keep_name", language, {"name": "John"})
    turn = await chat.tap(john, keep)
    assert i18n.text("members.join.named", language, {"name": "John"}) in turn.text
    assert _person_of(memory_store, john.id).display_name == "John"


@pytest.mark.skipif(not DEFAULT_FONT.exists(), reason="the letters' font is not installed")
async def test_a_letter_read_by_a_phone_camera_opens_the_link_that_makes_you_that_person(
    chat, memory_store, clock, i18n
):
    async with memory_store.uow() as uow:
        await uow.centres.add("中央ケアセンター", "Chuo Care Centre")
        report = await member_import.import_members(
            uow, ADMIN, CSV.encode(), clock.now(), letters=True
        )
        await uow.commit()
    letters = member_import.to_letters(
        report.letters,
        bot_username="kyodo_coop_bot",
        tz=ZoneInfo("Asia/Tokyo"),
        default_locale="ja",
    )
    out = io.BytesIO()
    render_letters(letters, i18n, out)
    document = pdfium.PdfDocument(out.getvalue())
    links = []
    for index in range(len(document)):
        image = document[index].render(scale=150 / 72, grayscale=True).to_pil()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        links.append([code.text for code in codes])
    document.close()
    tanaka, maria = (letter.code for letter in report.letters)
    assert links == [
        [f"https://t.me/kyodo_coop_bot?start={tanaka}"],
        [f"https://t.me/kyodo_coop_bot?start={maria}"],
    ]
    # What Telegram sends when the link is opened: /start with the code.
    start = links[1][0].split("?start=")[1]
    turn = await chat.send(User(559, "m", "en"), f"/start {start}")
    assert "Welcome, Maria Santos!" in turn.text


async def test_mydata_shows_what_the_roster_holds_and_forget_removes_it(chat, memory_store, clock):
    codes = await _imported(memory_store, clock)
    await chat.send(GUEST, f"/start {codes['田中 一郎']}")
    turn = await chat.send(GUEST, "/mydata")
    assert "組合員名簿から：フリガナ タナカ イチロウ、電話番号 —" in turn.text
    person = _person_of(memory_store, GUEST.id)
    await chat.send(GUEST, "/forget")
    await chat.press_shown(GUEST, "pd:yes")
    assert person.id not in memory_store.state.roster
