"""What a broadcast costs of LINE's monthly messages, and whether this month has them.

LINE counts every person a broadcast reaches on LINE as one message (a multicast counts per
person, whatever it holds); people on Telegram cost nothing. Where a broadcast is composed (the
Telegram dialog, the desk) staff see the cost and what is left this month, as LINE tells it
(`LineQuota`), and a broadcast that would go past it is not started: they may choose fewer
people. When LINE cannot be asked, the cost is shown without the month's figures and sending
is not held up (pushes beyond the quota would fail one by one, and staff see them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.broadcasts import Audience, BroadcastKind
from bot.domain.channels import Channel
from bot.domain.people import Actor
from bot.domain.replies import Msg, msg
from bot.ports.line import LineQuota, MonthQuota
from bot.ports.store import UnitOfWork
from bot.ports.telegram import GatewayError
from bot.services import access

PAGE = 1000


@dataclass(frozen=True)
class LineCost:
    messages: int  # LINE people the broadcast reaches: one message each
    quota: MonthQuota | None  # None: LINE could not be asked just now

    @property
    def too_many(self) -> bool:
        left = None if self.quota is None else self.quota.left
        return left is not None and self.messages > left


async def line_cost(
    uow: UnitOfWork,
    actor: Actor,
    audience: Audience,
    kind: BroadcastKind,
    now: datetime,
    quota: LineQuota | None,
) -> LineCost | None:
    """The broadcast's cost on LINE; None when LINE is off (no `quota`)."""
    if quota is None:
        return None
    await access.require_staff(uow, actor, now, refused="broadcast.refused", subject="line:quota")
    messages = await line_recipients(uow, audience, kind)
    return LineCost(messages, await month_or_none(quota))


async def line_recipients(uow: UnitOfWork, audience: Audience, kind: BroadcastKind) -> int:
    """How many of a broadcast's recipients are on LINE: one of LINE's messages each."""
    messages, after = 0, 0
    while True:
        page = await uow.broadcasts.recipients(audience, kind, after, PAGE)
        messages += sum(1 for r in page if Channel.of(r.telegram_user_id) is Channel.LINE)
        if len(page) < PAGE:
            return messages
        after = page[-1].person_id


async def month_or_none(quota: LineQuota) -> MonthQuota | None:
    """This month's figures, or None when LINE cannot be asked just now."""
    try:
        return await quota.month()
    except GatewayError:
        return None


def cost_lines(cost: LineCost) -> list[Msg]:
    """What staff read about it, in the catalog part line.po."""
    if cost.quota is None:
        return [msg("line.quota.unknown", count=cost.messages)]
    left = cost.quota.left
    if left is None:
        return [msg("line.quota.cost_unlimited", count=cost.messages, used=cost.quota.used)]
    lines = [msg("line.quota.cost", count=cost.messages, left=left, limit=cost.quota.limit)]
    if cost.too_many:
        lines.append(msg("line.quota.over", count=cost.messages, left=left))
    return lines
