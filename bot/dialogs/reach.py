"""A person to reach: whom to call, and a way to the staff from anywhere.

`contact_parts` is the one way a screen says whom to call (the person's centre's phone when it is
known, then the co-op's, with office hours): /help, every error and refusal of the core
(bot/dialogs/router.py), a refused consent and a reference number use it. The "困ったとき / I need
help" button of every menu (bot/dialogs/menus.py) shows the phones and "write to the staff".

Text Kyodo cannot read outside a dialog ("電話で相談したいです"), and any photo or voice note, is
offered to the staff ("send this to the staff?"); yes makes it a message of the person's
conversation with the staff (bot/services/conversations.py), which staff answer from their card's
button or the desk, and Kyodo carries the answer back in the person's language
(bot/notices/conversations.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogs.engine import Turn
from bot.dialogs.menus import HELP, MENU, NeedHelp, main_menu
from bot.dialogs.registry import Dialog, Next, StaleScreen
from bot.dialogs.state import DialogData, StateCodec
from bot.dialogs.write_both import hint, language_name
from bot.domain.callbacks import CallbackData
from bot.domain.channels import Channel
from bot.domain.contact import Contact, contact_lines
from bot.domain.conversations import TEXT_LIMIT, ConversationMessage, Direction, MediaKind
from bot.domain.dialogs import DialogState
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.replies import Button, Msg, Reply, msg
from bot.ports.store import UnitOfWork
from bot.services import conversations as service

NAME = "reach"
STAFF_NAME = "reach_staff"


@dataclass(frozen=True)
class WriteToStaff(CallbackData, tag="need:w"):
    """Write to the staff: the next text, photo or voice note goes to them."""


@dataclass(frozen=True)
class SendYes(CallbackData, tag="need:y"):
    """Yes: send what Kyodo could not read to the staff."""


@dataclass(frozen=True)
class SendNo(CallbackData, tag="need:n"):
    """No: nothing is sent."""


@dataclass(frozen=True)
class StaffReply(CallbackData, tag="conv:r"):
    """A staff member answers a conversation (on its card, in /queue, in the staff group)."""

    conversation_id: int


@dataclass(frozen=True)
class StaffMedia(CallbackData, tag="conv:m"):
    """A staff member asks for a person's photo or voice note: it comes to their chat alone."""

    message_id: int


# How Telegram is asked to send a file of each kind (handlers/wire.py: MEDIA_METHODS).
SEND_AS = {
    MediaKind.PHOTO: "photo",
    MediaKind.VOICE: "voice",
    MediaKind.AUDIO: "audio",
    MediaKind.VIDEO_NOTE: "video_note",
}


@dataclass(frozen=True, kw_only=True)
class ReachData(DialogData):
    """`offer`: what could not be read waits for Yes or No; `write`: the next message goes to
    the staff."""

    text: str = ""
    media: MediaKind | None = None
    file_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReplyData(DialogData):
    """A staff member is typing the answer to `conversation_id`."""

    conversation_id: int


DIALOG = Dialog(
    NAME, prefixes=("need",), state=StateCodec(NAME, ReachData), steps=("offer", "write")
)
STAFF_DIALOG = Dialog(
    STAFF_NAME,
    prefixes=("conv",),
    state=StateCodec(STAFF_NAME, ReplyData),
    steps=("reply",),
    group_ok=True,
)
DIALOGS = (DIALOG, STAFF_DIALOG)

WRITE = Button(msg("help.button.write"), WriteToStaff())


# --- Whom to call ------------------------------------------------------------------------------


async def centre_contact(
    uow: UnitOfWork, centre_id: int | None, person_id: int | None
) -> Contact | None:
    """A business centre's own phone (set on the desk's Centres page), if it has one; without
    `centre_id`, that of the person's own centre (the first of theirs with a phone)."""
    ids: list[int] = []
    if centre_id is not None:
        ids = [centre_id]
    elif person_id is not None:
        ids = sorted(await uow.memberships.centres_of(person_id))
    for one in ids:
        centre = await uow.centres.get(one)
        if centre is not None and centre.phone and centre.is_open:
            return Contact(
                centre.phone, centre.office_hours, centre=(centre.name_ja, centre.name_en)
            )
    return None


async def contact_for(
    uow: UnitOfWork,
    locale: str,
    coop: Contact | None,
    *,
    centre_id: int | None = None,
    person_id: int | None = None,
) -> tuple[Msg, ...]:
    """Whom to call, in `locale`: the centre's phone first (the one named, else the person's),
    then the co-op's with its office hours; nothing when neither is set. Notices use it too."""
    return contact_lines(locale, await centre_contact(uow, centre_id, person_id), coop)


