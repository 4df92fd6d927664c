"""Rich menus over LINE, through the stand-in: one per role and language, made once, linked per
person when their role is known or changes, and tapping one is pressing the Telegram menu's
button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.people import Role
from kyodo import line_menus
from kyodo.app import KyodoApp
from sandbox.server import SandboxServer
from tests.e2e.processes import wait_until
from tests.fixtures.kyodo import invite_code, load
from tests.fixtures.line_kyodo import LinePerson, button_labels, kyodo_with_line, said, settled

NAMES = {
    f"kyodo-{role}-{lang}"
    for role in ("member", "resident", "volunteer", "staff")
    for lang in ("ja", "en")
}


def role_language(name: str) -> str:
    """`kyodo-member-ja.3f9a…` -> `kyodo-member-ja`: a menu's name on LINE ends in its version."""
    return name.split(".", 1)[0]


def menus(sandbox: SandboxServer) -> dict[str, object]:
    """The channel's rich menus by role and language, those with their picture only."""
    return {
        role_language(m.body["name"]): m
        for m in sandbox.line.channel.rich_menus.values()
        if m.image is not None
    }


async def menus_made(sandbox: SandboxServer) -> None:
    await wait_until(lambda: set(menus(sandbox)) == NAMES, 15, "the rich menus")


def linked(sandbox: SandboxServer, user_id: str) -> str | None:
    menu = sandbox.line.channel.effective_rich_menu(user_id)
    return None if menu is None else role_language(str(menu.body["name"]))


@pytest.fixture
async def kyodo(sandbox: SandboxServer, kyodo_db: Path) -> AsyncIterator[KyodoApp]:
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        await menus_made(sandbox)
        yield app


async def test_each_role_has_a_menu_per_language_made_once(kyodo, sandbox, kyodo_db):
    made = menus(sandbox)
    member_en = made["kyodo-member-en"].body  # type: ignore[attr-defined]
    member_ja = made["kyodo-member-ja"].body  # type: ignore[attr-defined]
    actions = [area["action"] for area in member_en["areas"]]
    # The member's Telegram main menu, button for button, then the whole menu.
    assert [a["data"] for a in actions] == ["hr", "hrm", "shifts", "asm", "shifts:open", "menu"]
    assert actions[0]["displayText"] == "⏱ Report hours"
    assert [a["displayText"] for a in member_ja["areas"][:1] for a in [a["action"]]] == [
        "⏱ 勤務時間を報告"
    ]
    assert member_ja["chatBarText"] == "🏠 メニュー"
    staff = [a["action"]["data"] for a in made["kyodo-staff-ja"].body["areas"]]  # type: ignore[attr-defined]
    assert staff == ["hrq", "bc", "vol:list", "sch", "asm", "menu"]
    for menu in made.values():
        assert menu.image.startswith(b"\x89PNG\r\n\x1a\n")  # type: ignore[attr-defined]
    assert len(sandbox.line.calls_of("createRichMenu")) == 8

    # Started again on the same channel: the menus are found by name, none made twice.
    await kyodo.stop()
    async with kyodo_with_line(sandbox, kyodo_db):
        await wait_until(
            lambda: len(sandbox.line.calls_of("getRichMenuList")) == 2, 15, "the second look"
        )
        await wait_until(
            lambda: len(sandbox.line.calls_of("getRichMenuImage")) == 8, 15, "the pictures"
        )
    assert len(sandbox.line.calls_of("createRichMenu")) == 8
    assert set(menus(sandbox)) == NAMES and len(sandbox.line.channel.rich_menus) == 8
    await kyodo.start()  # the fixture stops it once more


async def test_a_member_gets_their_menu_at_the_join_and_a_new_one_when_their_role_changes(
    kyodo, sandbox
):
    await load(kyodo)
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.says("hello")
    assert linked(sandbox, ken.user_id) is None  # no role yet: no menu
    await ken.taps("I'm a member")
    await ken.says(await invite_code(kyodo.settings, Role.MEMBER))
    assert linked(sandbox, ken.user_id) == "kyodo-member-en"

    # Tapping the menu's first area is the Telegram menu's "Report hours".
    before = len(ken.received)
    tap = sandbox.line.taps_rich_menu(ken.user_id, 0)
    assert tap is not None
    await settled(sandbox, kyodo, tap)
    asked = ken.received[before:]
    assert any(label.startswith("Today") for label in button_labels(asked[-1]))
    typed = [e.text for e in sandbox.line.chat(ken.user_id) if e.sender == "person"]
    assert typed[-1] == "⏱ Report hours"  # what the tap said in the chat

    # Now staff as well: the staff menu replaces the member's.
    await ken.says("/join " + await invite_code(kyodo.settings, Role.STAFF))
    assert linked(sandbox, ken.user_id) == "kyodo-staff-en"
    links = sandbox.line.calls_of("linkRichMenuIdToUser")
    assert len(links) == 2  # one per change, not one per message

    # After /forget they are nobody to Kyodo: no menu of a role they no longer have.
    await ken.says("/forget")
    await ken.taps("Yes, delete")
    assert linked(sandbox, ken.user_id) is None


