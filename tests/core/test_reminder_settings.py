"""Reminder settings from the environment: offsets and hours checked once, at start."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings


def test_reminder_settings_have_the_documented_defaults():
    settings = load_settings({})
    assert settings.assembly_reminders == (
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=2),
    )
    assert (settings.shift_reminder_hour, settings.digest_hour) == (18, 8)
    assert (settings.scheduler_tick, settings.outbox_lease) == (10.0, 30.0)


def test_reminder_settings_are_read_from_the_environment():
    settings = load_settings(
        {
            "KYODO_ASSEMBLY_REMINDERS": "3d, 90m",
            "KYODO_SHIFT_REMINDER_HOUR": "19",
            "KYODO_DIGEST_HOUR": "7",
            "KYODO_SCHEDULER_TICK": "5",
            "KYODO_OUTBOX_LEASE": "60",
        }
    )
    assert settings.assembly_reminders == (timedelta(days=3), timedelta(minutes=90))
    assert (settings.shift_reminder_hour, settings.digest_hour) == (19, 7)
    assert (settings.scheduler_tick, settings.outbox_lease) == (5.0, 60.0)
    assert load_settings({"KYODO_ASSEMBLY_REMINDERS": ""}).assembly_reminders == ()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("KYODO_ASSEMBLY_REMINDERS", "7 days"),
        ("KYODO_ASSEMBLY_REMINDERS", "-2h"),
        ("KYODO_SHIFT_REMINDER_HOUR", "24"),
        ("KYODO_DIGEST_HOUR", "eight"),
        ("KYODO_SCHEDULER_TICK", "nan"),
        ("KYODO_OUTBOX_LEASE", "1"),
    ],
)
def test_a_bad_reminder_setting_stops_kyodo_naming_the_key(key, value):
    with pytest.raises(ConfigError, match=key):
        load_settings({key: value})
