"""The iCalendar text: escaping, CRLF line ends, folding at 75 octets without splitting a
character."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.shift_ical import Event, calendar

T0 = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def test_events_are_in_utc_with_escaped_text_and_folded_lines():
    long_place = "港ビル清掃センター、" * 10
    text = calendar(
        "Kyodo; shifts, mine",
        [Event("shift-1@kyodo", T0, T0 + timedelta(hours=4), "Cleaning, floors\nB1", long_place)],
        T0,
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "X-WR-CALNAME:Kyodo\\; shifts\\, mine" in lines
    assert "DTSTART:20261122T230000Z" in lines and "DTEND:20261123T030000Z" in lines
    assert "SUMMARY:Cleaning\\, floors\\nB1" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert f"LOCATION:{long_place}" in unfolded.split("\r\n")
