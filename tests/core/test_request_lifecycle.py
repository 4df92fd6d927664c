"""A service request's life through the services: transitions, history, audit, the resident's
notices in their own language, refusals of forged or out-of-role actions, and races to take it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.dialogs.engine import DialogSettings
from bot.domain.errors import DomainError, InvalidInput, PermissionDenied
from bot.domain.people import Actor, NewPerson, Role
from bot.domain.requests import (
    DEFAULT_AREAS,
    RequestAction,
    RequestStatus,
    actions_from,
    next_status,
    parse_phone,
    parse_reference,
)
from bot.notices.bus import Consequences
from bot.rendering import Renderer
from bot.services import requests as rq
from tests.fakes.memory_store import ConflictingUnitsError
from tests.fixtures.forms import TODAY, form
from tests.fixtures.people import demo, person_id, plain

NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # 9:00 in Tokyo
STAFF_TG, RESIDENT_TG, MEMBER_TG = 1001, 4001, 2001
ENGLISH_TG = 4002


@pytest.fixture
async def store(memory_store, clock, i18n):
    # Wired as the composition root wires it: what services record is told and carded.
    memory_store.publish = Consequences(
        Renderer(i18n),
        DialogSettings(
            bot_username="kyodo_test_bot",
            invite_ttl_hours=72,
            max_text_length=1000,
            default_locale="ja",
        ),
    )
    await demo(memory_store, clock)
    async with memory_store.uow() as uow:
        await uow.people.add(
            NewPerson(ENGLISH_TG, "Ann Smith", "en", NOW, roles=frozenset({Role.RESIDENT}))
        )
        await uow.commit()
    return memory_store


def actor(store, telegram_id: int) -> Actor:
    person = store.state.people[person_id(store, telegram_id)]
    return Actor(person.id, person.roles, person.locale or person.telegram_language or "ja")


async def submitted(store, telegram_id: int = RESIDENT_TG, **changes) -> int:
    async with store.uow() as uow:
        view = await rq.submit(
            uow,
            actor(store, telegram_id),
            form(**changes),
            consent=True,
            today=TODAY,
            areas=DEFAULT_AREAS,
            now=NOW,
        )
        await uow.commit()
    return view.request.id


async def staff_does(store, i18n, action: str, request_id: int, *args, who: int = STAFF_TG):
    """Runs one staff action as a card button does: a refusal's audit row is committed too."""
    async with store.uow() as uow:
        try:
            result = await getattr(rq, action)(uow, actor(store, who), request_id, *args, NOW)
        except PermissionDenied:
            await uow.commit()
            raise
        await uow.commit()
    return result


def sent_to(store, telegram_id: int) -> list[str]:
    return [
        plain(r.message.text)
        for _, r in sorted(store.state.outbox.items())
        if r.message.chat_id == telegram_id
    ]


def centre_id(store, name_en: str) -> int:
    return next(c.id for c in store.state.centres.values() if c.name_en == name_en)


# --- The domain rules ---------------------------------------------------------------------------


def test_the_allowed_moves_are_one_table():
    assert next_status(RequestStatus.RECEIVED, RequestAction.TAKEN) is RequestStatus.UNDER_REVIEW
    assert next_status(RequestStatus.ACCEPTED, RequestAction.SCHEDULED) is RequestStatus.SCHEDULED
    assert next_status(RequestStatus.SCHEDULED, RequestAction.ASKED) is RequestStatus.SCHEDULED
    for closed in (RequestStatus.DONE, RequestStatus.DECLINED, RequestStatus.CANCELLED):
        assert actions_from(closed) == []
    with pytest.raises(InvalidInput) as refused:
        next_status(RequestStatus.RECEIVED, RequestAction.DONE)
    assert refused.value.code == "request_transition"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("０９０－１２３４－５６７８", "090-1234-5678"),
        ("090 1234 5678", "090-1234-5678"),
        ("+81 90-1234-5678", "090-1234-5678"),
        ("03(1234)5678", "03-1234-5678"),
        ("090ー1234ー5678", "090-1234-5678"),
    ],
)
def test_japanese_phone_numbers_are_accepted_however_typed(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "+1 650 253 0000", "電話", "", "0" * 40, "090-1234"])
def test_wrong_phone_numbers_are_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_phone(typed)
    assert refused.value.code == "phone_invalid"


