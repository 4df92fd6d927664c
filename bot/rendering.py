"""Turns replies (message keys, arguments, buttons) into final text in one person's language."""

from __future__ import annotations

from enum import Enum
from html import unescape

from bot.domain.outbound import Carries, OutboundMessage
from bot.domain.replies import Msg, Reply
from bot.i18n import I18n

# Messages that hand someone a credential (a link or a code that lets its holder in): the
# outbox keeps their text only until they are sent. tests/core/test_carries.py checks that every
# message with a {link}, {url}, {code} or {token} that goes through the outbox is listed here.
CREDENTIAL_KEYS = frozenset(
    {"invite.issued", "desk.tg.link", "shifts.calendar_link", "line.link.code"}
)
# The last words to someone just forgotten: once sent, the outbox row loses their chat id too.
# "keyboard.removed" takes their short menu away just before the farewell (it is sent only
# then, bot/dialogs/personal_data.py), a message of its own: one reply markup per message.
FAREWELL_KEYS = frozenset(
    {
        "forget.done.deleted",
        "forget.done.anonymised",
        "forget.stranger",
        "keyboard.removed",
        "line.unlink.there",  # to a chat just unlinked from its person (bot/notices/links.py)
    }
)


def _free_text(value: object) -> bool:
    """Whether an argument is text from a person (a name, an address, an answer), not a code."""
    if isinstance(value, Msg):
        return any(_free_text(arg) for arg in value.args.values())
    if isinstance(value, list | tuple):
        return any(_free_text(item) for item in value)
    return isinstance(value, str) and not isinstance(value, Enum) and value.strip() != ""


def _keys(message: Msg) -> set[str]:
    nested = [_keys(arg) for arg in message.args.values() if isinstance(arg, Msg)]
    return {message.key}.union(*nested)


def carries(reply: Reply) -> Carries | None:
    """What the rendered reply carries that its outbox copy must not keep once sent."""
    keys = set().union(*(_keys(part) for part in reply.parts))
    if keys & FAREWELL_KEYS:
        return Carries.FAREWELL
    if keys & CREDENTIAL_KEYS:
        return Carries.CREDENTIAL
    if reply.media is not None:
        return Carries.PERSONAL  # a person's photo or voice note: its file_id goes once sent
    labels = [button.label for row in reply.buttons for button in row]
    if any(_free_text(part) for part in (*reply.parts, *labels)):
        return Carries.PERSONAL
    return None


class Renderer:
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    def text(self, message: Msg, locale: str) -> str:
        return self.i18n.text(message.key, locale, message.args)

    def label(self, message: Msg, locale: str) -> str:
        """A button label: plain text, so the HTML escaping of its arguments is undone."""
        return unescape(self.text(message, locale))

    def render(
        self,
        reply: Reply,
        chat_id: int,
        locale: str,
        *,
        edit_message_id: int | None = None,
        is_group: bool = False,
    ) -> OutboundMessage:
        body = "\n\n".join(self.text(part, locale) for part in reply.parts)
        rows = tuple(
            tuple((self.label(b.label, locale), b.data) for b in row) for row in reply.buttons
        )
        keyboard = (
            None
            if reply.keyboard is None
            else tuple(tuple(self.label(label, locale) for label in row) for row in reply.keyboard)
        )
        return OutboundMessage(
            chat_id=chat_id,
            text=body,
            buttons=rows,
            keyboard=keyboard,
            # A reply keyboard comes with a new message only (an edit cannot carry one).
            edit_message_id=edit_message_id if reply.edit and keyboard is None else None,
            is_group=is_group,
            carries=carries(reply),
            media=reply.media,
        )