async def test_a_japanese_resident_gets_the_japanese_menu(kyodo, sandbox):
    await load(kyodo)
    hana = LinePerson(sandbox, kyodo, sandbox.line.add_person("花子", "ja").user_id)
    await hana.says("こんにちは")
    await hana.taps("組合員です")
    welcome = await hana.says(await invite_code(kyodo.settings, Role.MEMBER))
    assert "花子" in said(welcome)
    assert linked(sandbox, hana.user_id) == "kyodo-member-ja"
    tap = sandbox.line.taps_rich_menu(hana.user_id, 5)  # the whole menu
    assert tap is not None
    before = len(hana.received)
    await settled(sandbox, kyodo, tap)
    assert "⏱ 勤務時間を報告" in button_labels(hana.received[before])


async def test_a_newer_kyodos_changed_menu_replaces_the_old_one_and_people_keep_a_menu(
    kyodo, sandbox, kyodo_db, monkeypatch
):
    await load(kyodo)
    ken = LinePerson(sandbox, kyodo, sandbox.line.add_person("Ken Mori", "en").user_id)
    await ken.says("hello")
    await ken.taps("I'm a member")
    await ken.says(await invite_code(kyodo.settings, Role.MEMBER))
    before = {m.body["name"]: m.id for m in sandbox.line.channel.rich_menus.values()}
    old_member_en = sandbox.line.channel.effective_rich_menu(ken.user_id)
    assert old_member_en is not None and old_member_en.body["name"].startswith("kyodo-member-en.")

    # A newer Kyodo whose member menu in English reads differently (its first cell's label).
    made_by = line_menus.menu_specs

    def newer(i18n):
        specs = made_by(i18n)
        spec = specs["kyodo-member-en"]
        first = replace(spec.entries[0], picture="⏱ Hours", display_text="⏱ Hours")
        specs["kyodo-member-en"] = replace(spec, entries=(first, *spec.entries[1:]))
        return specs

    monkeypatch.setattr(line_menus, "menu_specs", newer)
    await kyodo.stop()
    async with kyodo_with_line(sandbox, kyodo_db):
        await wait_until(
            lambda: old_member_en.id not in sandbox.line.channel.rich_menus, 15, "the old menu gone"
        )
        now = {m.body["name"]: m.id for m in sandbox.line.channel.rich_menus.values()}
    assert len(now) == 8 and len(sandbox.line.calls_of("createRichMenu")) == 9  # one new
    [new_name] = set(now) - set(before)
    assert new_name.startswith("kyodo-member-en.") and new_name != old_member_en.body["name"]
    # Ken was moved to the new menu before the old one was deleted: he never lost his menu.
    menu = sandbox.line.channel.effective_rich_menu(ken.user_id)
    assert menu is not None and menu.body["name"] == new_name
    assert menu.body["areas"][0]["action"]["displayText"] == "⏱ Hours"
    assert {n: i for n, i in now.items() if n != new_name} == {
        n: i for n, i in before.items() if n != old_member_en.body["name"]
    }  # the unchanged menus are the same ones, reused
    await kyodo.start()  # the fixture stops it once more


async def test_menus_of_an_older_kyodo_without_versions_are_replaced(kyodo_db, sandbox):
    # An older Kyodo named its menus by role and language alone, and a person has one linked.
    async with kyodo_with_line(sandbox, kyodo_db) as app:
        await menus_made(sandbox)
        await load(app)
        hana = LinePerson(sandbox, app, sandbox.line.add_person("花子", "ja").user_id)
        await hana.says("こんにちは")
        await hana.taps("組合員です")
        await hana.says(await invite_code(app.settings, Role.MEMBER))
    menu = sandbox.line.channel.effective_rich_menu(hana.user_id)
    assert menu is not None
    old_id = menu.id
    menu.body["name"] = "kyodo-member-ja"  # as the older Kyodo named it
    async with kyodo_with_line(sandbox, kyodo_db):
        await wait_until(
            lambda: old_id not in sandbox.line.channel.rich_menus, 15, "the unversioned menu gone"
        )
    assert linked(sandbox, hana.user_id) == "kyodo-member-ja"
    assert set(menus(sandbox)) == NAMES and len(sandbox.line.channel.rich_menus) == 8
