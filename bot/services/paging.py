"""A page of a list, and how long a page is: every keyset-paged list a service returns (the
review queue, people, the audit log) hands back a `Page`, whichever door shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
PAGE = 25  # rows per page on every list: short enough to read on a tablet


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None  # the cursor of the next page, None on the last
