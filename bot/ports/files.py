"""Where the desk gets a file a person sent through Telegram (a photo, a voice note), by its
file_id: streamed as it arrives, never stored (handlers/telegram_files.py; None without
Telegram)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FetchedFile:
    """A file on its way: its content type (from Telegram's path: `.jpg`, `.oga`...) and its
    bytes in chunks, read while the fetch is open."""

    content_type: str
    chunks: AsyncIterator[bytes]


class FileUnavailable(Exception):
    """The fetch broke off: Telegram unreachable, or the connection dropped midway."""


class FileSource(Protocol):
    def fetch(self, file_id: str) -> AbstractAsyncContextManager[FetchedFile | None]:
        """The file, or None when Telegram no longer has it; `FileUnavailable` when it cannot be
        reached (before or while the file is read)."""
        ...
