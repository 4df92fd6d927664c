"""/help names /link, the way to use Kyodo from the other messenger too (issue 16): for
members, staff and everyone else, in Japanese, Easy Japanese and English, over Telegram and
over LINE (one help text serves both doors)."""

from __future__ import annotations

import pytest

from bot.domain.channels import line_chat_id
from tests.fakes.chat import User
from tests.fixtures.people import HANAKO, SATO, TANAKA, TOME, demo

KEN = User(line_chat_id(7), "Ken Mori", "ja")  # a stranger writing through LINE

LANGUAGES = {"ja": "日本語", "ja-easy": "やさしい にほんご", "en": "English"}
SAYS = {"ja": "連携", "ja-easy": "つなげる", "en": "both"}


@pytest.mark.parametrize("locale", list(LANGUAGES))
async def test_help_names_link_for_every_role_in_every_language(chat, memory_store, clock, locale):
    await demo(memory_store, clock)
    for user in (TANAKA, HANAKO, TOME, SATO, KEN):
        chosen = await chat.send(user, "/language")
        await chat.press(user, chosen.data_for(LANGUAGES[locale]))
        turn = await chat.send(user, "/help")
        [line] = [line for line in turn.text.splitlines() if line.startswith("/link")]
        assert SAYS[locale] in line, (user.first_name, locale, line)
