"""The stored state of one chat's conversation: which dialog, which step, what was gathered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DialogState:
    """`data` must be JSON-serialisable: it lives in the SQL store, keyed by channel and chat."""

    dialog: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
