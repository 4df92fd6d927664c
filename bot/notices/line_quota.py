"""The consequence of a notice LINE would not carry (the month's messages spent): staff are
told once a month, in their language, how many notices could not be delivered so far, that
they should call these people or raise the plan, and where the desk lists them.

Told once: the alert's dedupe key is the LINE month and the staff member, so the hundredth
undelivered notice queues nothing new. It goes to the staff who see the whole co-op
(`memberships.staff_for(None)`) in their Telegram chats: a push to a LINE chat would fail as the
notice did (staff on LINE see the list on the desk).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.channels import Channel
from bot.domain.events import Event, LineNoticeUndelivered
from bot.domain.replies import Reply, msg
from bot.notices.context import Handler, NoticeContext
from bot.ports.store import UnitOfWork
from bot.services import line_undelivered, memberships


async def undelivered(ctx: NoticeContext, uow: UnitOfWork, event: LineNoticeUndelivered) -> None:
    month = line_undelivered.line_month(event.at)
    count = await line_undelivered.count_this_month(uow, event.at)
    link = f"{ctx.settings.desk_url.rstrip('/')}/deliveries/line"
    alert = Reply((msg("line.quota.spent_alert", count=count, link=link),))
    for person in await memberships.staff_for(uow, None):
        chat = person.telegram_user_id
        if chat is None or Channel.of(chat) is not Channel.TELEGRAM:
            continue
        key = f"line-quota-spent:{month}:{person.id}"
        await ctx.tell(uow, person, alert, at=event.at, dedupe_key=key)


HANDLERS: Mapping[type[Event], Handler] = {LineNoticeUndelivered: undelivered}
