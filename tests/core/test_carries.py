"""What a rendered message carries (a credential, personal data, a farewell), so that its outbox
copy does not keep it once sent; and every message with a link or code is known as one."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from bot.domain.outbound import Carries
from bot.domain.people import Role
from bot.domain.replies import Button, Reply, msg
from bot.i18n import catalog_files
from bot.rendering import CREDENTIAL_KEYS, Renderer, carries

# Rendered on a desk page or in the terminal of whoever asked, never queued in the outbox.
NOT_QUEUED = ("desk.invites.", "cli.")
# Links that let nobody in: the co-op's public LINE add-friend link, and desk pages (behind
# the desk's sign-in: a LINE file's page, the list of notices LINE's quota left undelivered).
NOT_SECRET = frozenset({"line.invite.add_friend", "line.media.on_desk", "line.quota.spent_alert"})


def test_every_message_with_a_link_or_a_code_is_a_credential():
    secret = re.compile(r"\{(link|url|code|token)\}")
    keys = set()
    for po in catalog_files("en"):
        with po.open("rb") as fp:
            for m in read_po(fp, locale="en"):
                # A plural message has a tuple of forms (and of ids: the key, its plural).
                forms = m.string if isinstance(m.string, tuple) else (m.string,)
                key = m.id[0] if isinstance(m.id, tuple) else m.id
                if key and any(secret.search(form) for form in forms):
                    keys.add(key)
    queued = {key for key in keys if not key.startswith(NOT_QUEUED)} - NOT_SECRET
    assert queued - CREDENTIAL_KEYS == set()


def test_a_name_or_anything_typed_makes_a_message_personal_and_codes_do_not():
    assert carries(Reply((msg("welcome", name="山田 花子"),))) is Carries.PERSONAL
    nested = msg("triage.lines", first=msg("triage.card.note", note="鍵は管理室"), rest="")
    assert carries(Reply((nested,))) is Carries.PERSONAL
    labelled = Reply((msg("menu.staff"),), buttons=((Button(msg("welcome", name="Ann"), "x"),),))
    assert carries(labelled) is Carries.PERSONAL
    assert carries(Reply((msg("role.member"), msg("mydata.role.x", role=Role.STAFF)))) is None
    assert carries(Reply((msg("hours.total", count=3, day=None),))) is None


def test_links_and_farewells_are_told_apart_from_plain_personal_data(i18n):
    link = Reply((msg("desk.tg.link", link="https://x/desk/login/abc", minutes=10),))
    assert carries(link) is Carries.CREDENTIAL
    assert carries(Reply((msg("forget.done.deleted"),))) is Carries.FAREWELL
    rendered = Renderer(i18n).render(link, 5, "ja")
    assert rendered.carries is Carries.CREDENTIAL
