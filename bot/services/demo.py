"""Demo data for the sandbox: a coordinator, members, a volunteer and a resident to chat as.

Idempotent: people already present (by Telegram id) are left as they are, so `kyodo run` can load
it on every start without duplicating anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.people import NewPerson, Role
from bot.ports.store import UnitOfWork


@dataclass(frozen=True)
class DemoPerson:
    telegram_user_id: int
    name: str
    language: str
    roles: frozenset[Role]
    label_ja: str
    label_en: str


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        1001,
        "佐藤 花子",
        "ja",
        frozenset({Role.STAFF, Role.ADMIN}),
        "スタッフ(コーディネーター)",
        "Staff coordinator",
    ),
    DemoPerson(
        2001,
        "田中 一郎",
        "ja",
        frozenset({Role.MEMBER}),
        "組合員(清掃・中央センター)",
        "Member (cleaning)",
    ),
    DemoPerson(
        2002, "Maria Santos", "en", frozenset({Role.MEMBER}), "組合員(英語)", "Member (English)"
    ),
    DemoPerson(3001, "鈴木 次郎", "ja", frozenset({Role.VOLUNTEER}), "ボランティア", "Volunteer"),
    DemoPerson(
        4001,
        "山本 トメ",
        "ja",
        frozenset({Role.RESIDENT}),
        "地域の方(高齢の利用者)",
        "Resident (elderly)",
    ),
)


async def load_demo(uow: UnitOfWork, now: datetime) -> int:
    """Adds the demo people that are missing; returns how many were added. Does not commit."""
    added = 0
    for demo in DEMO_PEOPLE:
        if await uow.people.by_telegram_id(demo.telegram_user_id) is not None:
            continue
        await uow.people.add(
            NewPerson(
                telegram_user_id=demo.telegram_user_id,
                display_name=demo.name,
                telegram_language=demo.language,
                created_at=now,
                roles=demo.roles,
            )
        )
        added += 1
    if added:
        await uow.audit.add(now, None, "demo.loaded", "demo", {"people": added})
    return added
