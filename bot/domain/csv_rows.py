"""Reading a CSV file that staff made in Excel: decoding, the header row, and the rows with
their line numbers. Every import (centres, shifts, members) shares this; each keeps only its
own columns and the rules of its fields.

A file is refused as a whole (`InvalidInput`) only when it cannot be read at all: a wrong
encoding, a broken quote, no header, too many rows. A bad row is reported as a `LineError`
and the other rows are still read, so staff see every mistake of a file at once.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class LineError:
    """Why one row cannot be imported; `code` is shown as `<part>.import.error.<code>`."""

    line: int
    code: str


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or else Shift_JIS/cp932; anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise InvalidInput("csv_encoding") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("csv_encoding") from None


def header(row: list[str], headers: Mapping[str, str], required: tuple[str, ...]) -> dict[str, int]:
    """Each known column's index; a column's first occurrence wins. `headers` maps the names
    staff may write (casefolded) to the field's own name."""
    columns: dict[str, int] = {}
    for index, name in enumerate(row):
        field = headers.get(normalise(name).casefold())
        if field is not None and field not in columns:
            columns[field] = index
    if any(name not in columns for name in required):
        raise InvalidInput("csv_header")
    return columns


def read_rows(
    text: str,
    *,
    headers: Mapping[str, str],
    required: tuple[str, ...],
    max_rows: int,
    parse_row: Callable[[int, dict[str, str]], T],
) -> tuple[list[T], list[LineError]]:
    """Every row after the header through `parse_row(line number, cells by field)`; blank rows
    are skipped, a missing cell reads as "". A row whose `parse_row` raises InvalidInput is a
    LineError with that code."""
    if "\x00" in text:
        raise InvalidInput("csv_encoding")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: dict[str, int] | None = None
    parsed: list[T] = []
    errors: list[LineError] = []
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = header(row, headers, required)
                continue
            if len(parsed) + len(errors) >= max_rows:
                raise InvalidInput("csv_too_long")
            cells = {name: row[i] if i < len(row) else "" for name, i in columns.items()}
            try:
                parsed.append(parse_row(number, cells))
            except InvalidInput as error:
                errors.append(LineError(number, error.code))
    except csv.Error:
        raise InvalidInput("csv_malformed", line=reader.line_num) from None
    if columns is None:
        raise InvalidInput("csv_header")
    return parsed, errors
