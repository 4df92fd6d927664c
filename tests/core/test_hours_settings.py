"""The hours window is a setting: how far back members may report, default 31 days."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_the_hours_window_defaults_to_31_days_and_can_be_set():
    assert load_settings({}).hours_window_days == 31
    assert load_settings({"KYODO_HOURS_WINDOW_DAYS": "14"}).hours_window_days == 14


@pytest.mark.parametrize("value", ["0", "-3", "a month", "367"])
def test_an_impossible_hours_window_stops_kyodo_naming_the_key(value):
    with pytest.raises(ConfigError, match="KYODO_HOURS_WINDOW_DAYS"):
        load_settings({"KYODO_HOURS_WINDOW_DAYS": value})
