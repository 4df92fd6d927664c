"""The LINE door: LINE's webhook in, LINE's Messaging API out, through the same core as Telegram.

- `webhook`: ``POST /line/webhook`` on Kyodo's web server; checks LINE's signature and commits
  every event to the shared inbox (`LineIntake`).
- `parse`: a stored LINE event -> the core's `Incoming` (`with_line` puts it beside the
  Telegram transport's parser, since one inbox worker reads both doors' rows).
- `render`: an `OutboundMessage` -> LINE message objects (quick replies, Flex bubbles).
- `gateway`: `LineGateway`, which the outbox sender uses for LINE chats: reply while a reply
  token lives, else push with a retry key; exactly once either way.
- `client`: the official SDK's asyncio client and what its errors mean.

How a LINE user becomes a chat id the core understands: bot/domain/channels.py.
"""
