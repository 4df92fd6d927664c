"""Where the desk gets a file a person sent through Telegram (a photo, a voice note), by its
file_id: streamed as it arrives, never stored (handlers/telegram_files.py; None without
Telegram, as in the sandbox)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class FileSource(Protocol):
    def stream(self, file_id: str) -> AsyncIterator[bytes]:
        """The file's bytes in chunks; no chunk at all when Telegram no longer has it or cannot
        be reached (the caller says so)."""
        ...