async def contact_parts(turn: Turn, centre_id: int | None = None) -> tuple[Msg, ...]:
    """`contact_for` the person in this chat."""
    return await contact_for(
        turn.uow,
        turn.locale,
        turn.settings.contact,
        centre_id=centre_id,
        person_id=turn.actor.person_id,
    )


async def show_need_help(turn: Turn) -> None:
    """The "I need help" screen: the phones, and a button to write to the staff."""
    turn.say(
        msg("help.need.title"),
        *await contact_parts(turn),
        msg("help.need.write"),
        buttons=((WRITE,), (HELP,), (MENU,)),
    )


@DIALOG.button(NeedHelp)
async def _need_help(turn: Turn, _: NeedHelp, state: DialogState | None) -> Next:
    await show_need_help(turn)
    return state


# --- Writing to the staff ----------------------------------------------------------------------


def _ask_to_write(turn: Turn, *before: Msg) -> ReachData:
    turn.say(*before, msg("help.write.ask", limit=TEXT_LIMIT), buttons=((MENU,),))
    return ReachData(step="write")


@DIALOG.button(WriteToStaff)
async def _write_pressed(turn: Turn, _: WriteToStaff, state: DialogState | None) -> Next:
    return _ask_to_write(turn)


def _media_msg(media: MediaKind) -> Msg:
    return msg(f"help.media.{media.value}")


def _offer(turn: Turn, data: ReachData) -> ReachData:
    ask = (
        msg("help.offer.media", media=_media_msg(data.media))
        if data.file_id is not None and data.media is not None
        else msg("help.offer.text")
    )
    # The menu stays under the question: someone who only said hello carries on from there.
    title, menu = main_menu(turn.actor)
    buttons = (
        (Button(msg("help.button.send_yes"), SendYes()),),
        (Button(msg("help.button.send_no"), SendNo()),),
        *menu,
    )
    turn.say(ask, title, buttons=buttons)
    return data


def offers(turn: Turn) -> bool:
    """Whether what Kyodo could not read is offered to the staff: for everyone but staff, who
    are the staff (they get the menu)."""
    return not turn.actor.is_staff and turn.incoming.chat_id is not None


def offer_text(turn: Turn) -> ReachData:
    """Text outside any dialog that nothing understood: "send this to the staff?"."""
    return _offer(turn, ReachData(step="offer", text=turn.text[:TEXT_LIMIT]))


def offer_media(turn: Turn) -> ReachData:
    """A photo, voice note or file outside any dialog: "send it to the staff?"."""
    return _offer(
        turn,
        ReachData(
            step="offer", media=MediaKind.of(turn.incoming.media), file_id=turn.incoming.file_id
        ),
    )


async def _send(turn: Turn, data: ReachData) -> Next:
    """Hands the message to the staff; a bad one is explained and asked for again."""
    try:
        message = await service.write(
            turn.uow,
            turn.actor,
            turn.incoming.chat_id or 0,
            turn.incoming.user_name,
            data.text,
            turn.now,
            media=data.media,
            file_id=data.file_id,
        )
    except InvalidInput as error:
        return _ask_to_write(turn, msg(f"help.error.{error.code}", **error.details))
    title, buttons = main_menu(turn.actor)
    turn.say(msg("help.sent", id=message.conversation_id), title, buttons=buttons)
    return None


@DIALOG.button(SendYes, steps=("offer",))
async def _yes(turn: Turn, _: SendYes, data: ReachData) -> Next:
    return await _send(turn, data)


@DIALOG.button(SendNo, steps=("offer",))
async def _no(turn: Turn, _: SendNo, data: ReachData) -> Next:
    title, buttons = main_menu(turn.actor)
    turn.say(msg("help.offer.not_sent"), title, buttons=buttons)
    return None


@DIALOG.text
async def _typed(turn: Turn, data: ReachData) -> Next:
    if data.step == "write":
        return await _send(turn, ReachData(step="write", text=turn.text))
    # More text while the offer waits: it joins what is offered (a person often writes twice).
    joined = f"{data.text}\n{turn.text}".strip() if data.file_id is None else turn.text
    return _offer(turn, ReachData(step="offer", text=joined[:TEXT_LIMIT]))


