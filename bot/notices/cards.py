"""Staff cards follow their items: a new item gets a card, a changed one has every copy edited."""

from __future__ import annotations

from datetime import datetime

from bot.dialogs.triage import card_notices
from bot.domain.cards import CardKind
from bot.notices.context import NoticeContext
from bot.ports.store import UnitOfWork
from bot.services import cards
from bot.services.card_items import is_open, load


async def item_changed(
    ctx: NoticeContext, uow: UnitOfWork, kind: CardKind, item_id: int, at: datetime
) -> None:
    """Sends the item's card if it has none yet (and cards are on) to the staff whose scope
    covers the item's centre; else edits every copy, and an open item handed to another centre
    reaches that centre's staff too."""
    settings = ctx.settings
    card = await uow.cards.find(kind, item_id)
    centre_id = await cards.item_centre(uow, kind, item_id)
    if card is None:
        if not settings.staff_cards:
            return
        to = await cards.targets(uow, settings.staff_chat_id, settings.default_locale, centre_id)
        sends = await cards.open_card(uow, kind, item_id, at, to)
    else:
        item = await load(uow, kind, item_id)
        if item is None:
            return
        sends = await cards.changed(uow, kind, item_id, at, is_open=is_open(item))
        if is_open(item) and settings.staff_chat_id is None:
            to = await cards.targets(uow, None, settings.default_locale, centre_id)
            sends += await cards.reach(uow, kind, item_id, to)
    for notice in await card_notices(uow, sends, settings.service_areas):
        await ctx.queue(uow, notice, at=at)
