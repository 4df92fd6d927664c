"""Ports: the Protocols the core needs from the outside world (store, Telegram, clock)."""
