"""Translations and locale-aware formatting: gettext catalogs through Babel, in the co-op's zone.

Catalogs are `locales/<lang>/LC_MESSAGES/<part>.po`, one file per part of Kyodo (`kyodo.po` for the
core, `requests.po`, `broadcasts.po`, `desk.po`...) so that work on one part does not edit another's
file; all parts of a language are merged into one catalog and a key may live in only one part.
They are compiled to `.mo` by the build. When a `.mo` is missing or older than its `.po` (a fresh
clone before `make`), the `.po` is compiled in memory, so the bot never runs with silently empty
translations.

Easy Japanese (やさしい日本語, code `ja-easy`) is a language of its own catalogs, chosen by a person
and never guessed from Telegram's language code; Babel knows no such locale, so its dates, numbers
and plurals are Japanese ones (`babel_locale`), and a key its catalogs lack reads as in Japanese.

Plurals go through ngettext: a key with `msgid_plural` has one form per plural category of its
language, chosen by the message's `count` argument with the rule in the `.po`'s `Plural-Forms`
(Babel's: English has two forms, Japanese one). A count inside a longer message names such a key
as its format spec, `{broken:count.lines}`, so that each number in a sentence gets its own noun
form; these keys live in the `plurals.po` part (`PLURAL_PREFIX`).
"""

from __future__ import annotations

import io
import logging
import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from bot.domain.languages import CHOSEN_ONLY as CHOSEN_ONLY
from bot.domain.languages import SUPPORTED as SUPPORTED
from bot.domain.languages import base_language, is_japanese
from bot.domain.replies import Msg

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "kyodo"
# A format spec that names a plural key: `{broken:count.lines}` renders `count.lines` for `broken`.
PLURAL_PREFIX = "count."

log = logging.getLogger(__name__)


def babel_locale(locale: str) -> Locale:
    """Babel's locale for formatting dates, numbers and plurals in `locale`."""
    return Locale.parse(base_language(locale))


class CatalogError(Exception):
    """A catalog is missing or empty: refusing to run with untranslated text."""


def catalog_files(lang: str, directory: Path = LOCALES_DIR) -> list[Path]:
    """The `.po` files of one language, one per part of Kyodo, in a stable order."""
    return sorted((directory / lang / "LC_MESSAGES").glob("*.po"))


def _load_part(po: Path, lang: str) -> Translations:
    mo = po.with_suffix(".mo")
    domain = po.stem
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fp:
            return Translations(fp, domain=domain)
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=base_language(lang), domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=domain)


def _load(lang: str, directory: Path) -> Translations:
    parts = catalog_files(lang, directory)
    if not parts:
        raise CatalogError(f"no catalog for {lang!r} in {directory}")
    # The core's part is the base: its header (plural forms) governs the merged catalog.
    parts.sort(key=lambda po: po.stem != DOMAIN)
    merged = _load_part(parts[0], lang)
    for po in parts[1:]:
        part = _load_part(po, lang)
        clash = (set(part._catalog) & set(merged._catalog)) - {""}
        if clash:
            raise CatalogError(f"{po} repeats keys of another part: {sorted(clash)[:5]}")
        merged._catalog.update(part._catalog)
    if not [key for key in merged._catalog if key]:
        raise CatalogError(f"the catalog for {lang!r} is empty")
    return merged


def resolve_locale(chosen: str | None, telegram_language: str | None, default: str) -> str:
    """The person's own choice, else Telegram's language_code (English for en-*), else default.
    Easy Japanese is only ever a choice: a `ja` Telegram is plain Japanese."""
    if chosen in SUPPORTED:
        return chosen
    if telegram_language:
        primary = telegram_language.split("-")[0].lower()
        if primary in SUPPORTED and primary not in CHOSEN_ONLY:
            return primary
    return default


class _EscapingFormatter(string.Formatter):
    """Formats placeholders, escaping every value for Telegram HTML and localising numbers/dates."""

    def __init__(self, i18n: I18n, locale: str) -> None:
        self._i18n = i18n
        self._locale = locale

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith(PLURAL_PREFIX):
            return self._i18n.text(format_spec, self._locale, {"count": value})
        return self._i18n.format_value(value, self._locale, format_spec)


