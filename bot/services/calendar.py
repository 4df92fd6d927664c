"""Japanese public holidays, named in the person's language, for shift lists and reminders."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=4)
def _japan(language: str) -> holidays.HolidayBase:
    # The language is always given: without it the package follows the process's locale.
    return holidays.country_holidays("JP", language=language)


def holiday_name(day: date, locale: str) -> str | None:
    """The name of the public holiday on `day` (勤労感謝の日 / Labor Thanksgiving Day), or None."""
    name: str | None = _japan("ja" if locale == "ja" else "en_US").get(day)
    return name
