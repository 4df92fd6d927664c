"""The desk's Messages page over plain HTTP, against Kyodo running for real: a member's message
to the staff is listed as waiting, opened (the look is audited), answered with the CSRF token
(the member gets the answer in Telegram, in their language), and then listed as answered; a
photo cannot be fetched without Telegram (the sandbox), which the desk says; an answer without
the CSRF token changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.domain.conversations import MediaKind
from bot.i18n import I18n
from sandbox.botapi import file_bytes
from storage.models import AuditRow
from tests.desk.conftest import MARIA, Desk, DeskClient, writes
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

SANDBOX_PHOTO = "photo-0123456789abcdef-800"  # a file id of the kind the sandbox hands out
pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]


async def test_staff_read_and_answer_a_message_on_the_desk(desk: Desk, web: DeskClient):
    maria = desk.person(MARIA, "Maria Santos", "en")
    conversation_id, _ = await writes(desk, MARIA, "I lost my code")
    _, photo_id = await writes(desk, MARIA, "", media=MediaKind.PHOTO, file_id=SANDBOX_PHOTO)
    await web.sign_in()
    listed = await web.get("/conversations")
    assert listed.status == 200 and listed.h1 == "スタッフへの相談"
    assert (
        f"#{conversation_id} Maria Santos" in listed.main and "返事を待っている相談" in listed.main
    )

    opened = await web.get(f"/conversations/{conversation_id}")
    assert "I lost my code" in opened.main and "Maria Santosさんは英語で読みます。" in opened.main
    assert f'src="/desk/conversations/media/{photo_id}"' in opened.html

    forged = await web.post(f"/conversations/{conversation_id}", {"text": "forged"})
    assert forged.status == 403

    csrf = opened.input("csrf")
    before = len(maria.messages)
    sent = await web.post(
        f"/conversations/{conversation_id}", {"text": "We will send a new code.", "csrf": csrf}
    )
    assert sent.status == 200 and "返事を送りました。" in sent.main
    assert "We will send a new code." in sent.main
    arrived = await desk.sandbox.wait_for_messages(MARIA, before + 1, timeout=10)
    answer = arrived[-1].text
    assert "A reply from the staff" in answer and "We will send a new code." in answer

    empty = await web.post(f"/conversations/{conversation_id}", {"text": " ", "csrf": csrf})
    assert empty.status == 400 and "メッセージが空です" in empty.main

    after = await web.get("/conversations")
    assert "返事をした相談" in after.main and "返事を待っている相談はありません。" in after.main

    # The photo comes from Telegram (the sandbox's getFile and file URL), streamed, not kept.
    async with web.http.get(f"{desk.base}/conversations/media/{photo_id}") as response:
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert response.headers["Cache-Control"] == "no-store"
        assert await response.read() == file_bytes(SANDBOX_PHOTO)
    # A file Telegram no longer has: the desk says so.
    _, gone_id = await writes(desk, MARIA, "", media=MediaKind.VOICE, file_id="AwACgone")
    gone = await web.get(f"/conversations/media/{gone_id}")
    assert gone.status == 404 and "ファイルを表示できません" in gone.main

    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.action, AuditRow.subject).where(AuditRow.action.like("conversation.%"))
        )
        actions = {(row.action, row.subject) for row in rows}
    subject = f"conversation:{conversation_id}"
    assert {
        ("conversation.viewed", subject),
        ("conversation.answered", subject),
        ("conversation.media_handed", subject),
    } <= actions


async def test_an_admin_sets_a_centre_s_office_hours(desk: Desk, web: DeskClient):
    await web.sign_in()
    async with await desk.store() as store, store.uow() as uow:
        centre = (await uow.centres.all())[0]
    fields = {
        "name_ja": centre.name_ja,
        "name_en": centre.name_en,
        "phone": "03-3333-0000",
        "kinds": [k.value for k in centre.kinds],
        "areas": "\n".join(centre.areas),
    }
    page = await web.get(f"/centres/{centre.id}")
    assert "電話の受付時間" in page.main
    csrf = page.input("csrf")
    bad = await web.post(
        f"/centres/{centre.id}", {**fields, "office_hours": "平日9時から", "csrf": csrf}
    )
    assert bad.status == 400 and "受付時間は「mon-fri 09:00-17:00" in bad.main
    assert bad.input("office_hours") == "平日9時から"  # what was typed is kept
    saved = await web.post(
        f"/centres/{centre.id}",
        {**fields, "office_hours": "Mon-Fri 9:00-17:00; sat 09:00-12:00", "csrf": csrf},
    )
    assert saved.status == 200
    assert saved.input("office_hours") == "mon-fri 09:00-17:00; sat 09:00-12:00"
    async with await desk.store() as store, store.uow() as uow:
        stored = await uow.centres.get(centre.id)
    assert stored is not None and [s.code() for s in stored.office_hours] == [
        "mon-fri 09:00-17:00",
        "sat 09:00-12:00",
    ]


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy"])
async def test_a_request_s_voice_note_is_played_from_telegram_on_its_page(
    desk: Desk, web: DeskClient, i18n: I18n, language: str
):
    voice = "voice-fedcba9876543210"
    request_id = await desk.service_request(voice_file_ids=(voice,))
    home = await web.sign_in()
    if language != "ja":  # staff who read English or Easy Japanese switch the desk's language
        await web.post("/language", {"csrf": home.input("csrf"), "locale": language, "back": "/"})
    page = await web.get(f"/requests/{request_id}")
    assert i18n.text("help.desk.request_files", language) in page.main
    assert f'href="/desk/requests/{request_id}/files/1"' in page.html
    async with web.http.get(f"{desk.base}/requests/{request_id}/files/1") as response:
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        assert await response.read() == file_bytes(voice)
    missing = await web.get(f"/requests/{request_id}/files/2")
    assert missing.status == 404
    async with await desk.store() as store, store.engine.connect() as db:
        rows = await db.execute(
            select(AuditRow.subject).where(AuditRow.action == "request.file_handed")
        )
        assert [row.subject for row in rows] == [f"service_request:{request_id}"]
