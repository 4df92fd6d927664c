"""The `kyodo` command: run the bot, issue invite codes, migrate the database, load demo data,
import shifts, set up business centres, publish assembly notices, export hours, purge personal
data.

One module per command (`run`, `invite`, `db`, `demo`, `shifts`, `centres`, `assembly`, `export`,
`purge_personal_data`): each adds its argparse subparser and sets its `handler`, an async
function of the settings and the parsed arguments that returns the exit status. `main` parses,
loads the settings and runs that handler, in the one `asyncio.run` of the command line.

Messages for the person at the shell go through the same catalogs as the bot's, in the language
of their terminal (LANG=ja_JP... gives Japanese, anything else English: `shell.shell_locale`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, load_settings
from bot.log_privacy import quiet_payload_loggers
from kyodo.cli import (
    assembly,
    centres,
    db,
    demo,
    export,
    invite,
    members,
    purge_personal_data,
    run,
    shifts,
)
from kyodo.cli.shell import Handler


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kyodo", description="Kyodo co-operative assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    commands = (run, invite, db, demo, shifts, centres, members, assembly, export)
    for command in (*commands, purge_personal_data):
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"kyodo: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_payload_loggers()
    handler: Handler = args.handler
    return asyncio.run(handler(settings, args))
