"""The runtime: the loops that keep Kyodo moving, each woken by the others (`wakeup.Wakeup`).

- `inbox`: transports commit updates here (`InboxIntake`); `InboxWorker` hands each to the core;
- `polling`: getUpdates into the inbox (the webhook is the other way in, handlers/webhook.py);
- `sender`: delivers outbox rows within Telegram's limits (`ratelimit`);
- `broadcast_pump`: turns a running broadcast into outbox rows, a chunk at a time;
- `card_feed`: edits staff card copies whose first send had no message id yet.

Part of the core (no framework, no adapter: the import-linter contracts in pyproject.toml), and
its top layer: it uses services, dialogs and notices, and nothing in them uses it. The
composition root (kyodo/app.py) builds the loops and wires their wake-ups together.
"""
