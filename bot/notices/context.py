"""What every consequence handler needs: how to render, the settings, and how to queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.dialogs.engine import DialogSettings, Notice, queue_notice
from bot.domain.people import Person
from bot.domain.replies import Reply
from bot.i18n import resolve_locale
from bot.ports.store import UnitOfWork
from bot.rendering import Renderer


@dataclass(frozen=True)
class NoticeContext:
    renderer: Renderer
    settings: DialogSettings

    def locale_of(self, person: Person) -> str:
        """The language the person reads notices in: their choice, Telegram's, the default."""
        return resolve_locale(person.locale, person.telegram_language, self.settings.default_locale)

    async def tell(
        self,
        uow: UnitOfWork,
        person: Person,
        reply: Reply,
        *,
        at: datetime,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> bool:
        """Queues `reply` to the person's private chat; False if they cannot be reached.
        `not_before`: held until then (the notice of an action that may still be undone)."""
        if person.telegram_user_id is None:
            return False  # forgotten, or known from the desk only
        rendered = self.renderer.render(reply, person.telegram_user_id, self.locale_of(person))
        await uow.outbox.add(rendered, at, dedupe_key=dedupe_key, not_before=not_before)
        return True

    async def queue(self, uow: UnitOfWork, notice: Notice, *, at: datetime) -> None:
        """Queues a notice already addressed to a chat (a staff card's copy, say)."""
        await queue_notice(uow, self.renderer, notice, at)


Handler = Callable[[NoticeContext, UnitOfWork, Any], Awaitable[None]]
"""The consequence of one type of event: `async def f(ctx, uow, event) -> None`."""
