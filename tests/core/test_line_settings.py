"""LINE's settings: both secrets or neither, never printed, LINE's own API by default."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_line_is_off_without_its_secrets_and_on_with_both():
    assert not load_settings({}).line_enabled
    settings = load_settings(
        {"LINE_CHANNEL_SECRET": "c0ffee-secret", "LINE_CHANNEL_ACCESS_TOKEN": "t0ken-value"}
    )
    assert settings.line_enabled
    assert settings.line_api_base_url == "https://api.line.me"


@pytest.mark.parametrize("key", ["LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"])
def test_one_secret_without_the_other_stops_kyodo(key):
    with pytest.raises(ConfigError, match="LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN"):
        load_settings({key: "something"})


def test_the_secrets_are_never_printed():
    settings = load_settings(
        {"LINE_CHANNEL_SECRET": "c0ffee-secret", "LINE_CHANNEL_ACCESS_TOKEN": "t0ken-value"}
    )
    assert "c0ffee-secret" not in repr(settings) and "t0ken-value" not in repr(settings)


def test_the_api_address_must_be_http():
    with pytest.raises(ConfigError, match="LINE_API_BASE_URL"):
        load_settings({"LINE_API_BASE_URL": "ftp://line.example"})
    assert load_settings({"LINE_API_BASE_URL": "http://127.0.0.1:8080/"}).line_api_base_url == (
        "http://127.0.0.1:8080"
    )
