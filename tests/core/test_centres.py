"""Setting up the co-op's centres: who may, names unique in both languages, details, closing,
and the all-or-nothing CSV import (UTF-8 with or without BOM, or cp932)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import centre_csv
from bot.domain.centre_csv import CentreFields
from bot.domain.coop import NewShift, WorkKind
from bot.domain.errors import InvalidInput, NotFound, PermissionDenied
from bot.domain.people import Actor, Role
from bot.i18n import I18n
from bot.services import centres, hours, shifts
from bot.services.shift_import import import_shifts
from kyodo.cli.shifts import kind_names
from tests.fakes.memory_store import MemoryStore

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
ADMIN = Actor(person_id=1, roles=frozenset({Role.ADMIN}), locale="ja")
STAFF = Actor(person_id=2, roles=frozenset({Role.STAFF, Role.COORDINATOR}), locale="ja")
MEMBER = Actor(person_id=3, roles=frozenset({Role.MEMBER}), locale="ja")
KINDS = kind_names(I18n(ZoneInfo("Asia/Tokyo")))
CHUO = CentreFields("中央ケアセンター", "Chuo Care Centre")
HEADER = "name_ja,name_en,phone,kinds,areas\n"
GOOD = (
    "中央ケアセンター,Chuo Care Centre,03-1234-5678,elderly_care;清掃,中央区;港区\n"
    "港ビル清掃センター,Minato Building Cleaning Centre,,,\n"
)


async def test_an_admin_adds_renames_describes_and_closes_a_centre():
    store = MemoryStore()
    async with store.uow() as uow:
        added = await centres.add(uow, ADMIN, NOW, CHUO)
        await centres.rename(uow, ADMIN, NOW, added.id, "中央ケア", "Chuo Care")
        await centres.describe(
            uow,
            ADMIN,
            NOW,
            added.id,
            phone="０３-1234-5678",
            kinds=frozenset({WorkKind.CHILDCARE}),
            areas=("中央区",),
        )
        assert [c.id for c in await centres.open_centres(uow)] == [added.id]
        closed = await centres.close(uow, ADMIN, NOW, added.id)
        await uow.commit()
    assert (closed.name_ja, closed.name_en, closed.closed_at) == ("中央ケア", "Chuo Care", NOW)
    assert closed.kinds == {WorkKind.CHILDCARE} and closed.areas == ("中央区",)
    async with store.uow() as uow:
        assert await centres.open_centres(uow) == []
        assert await centres.listing(uow, STAFF, NOW) == [closed]
        with pytest.raises(InvalidInput) as again:
            await centres.close(uow, ADMIN, NOW, added.id)
        with pytest.raises(NotFound):
            await centres.rename(uow, ADMIN, NOW, added.id + 1, "x", "y")
    assert again.value.code == "already_closed"
    actions = [(a.action, a.subject) for a in store.state.audit]
    subject = f"centre:{added.id}"
    assert actions == [
        ("centre.created", subject),
        ("centre.renamed", subject),
        ("centre.described", subject),
        ("centre.closed", subject),
    ]


async def test_names_are_unique_in_either_language_whatever_the_width_or_case():
    store = MemoryStore()
    async with store.uow() as uow:
        first = await centres.add(uow, ADMIN, NOW, CHUO)
        other = await centres.add(uow, ADMIN, NOW, CentreFields("港", "Minato"))
        with pytest.raises(InvalidInput) as taken:
            await centres.add(uow, ADMIN, NOW, CentreFields("新", "ＣＨＵＯ care centre"))
        with pytest.raises(InvalidInput) as renamed:
            await centres.rename(uow, ADMIN, NOW, other.id, "中央ケアセンター", "Minato")
        # Renaming a centre to its own names is no clash.
        await centres.rename(uow, ADMIN, NOW, first.id, "中央ケアセンター", "Chuo care centre")
    assert taken.value.code == renamed.value.code == "name_taken"


@pytest.mark.parametrize("actor", [STAFF, MEMBER])
async def test_only_an_admin_changes_centres_and_a_refusal_is_audited(actor: Actor):
    store = MemoryStore()
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await centres.add(uow, actor, NOW, CHUO)
        await uow.commit()
    assert [(a.action, a.actor_person_id) for a in store.state.audit] == [
        ("centres.refused", actor.person_id)
    ]
    async with store.uow() as uow:
        assert await uow.centres.all() == []


async def test_members_may_not_read_the_list():
    store = MemoryStore()
    async with store.uow() as uow:
        with pytest.raises(PermissionDenied):
            await centres.listing(uow, MEMBER, NOW)


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + GOOD).encode("utf-8"),
        b"\xef\xbb\xbf" + (HEADER + GOOD).encode("utf-8"),
        (HEADER + GOOD).encode("cp932"),
        ("名称,英語名,電話番号,業務,地域\n" + GOOD).encode("cp932"),
    ],
    ids=["utf-8", "utf-8-bom", "cp932", "japanese-header"],
)
async def test_a_file_is_imported_in_any_of_excels_encodings(data: bytes):
    store = MemoryStore()
    async with store.uow() as uow:
        report = await centres.import_centres(uow, ADMIN, data, NOW, kind_names=KINDS)
        await uow.commit()
    assert (report.imported, report.errors) == (2, [])
    async with store.uow() as uow:
        chuo, minato = await uow.centres.all()
    assert (chuo.name_en, chuo.phone, chuo.areas) == (
        "Chuo Care Centre",
        "03-1234-5678",
        ("中央区", "港区"),
    )
    assert chuo.kinds == {WorkKind.ELDERLY_CARE, WorkKind.CLEANING}
    assert (minato.phone, minato.kinds, minato.areas) == (None, frozenset(), ())
    assert store.state.audit[-1].action == "centres.imported"


async def test_one_broken_line_imports_nothing_and_every_broken_line_is_named():
    store = MemoryStore()
    async with store.uow() as uow:
        await centres.add(uow, ADMIN, NOW, CentreFields("既存", "Existing"))
        await uow.commit()
    text = (
        HEADER
        + GOOD
        + ",No Japanese name,,,\n"  # line 4
        + "電話,Phone,call me,,\n"  # line 5
        + "業務,Kinds,,gardening,\n"  # line 6
        + "既存,Existing again,,,\n"  # line 7: taken in the store
        + "中央ケアセンター,Chuo again,,,\n"  # line 8: twice in the file
    )
    async with store.uow() as uow:
        report = await centres.import_centres(uow, ADMIN, text.encode(), NOW, kind_names=KINDS)
        await uow.commit()
    assert [(e.line, e.code) for e in report.errors] == [
        (4, "no_name"),
        (5, "bad_phone"),
        (6, "bad_kind"),
        (7, "name_taken"),
        (8, "duplicate"),
    ]
    assert report.imported == 0
    async with store.uow() as uow:
        assert [c.name_en for c in await uow.centres.all()] == ["Existing"]


async def test_a_dry_run_writes_nothing():
    store = MemoryStore()
    async with store.uow() as uow:
        report = await centres.import_centres(
            uow, ADMIN, (HEADER + GOOD).encode(), NOW, kind_names=KINDS, dry_run=True
        )
        await uow.commit()
    assert (len(report.good), report.imported) == (2, 0)
    async with store.uow() as uow:
        assert await uow.centres.all() == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\xff\xfe\x00n", "csv_encoding"),
        (b"name,phone\nx,1\n", "csv_header"),
        (b'name_ja,name_en\n"open,quote\n', "csv_malformed"),
    ],
)
async def test_an_unreadable_file_is_refused_as_a_whole(data: bytes, code: str):
    store = MemoryStore()
    async with store.uow() as uow:
        with pytest.raises(InvalidInput) as refused:
            await centres.import_centres(uow, ADMIN, data, NOW)
    assert refused.value.code == code


def test_a_raw_value_too_long_is_refused_before_it_is_normalised():
    with pytest.raises(InvalidInput) as long_name:
        centre_csv.parse_name("ア" * 201)
    with pytest.raises(InvalidInput) as raw:
        centre_csv.parse_areas("a;" * 1500)
    assert long_name.value.code == raw.value.code == "too_long"


async def test_a_closed_centre_is_offered_for_nothing_new_but_keeps_its_history():
    store = MemoryStore()
    async with store.uow() as uow:
        closed = await centres.add(uow, ADMIN, NOW, CentreFields("旧センター", "Old Centre"))
        kept = await centres.add(uow, ADMIN, NOW, CHUO)
        start = NOW + timedelta(days=2)
        old_shift = await uow.shifts.add(
            NewShift(closed.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 2)
        )
        await centres.close(uow, ADMIN, NOW, closed.id)
        await uow.commit()
    member = Actor(person_id=3, roles=frozenset({Role.MEMBER}), locale="en")
    async with store.uow() as uow:
        _, others = await hours.work_options(uow, member, NOW)
        assert [c.id for c in others] == [kept.id]
        with pytest.raises(InvalidInput) as new_shift:
            await shifts.create_shift(
                uow,
                STAFF,
                NewShift(closed.id, start, start + timedelta(hours=4), WorkKind.CLEANING, 2),
                NOW,
            )
        # Its past shifts are still shown with their centre.
        assert (await shifts.shift(uow, STAFF, old_shift.id, NOW)).centre.id == closed.id
        row = f"Old Centre,{start:%Y/%m/%d},9:00,12:00,cleaning,1"
        text = f"centre,date,start,end,kind,capacity\n{row}\n"
        report = await import_shifts(uow, ADMIN, text.encode(), NOW, ZoneInfo("Asia/Tokyo"))
    assert new_shift.value.code == "unknown_centre"
    assert [(e.line, e.code) for e in report.errors] == [(2, "centre_closed")]
