"""The python-telegram-bot transport: a gateway on `telegram.Bot` and a parser on its types."""

import os

# python-telegram-bot 22 warns on every `RetryAfter` unless this opt-in to its next major
# version's behaviour (timedelta durations) is set; the gateway reads durations either way.
os.environ.setdefault("PTB_TIMEDELTA", "true")
