"""A chat harness for dialog tests: people send text and press buttons; tests read the transcript.

It drives the core's Conversation exactly as the inbox worker does (one unit of work per update,
committed), then reads what reached the outbox. No transport, no mocks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from bot.dialogs.runner import Conversation
from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.domain.outbound import OutboundMessage
from bot.domain.undo import HELD_PREFIX
from tests.fakes.memory_store import MemoryStore


@dataclass(frozen=True)
class User:
    id: int
    name: str = "Hanako"
    language: str | None = "ja"


@dataclass
class Turn:
    """What one update produced: messages to this chat, and the toast of a pressed button."""

    messages: list[OutboundMessage]
    toast: str | None

    @property
    def text(self) -> str:
        return "\n---\n".join(m.text for m in self.messages)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [b for m in self.messages for row in m.buttons for b in row]

    def data_for(self, label_part: str) -> str:
        matches = [data for label, data in self.buttons if label_part in label]
        assert len(matches) == 1, (label_part, self.buttons)
        return matches[0]


class ChatHarness:
    def __init__(self, store: MemoryStore, conversation: Conversation, clock) -> None:
        self.store = store
        self.conversation = conversation
        self.clock = clock
        self._ids = itertools.count(1)
        self.delivered: dict[int, list[OutboundMessage]] = {}

    async def _run(self, incoming: Incoming) -> Turn:
        async with self.store.uow() as uow:
            result = await self.conversation(uow, incoming)
            await uow.commit()
        mine = self._drain().get(incoming.chat_id or 0, [])
        return Turn(mine, result.callback_answer)

    def _incoming(self, user: User, chat_type: ChatType, chat_id: int | None, **kw) -> Incoming:
        return Incoming(
            update_id=next(self._ids),
            chat_id=chat_id if chat_id is not None else user.id,
            chat_type=chat_type,
            user_id=user.id,
            user_name=user.name,
            language_code=user.language,
            **kw,
        )

    async def send(
        self,
        user: User,
        text: str,
        chat_type: ChatType = ChatType.PRIVATE,
        chat_id: int | None = None,
    ) -> Turn:
        if text.startswith("/"):
            head, _, args = text[1:].partition(" ")
            kw = {"kind": InputKind.COMMAND, "command": head.split("@")[0].lower(), "args": args}
        else:
            kw = {"kind": InputKind.TEXT}
        return await self._run(self._incoming(user, chat_type, chat_id, text=text, **kw))

    async def press(self, user: User, data: str, message_id: int = 1) -> Turn:
        return await self._run(
            self._incoming(
                user,
                ChatType.PRIVATE,
                None,
                kind=InputKind.BUTTON,
                callback_data=data,
                callback_query_id=str(next(self._ids)),
                message_id=message_id,
            )
        )

    def shown(self, user: User) -> list[tuple[str, str]]:
        """The buttons of the latest message with buttons in the user's chat: what is on screen."""
        for message in reversed(self.delivered.get(user.id, [])):
            if message.buttons:
                return [b for row in message.buttons for b in row]
        return []

    async def tap(self, user: User, label_part: str) -> Turn:
        """Presses the button labelled `label_part` on the latest screen, as a person would."""
        matches = [data for label, data in self.shown(user) if label_part in label]
        assert len(matches) == 1, (label_part, self.shown(user))
        return await self.press(user, matches[0])

    def keyboard(self, user: User) -> list[str]:
        """The labels of the short menu under the user's chat (Telegram's reply keyboard): the
        one the latest message that set or removed one left there; none at first."""
        for message in reversed(self.delivered.get(user.id, [])):
            if message.keyboard is not None:
                return [label for row in message.keyboard for label in row]
        return []

    async def key(self, user: User, label_part: str) -> Turn:
        """Presses the key labelled `label_part` under the chat: its label is sent as text."""
        matches = [label for label in self.keyboard(user) if label_part in label]
        assert len(matches) == 1, (label_part, self.keyboard(user))
        return await self.send(user, matches[0])

    async def press_shown(self, user: User, tag: str) -> Turn:
        """Presses the latest button whose callback data has `tag` (e.g. `hr:ok` of a draft)."""
        for message in reversed(self.delivered.get(user.id, [])):
            for row in message.buttons:
                for _, data in row:
                    if data == tag or data.startswith(tag + ":"):
                        return await self.press(user, data)
        raise AssertionError(f"no button {tag!r} was shown to {user.name}")

    def wait(self, **delta: float) -> dict[int, list[OutboundMessage]]:
        """Lets time pass (`minutes=5`): what has become due by then is delivered."""
        self.clock.advance(**delta)
        return self._drain()

    async def sticker(self, user: User) -> Turn:
        return await self._run(
            self._incoming(user, ChatType.PRIVATE, None, kind=InputKind.UNSUPPORTED)
        )

    def _drain(self) -> dict[int, list[OutboundMessage]]:
        """Takes everything queued in the outbox, as a sender would, grouped by chat."""
        out: dict[int, list[OutboundMessage]] = {}
        now = self.clock.now() + timedelta(days=1)
        for record in sorted(self.store.state.outbox.values(), key=lambda r: r.id):
            # A held notice (of an action that may still be undone) waits for the clock itself.
            held = (record.dedupe_key or "").startswith(HELD_PREFIX)
            if record.is_due(self.clock.now() if held else now):
                out.setdefault(record.message.chat_id, []).append(record.message)
                self.delivered.setdefault(record.message.chat_id, []).append(record.message)
                record.status = type(record.status).SENT
        return out
