"""A `Notifier` that renders straight into the outbox: for the web desk and scheduled jobs.

Dialogs use the one in `bot.dialogs.requests` instead, which rides on the turn so that the notice
is written with the turn's replies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.outbound import OutboundMessage
from bot.domain.people import Person
from bot.domain.replies import Button, Msg, Reply
from bot.i18n import resolve_locale
from bot.ports.store import UnitOfWork


class _Renders(Protocol):
    def render(self, reply: Reply, chat_id: int, locale: str) -> OutboundMessage: ...


class OutboxNotifier:
    """Implements `bot.ports.requests.Notifier` on one unit of work."""

    def __init__(
        self, uow: UnitOfWork, renderer: _Renders, default_locale: str, now: datetime
    ) -> None:
        self._uow = uow
        self._renderer = renderer
        self._default = default_locale
        self._now = now

    def locale_of(self, person: Person) -> str:
        return resolve_locale(person.locale, person.telegram_language, self._default)

    async def __call__(
        self,
        person: Person,
        *parts: Msg,
        buttons: tuple[tuple[Button, ...], ...] = (),
        dedupe_key: str | None = None,
    ) -> None:
        if person.telegram_user_id is None:
            return  # someone without Telegram (forgotten, or known from the desk only)
        reply = Reply(parts=parts, buttons=buttons)
        rendered = self._renderer.render(reply, person.telegram_user_id, self.locale_of(person))
        await self._uow.outbox.add(rendered, self._now, dedupe_key=dedupe_key)
