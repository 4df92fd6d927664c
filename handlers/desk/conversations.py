"""Messages to the staff on the desk: every conversation staff may see, the ones waiting for an
answer first, each with all its messages; an answer typed here is the same service call as the
Telegram card's Reply (bot.services.conversations.answer), and Kyodo carries it to the person in
their language. Reading a conversation is audited there, as it shows what a person wrote.

A photo or voice note is shown and played from Telegram itself: the desk asks Telegram for the
file (getFile) and streams it to the browser as it arrives, keeping nothing (no file, no cache:
`Cache-Control: no-store`); each hand-over is audited. Without Telegram (the sandbox) the desk
says it cannot be shown.
"""

from __future__ import annotations

from aiohttp import web

from bot.domain.channels import is_line_file
from bot.domain.conversations import MediaKind
from bot.domain.errors import DomainError, NotFound, PermissionDenied
from bot.ports.files import FileUnavailable
from bot.services import conversations as service
from handlers.desk.context import config, int_arg, message_page, now, render, translator, unit, user

SHOWN = 100  # the latest conversations on the list
CONTENT_TYPES = {MediaKind.PHOTO: "image/jpeg", MediaKind.VOICE: "audio/ogg"}


async def index(request: web.Request) -> web.Response:
    async with unit(request) as uow:
        waiting = await service.waiting(uow, user(request).actor, now(request), limit=SHOWN)
        recent = await service.recent(uow, user(request).actor, now(request), limit=SHOWN)
    answered = [c for c in recent if not c.waiting]
    return render(request, "conversations.html", {"waiting": waiting, "answered": answered})


async def _thread_page(
    request: web.Request, conversation_id: int, error: str | None = None, status: int = 200
) -> web.Response:
    try:
        async with unit(request) as uow:
            thread = await service.thread(uow, user(request).actor, now(request), conversation_id)
            person = thread.conversation.person_id
            found = None if person is None else await uow.people.get(person)
            await uow.commit()  # the look is audited
    except NotFound:
        raise web.HTTPNotFound() from None
    reads = thread.conversation.locale
    if found is not None and found.locale is not None:
        reads = found.locale
    return render(
        request,
        "conversation.html",
        {
            "thread": thread,
            "reads": reads,
            "error": error,
            "sent": request.query.get("sent") == "1",
        },
        status=status,
    )


async def show(request: web.Request) -> web.Response:
    conversation_id = int_arg(request.match_info["id"])
    if conversation_id is None:
        raise web.HTTPNotFound()
    return await _thread_page(request, conversation_id)


async def reply(request: web.Request) -> web.StreamResponse:
    conversation_id = int_arg(request.match_info["id"])
    if conversation_id is None:
        raise web.HTTPNotFound()
    form = await request.post()
    text = str(form.get("text") or "")
    try:
        async with unit(request) as uow:
            await service.answer(uow, user(request).actor, now(request), conversation_id, text)
            await uow.commit()
    except PermissionDenied:
        raise
    except NotFound:
        raise web.HTTPNotFound() from None
    except DomainError as error:
        details = {k: v for k, v in error.details.items() if isinstance(v, int)}
        message = str(translator(request)(f"help.error.{error.code}", **details))
        return await _thread_page(request, conversation_id, message, 400)
    raise web.HTTPSeeOther(f"/desk/conversations/{conversation_id}?sent=1")


async def media(request: web.Request) -> web.StreamResponse:
    """A person's photo or voice note, from Telegram to the browser, never stored."""
    message_id = int_arg(request.match_info["id"])
    if message_id is None:
        raise web.HTTPNotFound()
    try:
        async with unit(request) as uow:
            message = await service.media_for_staff(
                uow, user(request).actor, now(request), message_id
            )
            await uow.commit()  # the hand-over is audited
    except NotFound:
        raise web.HTTPNotFound() from None
    known = CONTENT_TYPES.get(message.media or MediaKind.OTHER)
    if message.file_id is not None and is_line_file(message.file_id):
        known = None  # LINE says its own (a voice note is m4a there, not Telegram's ogg)
    if message.file_id is not None:
        streamed = await stream_file(request, message.file_id, known)
        if streamed is not None:
            return streamed
    return no_file(request)


def no_file(request: web.Request) -> web.Response:
    return message_page(request, "help.desk.no_file.title", "help.desk.no_file.body", status=404)


async def stream_file(
    request: web.Request, file_id: str, content_type: str | None = None
) -> web.StreamResponse | None:
    """A Telegram file streamed to the browser as it arrives (nothing kept: no file, no cache);
    None when there is no Telegram, or it no longer has the file (the caller says so)."""
    files = config(request).files
    if files is None:
        return None
    response: web.StreamResponse | None = None
    try:
        async with files.fetch(file_id) as fetched:
            if fetched is None:
                return None
            response = web.StreamResponse(
                headers={
                    "Content-Type": content_type or fetched.content_type,
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                }
            )
            await response.prepare(request)
            async for chunk in fetched.chunks:
                await response.write(chunk)
            await response.write_eof()
            return response
    except FileUnavailable:
        if response is None:
            return None
        response.force_close()  # cut off midway: the browser sees an incomplete file
        return response


def setup_conversations(app: web.Application) -> None:
    app.router.add_get("/conversations", index)
    app.router.add_get("/conversations/{id:[0-9]+}", show)
    app.router.add_post("/conversations/{id:[0-9]+}", reply)
    app.router.add_get("/conversations/media/{id:[0-9]+}", media)
