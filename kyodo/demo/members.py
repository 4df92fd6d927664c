"""The demo co-op's roster, imported through the same path as a real co-op's
(`bot.services.member_import`, the CSV of docs/members.md): its people, their centres and
roles. `member_no` is `demo-<Telegram id>`, so that the demo can then attach each person to the
sandbox account it chats as (as if they had joined with their letter).

佐藤 花子 is the whole-co-op coordinator (staff and coordinator, and admin); every demo member,
volunteer and staff member belongs to the centres they work at.
"""

from __future__ import annotations

MEMBERS_CSV = """\
name,kana,centres,language,role,member_no
佐藤 花子,サトウ ハナコ,中央ケアセンター;港ビル清掃センター,ja,staff,demo-1001
田中 一郎,タナカ イチロウ,港ビル清掃センター;中央ケアセンター,ja,member,demo-2001
Maria Santos,マリア サントス,中央ケアセンター,en,member,demo-2002
鈴木 次郎,スズキ ジロウ,中央ケアセンター,ja,volunteer,demo-3001
"""