@DIALOG.media
async def _sent_media(turn: Turn, data: ReachData) -> Next:
    if not turn.incoming.file_id:  # a sticker: nothing a person could look at
        turn.say(msg("input.unsupported"), buttons=((MENU,),))
        return data
    media = MediaKind.of(turn.incoming.media)
    if data.step == "write":
        return await _send(
            turn, ReachData(step="write", media=media, file_id=turn.incoming.file_id)
        )
    return _offer(turn, ReachData(step="offer", media=media, file_id=turn.incoming.file_id))


@DIALOG.resumes
async def _resume(turn: Turn, data: ReachData) -> Next:
    if data.step == "write":
        return _ask_to_write(turn)
    return _offer(turn, data)


# --- Staff answer ------------------------------------------------------------------------------


def language_msg(locale: str) -> Msg:
    """The name of the language a person reads, for staff."""
    return language_name(locale)


SHOWN = 6  # the latest messages shown to staff above their answer (the desk shows them all)


def _line(message: ConversationMessage) -> Msg:
    if message.direction is Direction.OUT:
        return msg("help.thread.out", when=message.at, text=message.text)
    if message.file_id is not None and message.media is not None:
        return msg("help.thread.media", when=message.at, media=_media_msg(message.media))
    return msg("help.thread.in", when=message.at, text=message.text)


async def _ask_reply(turn: Turn, conversation_id: int) -> ReplyData:
    try:
        thread = await service.thread(turn.uow, turn.actor, turn.now, conversation_id)
    except NotFound:
        raise StaleScreen() from None
    conversation = thread.conversation
    person = (
        None
        if conversation.person_id is None
        else await turn.uow.people.get(conversation.person_id)
    )
    locale = conversation.locale if person is None or person.locale is None else person.locale
    ask = msg(
        "help.staff.ask_reply",
        id=conversation.id,
        limit=TEXT_LIMIT,
        name=conversation.name,
        language=language_msg(locale),
    )
    both = hint(turn.locale, conversation.name, locale)
    turn.say(
        *(_line(m) for m in thread.messages[-SHOWN:]),
        ask,
        *(() if both is None else (both,)),
        buttons=((MENU,),),
    )
    return ReplyData(step="reply", conversation_id=conversation.id)


@STAFF_DIALOG.button(StaffReply)
async def _reply_pressed(turn: Turn, pressed: StaffReply, state: DialogState | None) -> Next:
    return await _ask_reply(turn, pressed.conversation_id)


@STAFF_DIALOG.button(StaffMedia)
async def _media_pressed(turn: Turn, pressed: StaffMedia, state: DialogState | None) -> Next:
    """The file itself, by its file_id, to the presser's private chat (audited by the service)."""
    try:
        message = await service.media_for_staff(turn.uow, turn.actor, turn.now, pressed.message_id)
        conversation = await service.thread(turn.uow, turn.actor, turn.now, message.conversation_id)
    except NotFound:
        raise StaleScreen() from None
    if message.file_id is None:
        raise StaleScreen()
    media = message.media or MediaKind.OTHER
    caption = msg(
        "help.staff.media_sent",
        id=message.conversation_id,
        name=conversation.conversation.name,
        media=_media_msg(media),
    )
    reply = Button(
        msg("help.staff.button.reply", id=message.conversation_id),
        StaffReply(message.conversation_id),
    )
    chat = turn.incoming.chat_id
    if chat is not None and Channel.of(chat) is Channel.LINE:
        # LINE sends no file by id: the desk streams it from where it is (nothing kept).
        link = f"{turn.settings.desk_url}/conversations/{message.conversation_id}"
        turn.say(caption, msg("line.media.on_desk", link=link), buttons=((reply,),))
        return state
    # Telegram's own file goes by its id; LINE's is fetched from LINE and uploaded as it is sent
    # (handlers/telegram_uploads.py): the outbox keeps the file id only.
    turn.replies.append(
        Reply(
            parts=(caption,),
            buttons=((reply,),),
            media=(SEND_AS.get(media, "document"), message.file_id),
        )
    )
    return state


@STAFF_DIALOG.text
async def _reply_typed(turn: Turn, data: ReplyData) -> Next:
    try:
        await service.answer(turn.uow, turn.actor, turn.now, data.conversation_id, turn.text)
    except InvalidInput as error:
        turn.say(msg(f"help.error.{error.code}", **error.details))
        return data
    title, buttons = main_menu(turn.actor)
    turn.say(msg("help.staff.replied", id=data.conversation_id), title, buttons=buttons)
    return None


@STAFF_DIALOG.resumes
async def _reply_resume(turn: Turn, data: ReplyData) -> Next:
    return await _ask_reply(turn, data.conversation_id)
