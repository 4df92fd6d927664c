"""What simulated people do in LINE: add the account, write, send photos, voice and stickers,
tap buttons and rich menu areas, block the account. Each act becomes a webhook event.

Taps follow LINE: a quick reply button can be tapped only while its message is the last in the
chat and no other of its buttons was tapped; buttons of templates and Flex bubbles stay
tappable for ever (LINE cannot edit or retract a sent message, so a bot must answer taps on old
buttons itself). A postback shows its ``displayText`` in the chat as the person's message, a
message action sends its ``text``, a date-time picker posts back the chosen ``params``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.line import events, ids
from sandbox.line.clock import JST
from sandbox.line.state import Channel, ChatEntry, Content, Person
from sandbox.line.webhook import EventRecord, WebhookSender


class People:
    def __init__(self, channel: Channel, webhooks: WebhookSender) -> None:
        self.channel = channel
        self.webhooks = webhooks
        self._count = 0

    def add(
        self,
        display_name: str,
        language: str = "ja",
        *,
        user_id: str | None = None,
        friend: bool = True,
    ) -> Person:
        """Register someone (a friend of the account already unless ``friend`` is False)."""
        self._count += 1
        user_id = user_id or ids.user_id(f"kyodo-sandbox-line:{display_name}:{self._count}")
        person = Person(user_id, display_name, language, friend=friend)
        self.channel.people[user_id] = person
        self.channel.notifier.notify()
        return person

    # -- events --------------------------------------------------------------------------------

    def _emit(self, person: Person, kind: str, *, reply: bool, **fields: Any) -> EventRecord:
        millis = self.channel.clock.millis()
        event = events.event(kind, person.user_id, millis, **fields)
        if reply:
            token = self.channel.issue_reply_token(person.user_id, event["webhookEventId"])
            event["replyToken"] = token
        return self.webhooks.enqueue(event)

    def _message(self, user_id: str, message: dict[str, Any]) -> EventRecord:
        person = self._friend(user_id)
        self.channel.add_person_message(user_id, message)
        return self._emit(person, "message", reply=True, message=message)

    def _friend(self, user_id: str) -> Person:
        person = self.channel.person(user_id)
        if not person.friend:
            raise ValueError(f"{person.display_name} has blocked the account: follow first")
        return person

    def follow(self, user_id: str) -> EventRecord:
        person = self.channel.person(user_id)
        unblocked = person.blocked
        person.friend, person.blocked = True, False
        return self._emit(person, "follow", reply=True, follow={"isUnblocked": unblocked})

    def unfollow(self, user_id: str) -> EventRecord:
        person = self.channel.person(user_id)
        person.friend, person.blocked = False, True
        self.channel.notifier.notify()
        return self._emit(person, "unfollow", reply=False)

    def text(self, user_id: str, text: str) -> EventRecord:
        if not text:
            raise ValueError("a text message cannot be empty")
        return self._message(user_id, events.text(text))

    def image(
        self, user_id: str, data: bytes | None = None, content_type: str = "image/png"
    ) -> EventRecord:
        message = events.image()
        self.channel.contents[message["id"]] = Content(data or events.png(), content_type)
        return self._message(user_id, message)

    def audio(
        self,
        user_id: str,
        data: bytes | None = None,
        content_type: str = "audio/x-m4a",
        duration_ms: int = 3000,
    ) -> EventRecord:
        message = events.audio(duration_ms)
        self.channel.contents[message["id"]] = Content(data or events.m4a_stub(), content_type)
        return self._message(user_id, message)

    def sticker(
        self, user_id: str, package_id: str = "446", sticker_id: str = "1988"
    ) -> EventRecord:
        return self._message(user_id, events.sticker(package_id, sticker_id))

    def postback(
        self,
        user_id: str,
        data: str,
        *,
        display_text: str | None = None,
        params: dict[str, str] | None = None,
    ) -> EventRecord:
        """A postback with any data (a forged one too: a bot must not trust it)."""
        person = self._friend(user_id)
        if display_text:
            shown = events.text(display_text)
            self.channel.add_person_message(user_id, shown)
        return self._emit(person, "postback", reply=True, postback=events.postback(data, params))

    # -- taps ----------------------------------------------------------------------------------

    def tap(
        self,
        user_id: str,
        message_id: str,
        *,
        label: str | None = None,
        action: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> EventRecord | None:
        """Tap a button of a bot message, found by its ``label`` or as the very ``action`` the
        message holds (what the page sends: Flex boxes and images have no label); None for
        a link, which makes no event."""
        chat = self.channel.chat(user_id)
        entry = next((e for e in chat if e.id == message_id and e.sender == "bot"), None)
        if entry is None:
            raise LookupError(f"no bot message {message_id} in {user_id}'s chat")

        def wanted(candidate: dict[str, Any]) -> bool:
            if action is not None:
                return candidate == action
            return label is not None and candidate.get("label") == label

        chosen = self._quick_reply_action(chat, entry, wanted)
        if chosen is None:
            chosen = next((a for a in actions_of(entry.message) if wanted(a)), None)
        if chosen is None:
            raise LookupError(f"no such button on message {message_id}: {label or action}")
        return self.act(user_id, chosen, params)

    def _quick_reply_action(
        self, chat: list[ChatEntry], entry: ChatEntry, wanted: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any] | None:
        for item in entry.quick_reply:
            action = item.get("action") or {}
            if not wanted(action):
                continue
            if chat[-1] is not entry or entry.quick_reply_used:
                raise ValueError("quick reply buttons show only under the last message")
            entry.quick_reply_used = True
            return dict(action)
        return None

    def tap_rich_menu(
        self, user_id: str, area: int, params: dict[str, str] | None = None
    ) -> EventRecord | None:
        menu = self.channel.effective_rich_menu(user_id)
        if menu is None:
            raise LookupError(f"{user_id} has no rich menu")
        areas = menu.body.get("areas") or []
        if not 0 <= area < len(areas):
            raise LookupError(f"the rich menu has no area {area}")
        return self.act(user_id, areas[area]["action"], params)

    def act(
        self, user_id: str, action: dict[str, Any], params: dict[str, str] | None = None
    ) -> EventRecord | None:
        kind = action.get("type")
        if kind == "postback":
            return self.postback(
                user_id, str(action.get("data", "")), display_text=action.get("displayText")
            )
        if kind == "message":
            return self.text(user_id, str(action.get("text", "")))
        if kind == "datetimepicker":
            mode = str(action.get("mode", "datetime"))
            now = datetime.fromtimestamp(self.channel.clock.now(), JST)
            default = {"date": f"{now:%Y-%m-%d}", "time": f"{now:%H:%M}"}.get(
                mode, f"{now:%Y-%m-%dT%H:%M}"
            )
            chosen = params or {mode: str(action.get("initial") or default)}
            return self.postback(user_id, str(action.get("data", "")), params=chosen)
        if kind in {"uri", "richmenuswitch", "clipboard"}:
            return None
        raise ValueError(f"the sandbox cannot tap a {kind!r} action")


def actions_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every action a person can tap on a message: template actions, Flex buttons and areas
    with an action, image map areas (quick replies are separate)."""
    found: list[dict[str, Any]] = []

    def walk(value: Any, key: str | None) -> None:
        if isinstance(value, dict):
            if key in {"action", "defaultAction"} and "type" in value:
                found.append(value)
                return
            for child_key, child in value.items():
                if child_key != "quickReply":
                    walk(child, child_key)
        elif isinstance(value, list):
            for item in value:
                if key == "actions" and isinstance(item, dict):
                    found.append(item)
                else:
                    walk(item, key)

    walk(message, None)
    return found