def test_references_read_aloud_are_understood_however_typed():
    assert parse_reference("ｋ－２６１１－００４２") == "K-2611-0042"
    assert parse_reference("k26110042") == "K-2611-0042"
    with pytest.raises(InvalidInput):
        parse_reference("K-2613-0001")


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_the_phone_parser_raises_only_its_own_error(text):
    try:
        parsed = parse_phone(text)
    except InvalidInput as error:
        assert error.code == "phone_invalid"
    else:
        assert parse_phone(parsed) == parsed  # what it stores, it reads back the same


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_the_reference_parser_raises_only_its_own_error(text):
    try:
        parse_reference(text)
    except InvalidInput as error:
        assert error.code == "reference_invalid"


def test_the_service_areas_come_from_the_setting():
    settings = load_settings({"KYODO_SERVICE_AREAS": "kita:北区:Kita; ota:大田区:Ota"})
    assert [(a.code, a.name("ja"), a.name("en")) for a in settings.service_areas] == [
        ("kita", "北区", "Kita"),
        ("ota", "大田区", "Ota"),
    ]
    assert load_settings({}).service_areas == DEFAULT_AREAS
    for wrong in ("kita:北区", "Kita Ward:北区:Kita", "a:A:A;a:B:B"):
        with pytest.raises(ConfigError):
            load_settings({"KYODO_SERVICE_AREAS": wrong})


# --- Submitting ---------------------------------------------------------------------------------


async def test_a_request_gets_the_months_next_reference_and_its_history(store):
    first = await submitted(store)
    second = await submitted(store, ENGLISH_TG)
    got = store.state.service_requests
    assert [got[first].reference, got[second].reference] == ["K-2611-0001", "K-2611-0002"]
    assert got[first].phone == "090-1234-5678"
    assert got[first].status is RequestStatus.RECEIVED
    history = [c for c in store.state.request_changes.values() if c.request_id == first]
    assert [(c.action, c.to_status) for c in history] == [
        (RequestAction.SUBMITTED, RequestStatus.RECEIVED)
    ]


async def test_without_consent_nothing_is_stored(store):
    async with store.uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            await rq.submit(
                uow,
                actor(store, RESIDENT_TG),
                form(),
                consent=False,
                today=TODAY,
                areas=DEFAULT_AREAS,
                now=NOW,
            )
        await uow.commit()
    assert refused.value.code == "consent_required"
    assert not any(r.reference.startswith("K-2611") for r in store.state.service_requests.values())


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"phone": "12345"}, "phone_invalid"),
        ({"address": "  "}, "address_empty"),
        ({"details": "あ" * 5000}, "details_too_long"),
        ({"days": (TODAY - timedelta(days=1),)}, "date_past"),
        ({"area": "atlantis"}, "area_unknown"),
    ],
)
async def test_the_service_rechecks_every_field(store, changes, code):
    async with store.uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            await rq.submit(
                uow,
                actor(store, RESIDENT_TG),
                form(**changes),
                consent=True,
                today=TODAY,
                areas=DEFAULT_AREAS,
                now=NOW,
            )
    assert refused.value.code == code


# --- Staff moving it along ----------------------------------------------------------------------


