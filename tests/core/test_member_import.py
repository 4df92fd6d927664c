"""Importing the co-op's roster on every store: people with their centres, roles, languages and
roster entries; letters' codes bound to them; a second import adds nobody; a broken file
imports nothing; reprint, revoke and the list of people who have not joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.csv_rows import LineError
from bot.domain.errors import DomainError, PermissionDenied
from bot.domain.invites import code_hash
from bot.domain.people import Actor, Role
from bot.ports.store import UnitOfWorkFactory
from bot.services import member_import

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ADMIN = Actor(person_id=None, roles=frozenset({Role.ADMIN}), locale="ja")
STAFF = Actor(person_id=None, roles=frozenset({Role.STAFF}), locale="ja")
HEADER = "氏名,フリガナ,所属,言語,役割,電話番号\n"
ROWS = (
    "田中 一郎,タナカ イチロウ,中央ケアセンター;Minato Cleaning,ja,組合員,090-1234-5678\n"
    "Maria Santos,マリア サントス,Chuo Care,en,volunteer,\n"
    "山本 トメ,やまもと とめ,港ビル清掃センター,やさしい日本語,,\n"
)


async def _centres(uow_factory: UnitOfWorkFactory) -> tuple[int, int]:
    async with uow_factory() as uow:
        chuo = await uow.centres.add("中央ケアセンター", "Chuo Care")
        minato = await uow.centres.add("港ビル清掃センター", "Minato Cleaning")
        await uow.commit()
    return chuo.id, minato.id


async def _import(uow_factory: UnitOfWorkFactory, text: str, **kw: object):
    async with uow_factory() as uow:
        report = await member_import.import_members(
            uow,
            ADMIN,
            text.encode("cp932"),
            NOW,
            **kw,  # type: ignore[arg-type]
        )
        await uow.commit()
    return report


async def test_an_import_makes_people_with_centres_roster_entries_and_letters(
    uow_factory: UnitOfWorkFactory,
):
    chuo, minato = await _centres(uow_factory)
    report = await _import(uow_factory, HEADER + ROWS, letters=True)
    assert (report.imported, report.already, report.errors) == (3, 0, [])
    assert [letter.person.display_name for letter in report.letters] == [
        "田中 一郎",
        "Maria Santos",
        "山本 トメ",
    ]
    tanaka, maria, tome = report.letters
    assert tanaka.centre is not None and tanaka.centre.id == chuo
    assert tome.centre is not None and tome.centre.id == minato
    assert tanaka.expires_at == NOW + member_import.LETTER_TTL
    async with uow_factory() as uow:
        people = [await uow.people.get(letter.person.id) for letter in report.letters]
        assert [(p.telegram_user_id, p.locale, p.roles) for p in people if p] == [
            (None, "ja", {Role.MEMBER}),
            (None, "en", {Role.VOLUNTEER}),
            (None, "ja-easy", {Role.MEMBER}),
        ]
        assert await uow.memberships.centres_of(tanaka.person.id) == {chuo, minato}
        assert await uow.memberships.centres_of(maria.person.id) == {chuo}
        entry = await uow.roster.get(tanaka.person.id)
        assert entry is not None and (entry.kana, entry.phone) == (
            "タナカ イチロウ",
            "090-1234-5678",
        )
        invite = await uow.invites.get(code_hash(tanaka.code))
        assert invite is not None and invite.person_id == tanaka.person.id
        assert invite.role is Role.MEMBER
        # A letter's code is on the Members page with its person, not among open invites.
        assert await uow.invites.open_invites(NOW, 50) == []
        waiting = await member_import.waiting(uow, ADMIN, NOW)
        assert [w.person.display_name for w in waiting.items] == [
            "田中 一郎",
            "Maria Santos",
            "山本 トメ",
        ]
        assert waiting.items[0].code_expires_at == NOW + member_import.LETTER_TTL


async def test_importing_the_same_file_again_adds_nobody(uow_factory: UnitOfWorkFactory):
    await _centres(uow_factory)
    await _import(uow_factory, HEADER + ROWS)
    # The same people, written another way (full-width, hiragana), and one new person.
    again = (
        HEADER
        + ROWS.replace("タナカ イチロウ", "たなか　いちろう")
        + "新 人,シン ジン,中央ケアセンター,,,\n"
    )
    report = await _import(uow_factory, again, letters=True)
    assert (report.imported, report.already) == (1, 3)
    assert [letter.person.display_name for letter in report.letters] == ["新 人"]
    async with uow_factory() as uow:
        assert len((await member_import.waiting(uow, ADMIN, NOW)).items) == 4


async def test_a_file_with_a_broken_line_imports_nothing(uow_factory: UnitOfWorkFactory):
    chuo, _ = await _centres(uow_factory)
    async with uow_factory() as uow:
        centre = await uow.centres.get(chuo)
        assert centre is not None
        from dataclasses import replace

        await uow.centres.update(replace(centre, closed_at=NOW))
        await uow.centres.add("新センター", "New Centre")
        await uow.commit()
    text = HEADER + (
        "佐藤 花子,サトウ ハナコ,新センター,,,\n"
        "田中 一郎,タナカ イチロウ,中央ケアセンター,,,\n"  # closed
        "鈴木 次郎,スズキ ジロウ,どこか,,,\n"  # unknown
        "山田 太郎,ヤマダ タロウ,新センター,fr,,\n"  # language
    )
    report = await _import(uow_factory, text, letters=True)
    assert report.imported == 0 and report.letters == []
    assert report.errors == [
        LineError(3, "centre_closed"),
        LineError(4, "unknown_centre"),
        LineError(5, "bad_language"),
    ]
    async with uow_factory() as uow:
        assert (await member_import.waiting(uow, ADMIN, NOW)).items == []


async def test_a_dry_run_writes_nothing(uow_factory: UnitOfWorkFactory):
    await _centres(uow_factory)
    report = await _import(uow_factory, HEADER + ROWS, dry_run=True)
    assert (len(report.good), report.imported) == (3, 0)
    async with uow_factory() as uow:
        assert (await member_import.waiting(uow, ADMIN, NOW)).items == []


async def test_only_admins_import_reprint_and_revoke(uow_factory: UnitOfWorkFactory):
    async with uow_factory() as uow:
        with pytest.raises(PermissionDenied):
            await member_import.import_members(uow, STAFF, HEADER.encode(), NOW)
        with pytest.raises(PermissionDenied):
            await member_import.reprint(uow, STAFF, 1, NOW)
        await uow.commit()


async def test_a_reprint_gives_a_new_code_and_the_old_one_stops_working(
    uow_factory: UnitOfWorkFactory,
):
    await _centres(uow_factory)
    report = await _import(uow_factory, HEADER + ROWS, letters=True)
    tanaka = report.letters[0]
    later = NOW + timedelta(days=3)
    async with uow_factory() as uow:
        again = await member_import.reprint(uow, ADMIN, tanaka.person.id, later)
        await uow.commit()
    assert again.code != tanaka.code and again.person.id == tanaka.person.id
    async with uow_factory() as uow:
        old = await uow.invites.get(code_hash(tanaka.code))
        new = await uow.invites.get(code_hash(again.code))
        assert old is not None and old.is_expired(later)
        assert new is not None and not new.is_expired(later) and new.person_id == tanaka.person.id
        assert await member_import.revoke(uow, ADMIN, tanaka.person.id, later) == 1
        with pytest.raises(DomainError) as nothing_left:
            await member_import.revoke(uow, ADMIN, tanaka.person.id, later)
        assert nothing_left.value.code == "no_open_letter"
        # Everyone without a working code gets a letter: Tanaka (revoked) alone.
        letters = await member_import.letters_for_waiting(uow, ADMIN, later)
        assert [letter.person.id for letter in letters] == [tanaka.person.id]
        await uow.commit()


async def test_forgetting_an_imported_person_removes_kana_phone_and_codes(
    uow_factory: UnitOfWorkFactory,
):
    await _centres(uow_factory)
    report = await _import(uow_factory, HEADER + ROWS, letters=True)
    tanaka = report.letters[0]
    async with uow_factory() as uow:
        await uow.roster.forget(tanaka.person.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.roster.get(tanaka.person.id) is None
        assert await uow.invites.get(code_hash(tanaka.code)) is None
