"""The `kyodo` command as an administrator uses it from the shell."""

from __future__ import annotations

import re
import socket

from bot.config import load_settings
from bot.domain.invites import code_hash
from bot.domain.people import Role
from kyodo.app import open_store
from tests.fixtures.cli import kyodo, kyodo_process


async def test_the_first_admin_gets_a_code_and_a_deep_link(tmp_path):
    done = kyodo(tmp_path, "invite", "--role", "admin")
    assert done.returncode == 0, done.stderr
    code = re.search(r"code for a new administrator: ([A-Z0-9]{4}-[A-Z0-9]{4})", done.stdout)
    assert code, done.stdout
    assert f"https://t.me/kyodo_coop_bot?start={code[1].replace('-', '')}" in done.stdout
    settings = load_settings({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kyodo.db'}"})
    async with open_store(settings) as store, store.uow() as uow:
        invite = await uow.invites.get(code_hash(code[1].replace("-", "")))
    assert invite is not None and invite.role is Role.ADMIN and invite.used_by is None


def test_the_shell_speaks_japanese_to_a_japanese_terminal(tmp_path):
    # The real `python -m kyodo.cli` process, once: what the other tests run in-process.
    done = kyodo_process(tmp_path, "invite", "--role", "member", LANG="ja_JP.UTF-8")
    assert "新しい組合員の招待コード" in done.stdout


def test_db_upgrade_is_idempotent(tmp_path):
    assert kyodo(tmp_path, "db", "upgrade").stdout.strip() == "The database is up to date."
    assert kyodo(tmp_path, "db", "upgrade").returncode == 0


def test_a_bad_setting_stops_kyodo_naming_the_key(tmp_path):
    done = kyodo_process(tmp_path, "run", KYODO_TRANSPORT="aiogram")
    assert done.returncode == 2
    assert "KYODO_TRANSPORT" in done.stderr


def test_residents_are_not_invited_and_hours_are_bounded(tmp_path):
    assert kyodo(tmp_path, "invite", "--role", "resident").returncode == 2
    assert kyodo(tmp_path, "invite", "--hours", "0").returncode == 2


def test_a_taken_port_names_the_setting_that_moves_it(tmp_path):
    # A newcomer runs `make run` while something else holds the sandbox's port.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kyodo_process(tmp_path, "run", KYODO_SANDBOX_PORT=str(port), LANG="ja_JP.UTF-8")
    assert done.returncode == 2
    assert f"127.0.0.1:{port}" in done.stderr and "KYODO_SANDBOX_PORT" in done.stderr
    assert "別のポートを選んでください" in done.stderr
    assert "Traceback" not in done.stderr
