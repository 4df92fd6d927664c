"""The desk's language switch offers the two languages a staff member is not reading, Easy
Japanese among them; choosing it changes the desk and Kyodo in Telegram alike, and the page
still declares `lang="ja"` (a browser and a screen reader know no "ja-easy")."""

from __future__ import annotations

import re

import pytest

from tests.desk.conftest import HANAKO, Desk, DeskClient
from tests.fixtures.browser import needs_chromium, on_the_browser_loop

pytestmark = [pytest.mark.browser, needs_chromium, on_the_browser_loop]

SWITCH = re.compile(r'<button type="submit" name="locale" value="([a-z-]+)" lang="([a-z]+)">')


async def test_staff_switch_the_desk_to_easy_japanese_and_back(desk: Desk, web: DeskClient):
    home = await web.sign_in()
    assert '<html lang="ja">' in home.html
    assert SWITCH.findall(home.html) == [("ja-easy", "ja"), ("en", "en")]
    assert "勤務時間の承認" in home.html

    easy = await web.post(
        "/language", {"csrf": home.input("csrf"), "locale": "ja-easy", "back": "/desk/"}
    )
    assert easy.status == 200 and easy.url == desk.base + "/"
    assert '<html lang="ja">' in easy.html
    assert SWITCH.findall(easy.html) == [("ja", "ja"), ("en", "en")]
    assert "働いた時間の承認" in easy.html

    # The same choice in Telegram: the staff member's menu comes in Easy Japanese.
    menu = await desk.person(HANAKO, "花子").says("/menu")
    assert menu.text == "管理者（かんりしゃ）のメニュー"  # Hanako is an admin as well

    back = await web.post(
        "/language", {"csrf": easy.input("csrf"), "locale": "ja", "back": "/desk/"}
    )
    assert SWITCH.findall(back.html) == [("ja-easy", "ja"), ("en", "en")]
    assert "勤務時間の承認" in back.html


async def test_a_language_the_desk_does_not_speak_changes_nothing(desk: Desk, web: DeskClient):
    home = await web.sign_in()
    after = await web.post(
        "/language", {"csrf": home.input("csrf"), "locale": "ja-kids", "back": "/desk/"}
    )
    assert SWITCH.findall(after.html) == [("ja-easy", "ja"), ("en", "en")]
