"""Rich menus over LINE, through the stand-in: one per role and language, made once, linked per
person when their role is known or changes, and tapping one is pressing the Telegram menu's
button."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.people import Role
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


def menus(sandbox: SandboxServer) -> dict[str, object]:
    """The channel's rich menus by name, those with their picture only."""
    return {
        m.body["name"]: m for m in sandbox.line.channel.rich_menus.values() if m.image is not None
    }


async def menus_made(sandbox: SandboxServer) -> None:
    await wait_until(lambda: set(menus(sandbox)) == NAMES, 15, "the rich menus")


def linked(sandbox: SandboxServer, user_id: str) -> str | None:
    menu = sandbox.line.channel.effective_rich_menu(user_id)
    return None if menu is None else str(menu.body["name"])


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
