"""Configuration is validated at start; a bad value names its key and never shows a secret."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456:ABCdef_ghi-JKL"
SECRET = "s3cr3t_0123456789abcdefghijklmnopqrs"  # 32+ characters of Telegram's alphabet


def test_with_nothing_set_kyodo_runs_the_sandbox_on_sqlite_in_tokyo():
    settings = load_settings({})
    assert settings.sandbox_mode
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.timezone == "Asia/Tokyo"
    assert settings.default_locale == "ja"
    assert settings.transport == "ptb"


def test_a_local_bot_api_server_can_be_named():
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9000/bot/"}
    )
    assert settings.api_base_url == "http://127.0.0.1:9000/bot"
    assert not settings.sandbox_mode


def test_a_plain_postgresql_url_gets_the_async_driver():
    settings = load_settings({"DATABASE_URL": "postgresql://kyodo@db/kyodo"})
    assert settings.database_url == "postgresql+asyncpg://kyodo@db/kyodo"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"KYODO_TRANSPORT": "aiogram"}, "KYODO_TRANSPORT"),
        ({"KYODO_TIMEZONE": "Mars/Olympus"}, "KYODO_TIMEZONE"),
        ({"KYODO_DEFAULT_LOCALE": "fr"}, "KYODO_DEFAULT_LOCALE"),
        ({"KYODO_GLOBAL_RATE": "nan"}, "KYODO_GLOBAL_RATE"),
        ({"KYODO_GLOBAL_RATE": "-3"}, "KYODO_GLOBAL_RATE"),
        ({"KYODO_INVITE_TTL_HOURS": "soon"}, "KYODO_INVITE_TTL_HOURS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"WEBHOOK_URL": "https://x/h", "WEBHOOK_SECRET": "has space" * 4}, "WEBHOOK_SECRET"),
        (
            {"WEBHOOK_URL": "https://x/h", "WEBHOOK_SECRET": "short-but-fine_chars"},
            "WEBHOOK_SECRET",
        ),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key(env, key):
    with pytest.raises(ConfigError, match=key):
        load_settings(env)


def test_secrets_are_never_printed():
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://x/h", "WEBHOOK_SECRET": SECRET}
    )
    assert TOKEN not in repr(settings)
    assert SECRET not in repr(settings)
    with pytest.raises(ConfigError) as error:
        load_settings({"TELEGRAM_BOT_TOKEN": "oops secret-ish"})
    assert "oops" not in str(error.value)


def test_a_missing_webhook_secret_is_made_and_kept_in_the_env_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for key in ("WEBHOOK_SECRET", "WEBHOOK_URL"):
        monkeypatch.delenv(key, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("WEBHOOK_URL=https://kyodo.example/telegram/webhook\n", encoding="utf-8")
    first = load_settings()
    told = capsys.readouterr().err
    assert f"keeps it in {env_file}" in told and (first.webhook_secret or "x") not in told
    assert first.webhook_secret is not None and len(first.webhook_secret) >= 32
    assert load_settings().webhook_secret == first.webhook_secret  # kept: the next start agrees
    assert capsys.readouterr().err == ""
