"""On LINE a turn's answer takes as few outbox rows as it can (bot/dialogs/line_turn.py): each
row beyond the first would be a push, counted against the month's quota."""

from __future__ import annotations

from bot.dialogs.line_turn import fewest_rows
from bot.domain.replies import Button, Reply, msg


def test_plain_replies_go_with_the_next_one_and_buttons_keep_their_own():
    welcome, question = msg("a.welcome"), msg("a.question")
    buttons = ((Button(msg("a.back"), "t:p:1"),),)
    rows = fewest_rows([Reply((welcome,)), Reply((question,), buttons=buttons, edit=True)])
    assert rows == [Reply((welcome, question), buttons=buttons, edit=False)]
    asked_twice = [Reply((question,), buttons=buttons), Reply((question,), buttons=buttons)]
    assert fewest_rows(asked_twice) == asked_twice


def test_a_last_plain_reply_and_a_photo_stay_as_they_are():
    caption, note = msg("a.caption"), msg("a.note")
    photo = Reply((caption,), media=("photo", "F1"))
    assert fewest_rows([Reply((note,)), photo]) == [Reply((note,)), photo]
    assert fewest_rows([photo, Reply((note,))]) == [photo, Reply((note,))]
    assert fewest_rows([]) == []
