"""LINE's monthly quota as LINE tells it (GET /v2/bot/message/quota and /quota/consumption).

Asked where a broadcast is composed and again right before one is started
(bot/services/line_quota.py), never kept or guessed: a co-op's plan and what went out this month
are LINE's to say, and other pushes spend it between a preview and the send.
"""

from __future__ import annotations

from bot.ports.line import MonthQuota
from handlers.line.client import LineClient


class LineQuotaReader:
    def __init__(self, client: LineClient, *, timeout: float = 3.0) -> None:
        self._client = client
        self._timeout = timeout

    async def month(self) -> MonthQuota:
        limit, used = await self._client.quota(self._timeout)
        return MonthQuota(limit, used)