class I18n:
    """Translates message keys and formats values for one co-op (its zone and default locale)."""

    def __init__(self, tz: ZoneInfo, default_locale: str = "ja", directory: Path | None = None):
        self.tz = tz
        self.default_locale = default_locale
        self._catalogs = {lang: _load(lang, directory or LOCALES_DIR) for lang in SUPPORTED}
        for lang in SUPPORTED:
            base = base_language(lang)
            if base == lang:
                continue
            # A key missing in Easy Japanese (a part being written) reads as in Japanese, never
            # as the bare key; the catalog test holds every key in every language.
            self._catalogs[lang].add_fallback(self._catalogs[base])

    def _catalog(self, locale: str) -> Translations:
        return self._catalogs.get(locale) or self._catalogs[self.default_locale]

    def gettext(self, key: str, locale: str) -> str:
        text: str = self._catalog(locale).gettext(key)
        if text == key:
            log.error("untranslated message key %r for locale %s", key, locale)
        return text

    def ngettext(self, key: str, locale: str, count: int) -> str:
        """The form of plural key `key` for `count` in `locale` (its catalog's plural rule)."""
        text: str = self._catalog(locale).ngettext(key, key, count)
        if text == key:
            log.error("untranslated plural key %r for locale %s", key, locale)
        return text

    def is_plural(self, key: str, locale: str) -> bool:
        """Whether `key` has plural forms (`msgid_plural`) in `locale` or in its fallback."""
        catalog: object = self._catalog(locale)
        while isinstance(catalog, Translations):
            if (key, 0) in catalog._catalog:
                return True
            catalog = getattr(catalog, "_fallback", None)
        return False

    def has(self, key: str, locale: str) -> bool:
        catalog = self._catalogs[locale]._catalog
        return key in catalog or (key, 0) in catalog

    def text(self, key: str, locale: str, args: Mapping[str, object] | None = None) -> str:
        """The translated message with its placeholders filled (values HTML-escaped); a plural
        key takes the form for its `count` argument."""
        if self.is_plural(key, locale):
            count = (args or {}).get("count")
            if isinstance(count, int | float | Decimal) and not isinstance(count, bool):
                # A fraction takes the "other" form, as Babel's rules say (1.5 hours).
                n = int(count) if count == int(count) else 2
                template = self.ngettext(key, locale, n)
            else:
                log.error("plural key %r rendered without a count: %r", key, count)
                template = self.ngettext(key, locale, 2)
        else:
            template = self.gettext(key, locale)
        if not args:
            return template
        return _EscapingFormatter(self, locale).vformat(template, (), dict(args))

    def format_value(self, value: object, locale: str, spec: str = "") -> str:
        if isinstance(value, Msg):
            return self.text(value.key, locale, value.args)
        if isinstance(value, datetime):
            return escape(self.datetime(value, locale, spec or "medium"))
        if isinstance(value, date):
            if spec == "month":  # `{month:month}`: 2026年11月 / November 2026
                return escape(format_skeleton("yMMMM", value, locale=babel_locale(locale)))
            return escape(self.date(value, locale))
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | float | Decimal):
            return escape(self.number(value, locale))
        return escape(str(value), quote=False)

    def date(self, value: date, locale: str) -> str:
        """`11月22日（日）` / `Sun, Nov 22`: Japanese brackets are full-width, as in every Japanese
        sentence (docs/glossary.md); the pattern is Kyodo's, Babel fills in the weekday."""
        pattern = "M月d日（E）" if is_japanese(locale) else "EEE, MMM d"
        return format_date(value, pattern, locale=babel_locale(locale))

    def datetime(self, value: datetime, locale: str, style: str = "medium") -> str:
        """`11月22日（日） 9:00` / `Sun, Nov 22, 9:00 AM`, always in the co-op's time zone."""
        local = value.astimezone(self.tz)
        if style == "time":
            return format_time(local, "short", tzinfo=self.tz, locale=babel_locale(locale))
        when = self.date(local.date(), locale)
        clock = format_time(local, "short", tzinfo=self.tz, locale=babel_locale(locale))
        return f"{when} {clock}" if is_japanese(locale) else f"{when}, {clock}"

    def number(self, value: float | int | Decimal, locale: str) -> str:
        return format_decimal(value, locale=babel_locale(locale))
