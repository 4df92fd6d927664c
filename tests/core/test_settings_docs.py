"""The settings cannot drift from their documentation: every key `bot/config.py` reads is in the
generated table of docs/operations.md and in .env.example, and the table is what the generator
(`python -m bot.settings_doc`) gives today."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from bot.config import Settings, load_settings
from bot.settings_doc import (
    BEGIN,
    END,
    SETTINGS,
    generated_section,
    replace_table,
    settings_table,
)

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def keys_read_by_config() -> set[str]:
    """Every environment key bot/config.py looks up: `env.get("K")`, `env["K"]`,
    `os.environ.get("K")`, `os.getenv("K")`, and helpers called as `_int(env, "K", ...)`."""
    tree = ast.parse((ROOT / "bot" / "config.py").read_text(encoding="utf-8"))
    keys: set[str] = set()

    def is_env(node: ast.expr) -> bool:
        return (isinstance(node, ast.Name) and node.id == "env") or (
            isinstance(node, ast.Attribute) and node.attr == "environ"
        )

    def literal(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value if KEY.fullmatch(node.value) else None
        return None

    for node in ast.walk(tree):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.Call):
            func = node.func
            lookup = isinstance(func, ast.Attribute) and (
                (func.attr == "get" and is_env(func.value)) or func.attr == "getenv"
            )
            if lookup:
                candidates = node.args[:1]
            elif node.args and is_env(node.args[0]):  # _int(env, "KEY", ...)
                candidates = node.args[1:2]
        elif isinstance(node, ast.Subscript) and is_env(node.value):
            candidates = [node.slice]
        keys.update(k for k in map(literal, candidates) if k)
    return keys


def test_the_source_scan_finds_the_keys():
    keys = keys_read_by_config()
    # a sanity check of the scan itself: keys read in each of its forms are found
    assert {"TELEGRAM_BOT_TOKEN", "KYODO_WEB_PORT", "KYODO_STAFF_CARDS"} <= keys
    assert {"KYODO_MAX_TEXT_LENGTH", "KYODO_LOG_LEVEL", "KYODO_ASSEMBLY_REMINDERS"} <= keys
    assert len(keys) >= 29


def test_the_generator_lists_exactly_the_keys_config_reads():
    documented = [doc.key for doc in SETTINGS]
    assert len(documented) == len(set(documented))
    assert set(documented) == keys_read_by_config()


def test_every_settings_field_is_filled_by_a_documented_key():
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert {doc.field for doc in SETTINGS} == fields


def test_each_documented_key_fills_its_field():
    """Setting a key to something other than its default changes the field the doc names."""
    examples = {
        "TELEGRAM_BOT_TOKEN": "123456:ABCdef_ghi-JKL",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9000/bot",
        "KYODO_TRANSPORT": "aiohttp",
        "DATABASE_URL": "sqlite+aiosqlite:///other.db",
        "WEBHOOK_URL": "https://kyodo.example.org/hook",
        "WEBHOOK_SECRET": "s3cret_0123456789abcdefghijklmnopq",
        "WEBHOOK_LISTEN_HOST": "192.0.2.1",
        "KYODO_TIMEZONE": "Europe/Paris",
        "KYODO_DEFAULT_LOCALE": "en",
        "KYODO_BOT_USERNAME": "other_bot",
        "KYODO_LOG_LEVEL": "DEBUG",
        "KYODO_WEB_HOST": "192.0.2.1",
        "KYODO_WEB_URL": "https://desk.example.org",
        "KYODO_STAFF_CHAT_ID": "-1001234567890",
        "KYODO_STAFF_CARDS": "off",
        "KYODO_SERVICE_AREAS": "kita:北区:Kita",
        "KYODO_COOP_PHONE": "03-1234-5678",
        "KYODO_OFFICE_HOURS": "mon-fri 09:00-17:00",
        "KYODO_ASSEMBLY_REMINDERS": "3d",
        "LINE_API_BASE_URL": "http://127.0.0.1:9000",
        "LINE_BOT_BASIC_ID": "@123abcde",
    }
    pairs = {  # keys that go together
        "WEBHOOK_URL": ("WEBHOOK_SECRET", "s3cret_0123456789abcdefghijklmnopq"),
        "LINE_CHANNEL_SECRET": ("LINE_CHANNEL_ACCESS_TOKEN", "token"),
        "LINE_CHANNEL_ACCESS_TOKEN": ("LINE_CHANNEL_SECRET", "secret"),
    }
    base = load_settings({})
    for doc in SETTINGS:
        value = examples.get(doc.key, "11")  # the numbers: 11 is in every range, no default
        env = {doc.key: value}
        if doc.key in pairs:
            other, other_value = pairs[doc.key]
            env[other] = other_value
        changed = load_settings(env)
        assert getattr(changed, doc.field) != getattr(base, doc.field), doc.key


def test_every_key_is_in_the_operations_page():
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = [key for key in keys_read_by_config() if f"`{key}`" not in page]
    assert missing == []


def test_the_operations_table_is_the_generated_one():
    page = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert BEGIN in page and END in page
    assert generated_section(page) == settings_table(), (
        "regenerate it: python -m bot.settings_doc --write docs/operations.md"
    )
    assert replace_table(page) == page


def test_every_key_is_in_env_example():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    # a key counts when a line sets it, commented out (optional) or not: `# KEY=...` or `KEY=...`
    present = {m.group(1) for line in lines if (m := re.match(r"^#?\s*([A-Z0-9_]+)=", line))}
    assert keys_read_by_config() - present == set()
    assert present - keys_read_by_config() == set(), "a key in .env.example that nothing reads"


def test_env_example_as_written_is_a_valid_configuration():
    """Every line of .env.example uncommented loads (the last of a repeated key wins)."""
    env: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#?\s*([A-Z0-9_]+)=(\S*(?: \S+)*?)\s*(?:#.*)?$", line)
        if m:
            env[m.group(1)] = m.group(2)
    settings = load_settings(env)
    assert settings.webhook_url == env["WEBHOOK_URL"]
