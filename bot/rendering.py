"""Turns replies (message keys, arguments, buttons) into final text in one person's language."""

from __future__ import annotations

from html import unescape

from bot.domain.outbound import OutboundMessage
from bot.domain.replies import Msg, Reply
from bot.i18n import I18n


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
        return OutboundMessage(
            chat_id=chat_id,
            text=body,
            buttons=rows,
            edit_message_id=edit_message_id if reply.edit else None,
            is_group=is_group,
        )