async def test_the_whole_life_with_a_notice_at_each_step_in_japanese(store, i18n):
    request_id = await submitted(store)
    chuo = centre_id(store, "Chuo Care Centre")
    await staff_does(store, i18n, "take", request_id)
    await staff_does(store, i18n, "accept", request_id, chuo, NOW + timedelta(days=1, hours=1))
    await staff_does(store, i18n, "schedule", request_id, NOW + timedelta(days=3))
    view = await staff_does(store, i18n, "done", request_id)
    assert view.request.status is RequestStatus.DONE
    assert view.centre is not None and view.centre.id == chuo
    told = sent_to(store, RESIDENT_TG)
    assert len(told) == 4
    assert "K-2611-0001" in told[0] and "確認しています" in told[0]
    assert "中央ケアセンター" in told[1] and "11月23日（月） 10:00" in told[1]
    assert "11月25日（水） 9:00" in told[2]
    assert "完了しました" in told[3]
    changes = [c for c in store.state.request_changes.values() if c.request_id == request_id]
    staff = person_id(store, STAFF_TG)
    assert [(c.action, c.actor_person_id) for c in changes[1:]] == [
        (RequestAction.TAKEN, staff),
        (RequestAction.ACCEPTED, staff),
        (RequestAction.SCHEDULED, staff),
        (RequestAction.DONE, staff),
    ]
    audited = [a.action for a in store.state.audit if a.subject == f"service_request:{request_id}"]
    assert audited[1:] == ["request.taken", "request.accepted", "request.scheduled", "request.done"]


async def test_an_english_resident_is_told_in_english_with_the_reason(store, i18n):
    request_id = await submitted(store, ENGLISH_TG)
    await staff_does(store, i18n, "decline", request_id, "We do not serve this area yet.")
    [notice] = sent_to(store, ENGLISH_TG)
    assert "cannot take on your request K-2611-0001" in notice
    assert "We do not serve this area yet." in notice


async def test_a_decline_needs_a_reason(store, i18n):
    request_id = await submitted(store)
    with pytest.raises(InvalidInput) as refused:
        await staff_does(store, i18n, "decline", request_id, "   ")
    assert refused.value.code == "reason_empty"
    assert store.state.service_requests[request_id].status is RequestStatus.RECEIVED


async def test_a_step_that_does_not_fit_the_status_is_refused(store, i18n):
    request_id = await submitted(store)
    with pytest.raises(InvalidInput) as refused:
        await staff_does(store, i18n, "done", request_id)
    assert refused.value.code == "request_transition"
    with pytest.raises(InvalidInput):
        await staff_does(store, i18n, "schedule", request_id, NOW - timedelta(hours=1))


async def test_assigning_a_centre_puts_it_under_review_once(store, i18n):
    request_id = await submitted(store)
    chuo = centre_id(store, "Chuo Care Centre")
    minato = centre_id(store, "Minato Building Cleaning Centre")
    await staff_does(store, i18n, "assign_centre", request_id, chuo)
    view = await staff_does(store, i18n, "assign_centre", request_id, minato)
    assert view.request.centre_id == minato
    assert view.request.status is RequestStatus.UNDER_REVIEW
    assert len(sent_to(store, RESIDENT_TG)) == 1


async def test_a_closed_centre_is_given_no_new_request(store, i18n):
    request_id = await submitted(store)
    chuo = centre_id(store, "Chuo Care Centre")
    store.state.centres[chuo] = replace(store.state.centres[chuo], closed_at=NOW)
    with pytest.raises(InvalidInput) as refused:
        await staff_does(store, i18n, "assign_centre", request_id, chuo)
    assert refused.value.code == "unknown_centre"
    assert store.state.service_requests[request_id].centre_id is None


async def test_the_second_taker_is_told_who_has_it(store, i18n):
    request_id = await submitted(store)
    async with store.uow() as uow:
        await uow.people.add_role(person_id(store, MEMBER_TG), Role.STAFF)
        await uow.people.add_role(person_id(store, MEMBER_TG), Role.COORDINATOR)
        await uow.commit()
    await staff_does(store, i18n, "take", request_id)
    with pytest.raises(DomainError) as lost:
        await staff_does(store, i18n, "take", request_id, who=MEMBER_TG)
    assert lost.value.code == "request_already_taken"
    assert lost.value.details["by"] == "佐藤 花子"
    # The winner pressing again is harmless.
    again = await staff_does(store, i18n, "take", request_id)
    assert again.request.status is RequestStatus.UNDER_REVIEW
    assert len(sent_to(store, RESIDENT_TG)) == 1


