"""The raw transport: the Bot API over an aiohttp client, without python-telegram-bot."""
