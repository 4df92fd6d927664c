"""Notices LINE would not carry because the month's messages were spent.

LINE's plans count every push (200, 5,000 or 30,000 a month); replies are free. Once a month's
pushes are spent, a notice to a LINE chat (hours approved, a shift taken, a staff card) cannot
go until next month or a bigger plan. The sender fails its outbox row with `QUOTA_SPENT`, never
silently: staff are told once a month (bot/notices/line_quota.py) and the desk lists these
notices with each person's name and phone, for a call (bot/services/line_undelivered.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# The outbox row's error, followed by LINE's own words.
QUOTA_SPENT = "LINE quota spent"
# How far back the desk lists them: a month of LINE's, and a few days into the next.
UNDELIVERED_WINDOW = timedelta(days=35)


# When the person next writes, their held notices go with Kyodo's free reply (up to LINE's 5
# messages a request; handlers/line/gateway.py): while that reply's fate is unknown, the notices'
# error names the outbox row whose reply carries them, so a retry of that row carries the same.
RIDING = "riding on the LINE reply of outbox "


def riding(leader_id: int) -> str:
    return f"{RIDING}{leader_id}"


def is_quota_spent(error: str) -> bool:
    return error.startswith(QUOTA_SPENT)


# LINE counts its months in Japan's time, whatever the co-op's own time zone.
LINE_ZONE = ZoneInfo("Asia/Tokyo")


def line_month_start(at: datetime) -> datetime:
    """When the month LINE counts its quota in began, for `at`."""
    return at.astimezone(LINE_ZONE).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def line_month(at: datetime) -> str:
    """The month LINE counts its quota in, as ``YYYY-MM``."""
    return line_month_start(at).strftime("%Y-%m")