async def test_two_units_taking_at_once_cannot_both_commit(store, i18n):
    request_id = await submitted(store)
    staff = actor(store, STAFF_TG)
    first, second = store.uow(), store.uow()
    async with first, second:
        for uow in (first, second):
            await rq.take(uow, staff, request_id, NOW)
        await first.commit()
        with pytest.raises(ConflictingUnitsError):
            await second.commit()


# --- Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [RESIDENT_TG, MEMBER_TG])
async def test_a_staff_action_by_a_resident_or_member_is_refused_and_audited(store, i18n, who):
    request_id = await submitted(store)
    with pytest.raises(PermissionDenied):
        await staff_does(store, i18n, "take", request_id, who=who)
    assert store.state.service_requests[request_id].status is RequestStatus.RECEIVED
    refused = [a for a in store.state.audit if a.action == "request.refused"]
    assert [(a.actor_person_id, a.subject) for a in refused] == [
        (person_id(store, who), f"service_request:{request_id}")
    ]


async def test_a_forged_request_id_is_refused_and_audited(store, i18n):
    with pytest.raises(PermissionDenied):
        await staff_does(store, i18n, "done", 999)
    assert [a.subject for a in store.state.audit if a.action == "request.refused"] == [
        "service_request:999"
    ]


async def test_a_resident_cannot_cancel_anothers_request(store):
    request_id = await submitted(store)
    queued = len(store.state.outbox)
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await rq.cancel_mine(uow, actor(store, ENGLISH_TG), request_id, NOW)
        await uow.commit()  # the caller keeps the refusal's audit row
    assert len(store.state.outbox) == queued  # nobody is told anything
    assert store.state.service_requests[request_id].status is RequestStatus.RECEIVED
    assert any(a.action == "request.refused" for a in store.state.audit)


# --- Questions and answers ----------------------------------------------------------------------


async def test_a_question_reaches_the_resident_and_the_answer_reaches_the_asker(store, i18n):
    request_id = await submitted(store)
    await staff_does(store, i18n, "take", request_id)
    await staff_does(store, i18n, "ask", request_id, "エレベーターはありますか?")
    question = [
        r.message for _, r in sorted(store.state.outbox.items()) if r.message.chat_id == RESIDENT_TG
    ][-1]
    assert "エレベーターはありますか?" in question.text
    assert question.buttons == ((("✏️ 質問に答える", f"rq:ans:{request_id}"),),)
    async with store.uow() as uow:
        answered = await rq.answer(uow, actor(store, RESIDENT_TG), request_id, "あります", NOW)
        await uow.commit()
    assert answered.asked_by is not None and answered.asked_by.telegram_user_id == STAFF_TG
    assert "あります" in sent_to(store, STAFF_TG)[-1]
    thread = sorted(store.state.request_messages.values(), key=lambda m: m.id)
    assert [(m.direction.value, m.text) for m in thread] == [
        ("question", "エレベーターはありますか?"),
        ("answer", "あります"),
    ]


async def test_the_resident_cancels_an_open_request_and_the_taker_is_told(store, i18n):
    request_id = await submitted(store)
    await staff_does(store, i18n, "take", request_id)
    async with store.uow() as uow:
        view = await rq.cancel_mine(uow, actor(store, RESIDENT_TG), request_id, NOW)
        await uow.commit()
    assert view.request.status is RequestStatus.CANCELLED
    assert "取り消されました" in sent_to(store, STAFF_TG)[-1]
    async with store.uow() as uow:
        with pytest.raises(InvalidInput):
            await rq.cancel_mine(uow, actor(store, RESIDENT_TG), request_id, NOW)


async def test_personal_fields_of_closed_requests_are_purged_after_retention(store, i18n):
    request_id = await submitted(store)
    await staff_does(store, i18n, "decline", request_id, "対象外の地域です")
    async with store.uow() as uow:
        # The demo resident's two closed requests of last month go too.
        assert await rq.purge_closed(uow, NOW + timedelta(days=1), NOW + timedelta(days=90)) == 3
        await uow.commit()
    purged = store.state.service_requests[request_id]
    assert (purged.address, purged.phone, purged.details) == (None, None, None)
    assert purged.reference == "K-2611-0001"
