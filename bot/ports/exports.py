"""The store's aggregate queries for payroll exports (part of the unit of work in `store.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.exports import HoursLine, HoursQuery


class ExportRepository(Protocol):
    async def hours(self, query: HoursQuery) -> Sequence[HoursLine]:
        """A month's hours per person and centre, summed by the store, by person id then centre.

        Approved reports always count; pending ones only with `HoursScope.ALL`; rejected and
        withdrawn reports never. People with nothing counted in the month have no line.
        """
        ...
