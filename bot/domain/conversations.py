"""A conversation with the staff: what someone wrote, sent or said that Kyodo could not read, and
the staff's answers, carried back by Kyodo.

One conversation per chat (a person, or a stranger known only by their chat): whatever they send
to the staff joins it, and it waits for staff until someone answers. What a person wrote, and the
Telegram file of a photo or voice note, are personal data: /forget removes the conversation, and
the retention purge removes one untouched for the retention period (bot/services/personal_data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

TEXT_LIMIT = 1000  # characters a message to the staff, or an answer, may have


class Direction(StrEnum):
    IN = "in"  # from the person to the staff
    OUT = "out"  # a staff member's answer


class MediaKind(StrEnum):
    """What a file sent to the staff is; its Telegram file_id says where it lives."""

    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO_NOTE = "video_note"
    OTHER = "other"

    @classmethod
    def of(cls, media: str | None) -> MediaKind:
        """The kind of a transport's media name (`photo`, `voice`, `audio`, `video_note`)."""
        try:
            return cls(media or "")
        except ValueError:
            return cls.OTHER

    @property
    def listened_to(self) -> bool:
        """A recording (staff listen to it) rather than a picture or a file."""
        return self in (MediaKind.VOICE, MediaKind.AUDIO, MediaKind.VIDEO_NOTE)


@dataclass(frozen=True)
class Conversation:
    id: int
    chat_id: int  # where answers go (a Telegram user id, or a LINE chat's surrogate)
    person_id: int | None  # None: a stranger, known by their chat only
    name: str  # as the person is known (their display name, or Telegram's name for a stranger)
    locale: str  # the language they wrote in (a known person's own choice wins when answering)
    opened_at: datetime
    last_at: datetime  # the latest message either way: the retention purge counts from it
    waiting: bool  # written to and not yet answered


@dataclass(frozen=True)
class ConversationMessage:
    id: int
    conversation_id: int
    direction: Direction
    author_id: int | None  # the staff member who answered (None: the person, or forgotten staff)
    text: str
    at: datetime
    media: MediaKind | None = None
    file_id: str | None = None  # Telegram's id of the photo or voice note (never the file)
