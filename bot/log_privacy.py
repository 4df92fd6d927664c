"""Keeps personal data out of the logs, whatever level the root logger is set to.

Some libraries log whole payloads at DEBUG: aiosqlite every statement with its parameters (names,
phone numbers, addresses), python-telegram-bot every Bot API call with its text, SQLAlchemy's
engine logger the parameters of each statement when enabled. With KYODO_LOG_LEVEL=DEBUG those
would write residents' personal data to the log, so they are held at WARNING. (SQLAlchemy's
engine logger must not be lowered to INFO either: at INFO it starts echoing statements.)
Kyodo's own modules log ids and counts only.
"""

from __future__ import annotations

import logging

PAYLOAD_LOGGERS = ("aiosqlite", "telegram.Bot", "telegram.ext.ExtBot", "sqlalchemy.engine")


def quiet_payload_loggers() -> None:
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
