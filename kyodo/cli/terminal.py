"""What the `kyodo` command says in the terminal: catalog texts as typed (not escaped for
Telegram's HTML), and an import's refusals on stderr: the whole file, or each broken line as
"line N: reason" in the shell's language (`kyodo members|centres|shifts import`)."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable, Mapping

from bot.domain.csv_rows import LineError
from bot.i18n import I18n


def say(i18n: I18n, key: str, locale: str, args: Mapping[str, object] | None = None) -> str:
    # The catalogs escape values for Telegram's HTML; a terminal shows them as typed.
    return html.unescape(i18n.text(key, locale, args))


def file_refused(i18n: I18n, locale: str, key: str, reason_key: str) -> None:
    """Says on stderr that the file cannot be imported at all: `key` with the reason."""
    print(say(i18n, key, locale, {"reason": say(i18n, reason_key, locale)}), file=sys.stderr)


def lines_refused(
    i18n: I18n, locale: str, key: str, reasons: str, errors: Iterable[LineError]
) -> None:
    """Says on stderr each broken line with its number: `key` ("line {line}: {reason}") with
    the reason `<reasons>.<code>`."""
    for broken in errors:
        reason = say(i18n, f"{reasons}.{broken.code}", locale)
        print(say(i18n, key, locale, {"line": broken.line, "reason": reason}), file=sys.stderr)
