"""The core's UpdateHandler: one update in, dialog state and rendered replies out, one transaction.

It resolves the actor (read-only), normalises the input, refuses what cannot be handled (group
chats, overlong text, floods) with a clear answer in the person's language, runs the dialog, stores
the new state for this chat and writes every reply to the outbox. The inbox worker commits.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import OrderedDict, deque
from dataclasses import replace
from datetime import datetime, timedelta

from bot.dialogs.engine import DialogSettings, Turn, queue_notice
from bot.dialogs.line_turn import fewest_rows
from bot.dialogs.reach import contact_parts
from bot.dialogs.router import REGISTRY, route
from bot.domain.channels import Channel
from bot.domain.incoming import ChatType, Incoming, InputKind
from bot.domain.replies import Reply, msg
from bot.ports.clock import Clock
from bot.ports.handling import HandleResult
from bot.ports.store import UnitOfWork
from bot.rendering import Renderer
from bot.services.people import find_actor

log = logging.getLogger(__name__)


def normalise(text: str) -> str:
    """NFKC folds full-width digits and letters (０９０ → 090, ＡＢ → AB) before any parsing."""
    return unicodedata.normalize("NFKC", text).strip()


class FloodGuard:
    """At most `limit` updates per person in `window`; beyond that, one warning, then silence.

    An update is counted once, however often it is tried: the inbox worker tries a failing
    update again (a full disk, a database restarting), and counting every try dropped a
    person's messages in silence after a few storage errors. A retry gets its first verdict.

    In memory on purpose: it protects this process from a runaway client, and a restart that
    forgets it costs nothing.
    """

    def __init__(self, limit: int = 20, window: timedelta = timedelta(seconds=10)) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}
        self._verdicts: OrderedDict[int, str] = OrderedDict()  # by update id, newest last

    def check(self, user_id: int, now: datetime, update_id: int | None = None) -> str:
        """'ok', 'warn' (first update over the limit) or 'drop'; the same for every try of
        `update_id`."""
        if update_id is not None and update_id in self._verdicts:
            return self._verdicts[update_id]
        if len(self._seen) > 10_000:
            # Forget people who have been quiet for a window, so memory stays flat.
            self._seen = {u: d for u, d in self._seen.items() if d and now - d[-1] <= self.window}
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] > self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) <= self.limit:
            verdict = "ok"
        else:
            verdict = "warn" if len(seen) == self.limit + 1 else "drop"
        if update_id is not None:
            self._verdicts[update_id] = verdict
            if len(self._verdicts) > 10_000:  # retries come within seconds; keep the newest
                self._verdicts.popitem(last=False)
        return verdict


class Conversation:
    def __init__(
        self,
        renderer: Renderer,
        settings: DialogSettings,
        clock: Clock,
        flood: FloodGuard | None = None,
    ) -> None:
        self.renderer = renderer
        self.settings = settings
        self.clock = clock
        self.flood = flood or FloodGuard()

    async def __call__(self, uow: UnitOfWork, incoming: Incoming) -> HandleResult:
        # The inbox worker's claim keeps the update by its id and kind only, in this
        # transaction: the raw update (the person's name, what they wrote) goes with the commit.
        if incoming.kind is InputKind.IGNORED or incoming.chat_id is None:
            return HandleResult()
        now = self.clock.now()
        chat_id = incoming.chat_id
        actor, person = await find_actor(uow, incoming, self.settings.default_locale)
        if incoming.chat_type is not ChatType.PRIVATE:
            user_id = incoming.user_id
            if user_id is None or not self._staff_card_button(incoming):
                await self._group_notice(uow, incoming, actor.locale, now)
                return HandleResult()
            # A card's button pressed in the staff group: whatever it asks next (a centre, a
            # reason) is asked in the presser's private chat, where their dialog state lives.
            incoming = replace(
                incoming, chat_id=user_id, chat_type=ChatType.PRIVATE, message_id=None
            )
            chat_id = user_id
        if incoming.user_id is not None:
            verdict = self.flood.check(incoming.user_id, now, incoming.update_id)
            if verdict == "drop":
                return HandleResult()
            if verdict == "warn":
                log.warning(
                    "update %s: a flood from one person (updates: over %s in %ss); warned, and "
                    "the rest of this flood goes unanswered",
                    incoming.update_id,
                    self.flood.limit,
                    int(self.flood.window.total_seconds()),
                )
                await self._send(uow, Reply((msg("input.flood"),)), chat_id, actor.locale, now)
                return HandleResult()
        raw = incoming.args if incoming.kind is InputKind.COMMAND else incoming.text
        # The limit is on the text as sent: NFKC can lengthen it (one "㍻" becomes "平成").
        length = incoming.text_length or len(raw)
        too_long = length > self.settings.max_text_length
        turn = Turn(
            uow=uow,
            incoming=incoming,
            actor=actor,
            person=person,
            now=now,
            text="" if too_long else normalise(raw),
            locale=actor.locale,
            settings=self.settings,
        )
        channel = Channel.of(chat_id).value  # Telegram's or LINE's: told by the chat id
        state = await uow.dialogs.get(channel, chat_id)
        if too_long:
            turn.say(
                msg("input.too_long", length=length, limit=self.settings.max_text_length),
                *await contact_parts(turn),
            )
            new_state = state
        else:
            new_state = await route(turn, state)
        if new_state != state:
            if new_state is None:
                await uow.dialogs.delete(channel, chat_id)
            else:
                await uow.dialogs.put(channel, chat_id, new_state, now)
        replies = list(turn.replies)
        if channel == Channel.LINE.value:
            # LINE has no toasts: what one would say is said, ahead of the answer (once).
            if turn.toast is not None and not any(turn.toast in r.parts for r in replies):
                replies.insert(0, Reply((turn.toast,)))
            replies = fewest_rows(replies)  # one reply token: bot/dialogs/line_turn.py
        for reply in replies:
            await self._send(uow, reply, chat_id, turn.locale, now, incoming.message_id)
        for notice in turn.notices:
            await queue_notice(uow, self.renderer, notice, now)
        toast = self.renderer.text(turn.toast, turn.locale) if turn.toast else None
        return HandleResult(callback_answer=toast)

    async def _send(
        self,
        uow: UnitOfWork,
        reply: Reply,
        chat_id: int,
        locale: str,
        now: datetime,
        message_id: int | None = None,
    ) -> None:
        rendered = self.renderer.render(reply, chat_id, locale, edit_message_id=message_id)
        await uow.outbox.add(rendered, now)

    def _staff_card_button(self, incoming: Incoming) -> bool:
        """A press in the staff group of a button whose dialog takes presses there (a card's)."""
        if incoming.kind is not InputKind.BUTTON or incoming.chat_id != self.settings.staff_chat_id:
            return False
        pressed = REGISTRY.decode(incoming.callback_data or "")
        return pressed is not None and pressed.route.dialog.group_ok

    async def _group_notice(
        self, uow: UnitOfWork, incoming: Incoming, locale: str, now: datetime
    ) -> None:
        """Kyodo works in private chats only (personal data); a group hears so once a day."""
        if incoming.chat_id is None:
            return
        rendered = self.renderer.render(
            Reply((msg("group.private_only", bot=self.settings.bot_username),)),
            incoming.chat_id,
            locale,
            is_group=True,
        )
        day = now.date().isoformat()
        await uow.outbox.add(rendered, now, dedupe_key=f"group:{incoming.chat_id}:{day}")
