"""Consequences of service requests: the resident hears of each step, the staff member handling
it of a cancel or an answer, and every staff card follows the request.

The one place these notices are composed, whichever door acted (a staff card, the web desk, the
resident's own dialog). Each notice keeps the dedupe key it always had, so a step told twice (a
retried update) is queued once.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogs.engine import Notice
from bot.dialogs.reach import contact_for
from bot.dialogs.requests import answer_button
from bot.domain.bilingual import for_reader
from bot.domain.cards import CardKind
from bot.domain.events import (
    Event,
    RequestAnswered,
    RequestMoved,
    RequestQuestionAsked,
    RequestSubmitted,
)
from bot.domain.replies import Msg, Reply, msg
from bot.domain.requests import RequestAction, RequestStatus, ServiceRequest
from bot.domain.undo import UndoKind, held_key, held_until
from bot.notices.cards import item_changed
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services import cards


async def submitted(ctx: NoticeContext, uow: UnitOfWork, event: RequestSubmitted) -> None:
    await item_changed(ctx, uow, CardKind.REQUEST, event.request_id, event.at)
    request = await uow.requests.get(event.request_id)
    if request is None or not request.voice_file_ids:
        return
    # Voice notes or photos came instead of text: staff are told, beside the card, so that
    # someone who could not type is called back rather than overlooked.
    settings = ctx.settings
    body = msg(
        "requests.staff.voice", reference=request.reference, count=len(request.voice_file_ids)
    )
    to = await cards.targets(
        uow, settings.staff_chat_id, settings.default_locale, request.centre_id
    )
    # Where to listen: the request's page on the desk plays and shows them (issue 15).
    listen = msg("help.staff.listen_on_desk", page=f"{settings.desk_url}/requests/{request.id}")
    for target in to:
        notice = Notice(
            target.chat_id,
            target.locale,
            Reply((body, listen)),
            dedupe_key=f"rq:{request.id}:voice:{target.chat_id}",
            is_group=target.is_group,
        )
        await ctx.queue(uow, notice, at=event.at)


async def moved(ctx: NoticeContext, uow: UnitOfWork, event: RequestMoved) -> None:
    request = await uow.requests.get(event.request_id)
    if request is None:
        return
    if event.action is RequestAction.CANCELLED:
        await _tell_taker_of_cancel(ctx, uow, request, event)
    else:
        await _tell_requester(ctx, uow, request, event)
    await item_changed(ctx, uow, CardKind.REQUEST, event.request_id, event.at)


async def _tell_taker_of_cancel(
    ctx: NoticeContext, uow: UnitOfWork, request: ServiceRequest, event: RequestMoved
) -> None:
    taker = None if request.taken_by is None else await uow.people.get(request.taken_by)
    if taker is None:
        return
    await ctx.tell(
        uow,
        taker,
        Reply((msg("requests.staff.cancelled", reference=request.reference),)),
        at=event.at,
        dedupe_key=f"rq:{request.id}:cancelled:staff",
    )


# The actions staff may undo for a few minutes: the resident is told once that is over.
_HELD = {
    RequestAction.ACCEPTED: UndoKind.REQUEST_ACCEPT,
    RequestAction.DONE: UndoKind.REQUEST_DONE,
    RequestAction.DECLINED: UndoKind.REQUEST_DECLINE,
}


async def _tell_requester(
    ctx: NoticeContext, uow: UnitOfWork, request: ServiceRequest, event: RequestMoved
) -> None:
    requester = None if request.requester_id is None else await uow.people.get(request.requester_id)
    if requester is None:
        return
    notice = await _notice(uow, request, event, ctx.locale_of(requester))
    if notice is None:
        return
    # A reference number to quote comes with the number to call: its centre's, then the co-op's.
    contact = await contact_for(
        uow,
        ctx.locale_of(requester),
        ctx.settings.contact,
        centre_id=request.centre_id,
        person_id=requester.id,
    )
    key = f"rq:{request.id}:{event.action.value}:{event.at.isoformat()}"
    held_kind = _HELD.get(event.action)
    if held_kind is not None:
        # Held while the staff member may still undo it (bot/dialogs/confirm.py).
        held = held_key(held_kind, request.id)
        await ctx.tell(
            uow,
            requester,
            Reply((notice, *contact)),
            at=event.at,
            dedupe_key=f"{held}{key}",
            not_before=held_until(event.at),
        )
        return
    await ctx.tell(uow, requester, Reply((notice, *contact)), at=event.at, dedupe_key=key)


async def _notice(
    uow: UnitOfWork, request: ServiceRequest, event: RequestMoved, locale: str
) -> Msg | None:
    ref, action = request.reference, event.action
    if action in (RequestAction.TAKEN, RequestAction.ASSIGNED):
        # "Under review" once: when it leaves "received", not at a re-assignment.
        if event.was is not RequestStatus.RECEIVED:
            return None
        return msg("requests.notice.under_review", reference=ref)
    if action is RequestAction.ACCEPTED:
        centre = next((c for c in await uow.centres.all() if c.id == request.centre_id), None)
        return msg(
            "requests.notice.accepted",
            reference=ref,
            centre=centre.name(locale) if centre else "",
            when=request.contact_when,
        )
    if action is RequestAction.SCHEDULED:
        return msg("requests.notice.scheduled", reference=ref, when=request.scheduled_for)
    if action is RequestAction.DONE:
        return msg("requests.notice.done", reference=ref)
    if action is RequestAction.DECLINED:
        # Written in two languages (bot.domain.bilingual): the requester's part only.
        reason = for_reader(request.decline_reason or "", locale)
        return msg("requests.notice.declined", reference=ref, reason=reason)
    return None


async def question_asked(ctx: NoticeContext, uow: UnitOfWork, event: RequestQuestionAsked) -> None:
    request = await uow.requests.get(event.request_id)
    if request is None:
        return
    requester = None if request.requester_id is None else await uow.people.get(request.requester_id)
    question = next(
        (m for m in await uow.requests.messages(request.id) if m.id == event.message_id), None
    )
    if requester is not None and question is not None:
        body = msg(
            "requests.notice.question",
            reference=request.reference,
            question=for_reader(question.text or "", ctx.locale_of(requester)),
        )
        await ctx.tell(
            uow,
            requester,
            Reply((body,), buttons=((answer_button(request.id),),)),
            at=event.at,
            dedupe_key=f"rq:{request.id}:q:{question.id}",
        )
    await item_changed(ctx, uow, CardKind.REQUEST, event.request_id, event.at)


async def answered(ctx: NoticeContext, uow: UnitOfWork, event: RequestAnswered) -> None:
    request = await uow.requests.get(event.request_id)
    if request is None:
        return
    asker = None if event.asked_by is None else await uow.people.get(event.asked_by)
    answer = next(
        (m for m in await uow.requests.messages(request.id) if m.id == event.message_id), None
    )
    if asker is not None and answer is not None:
        body = msg("requests.staff.answered", reference=request.reference, text=answer.text or "🎤")
        await ctx.tell(uow, asker, Reply((body,)), at=event.at)
    await item_changed(ctx, uow, CardKind.REQUEST, event.request_id, event.at)


HANDLERS: Mapping[type[Event], Handler] = {
    RequestSubmitted: submitted,
    RequestMoved: moved,
    RequestQuestionAsked: question_asked,
    RequestAnswered: answered,
}
