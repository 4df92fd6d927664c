"""Demo data for the sandbox: the co-op, its people, their shifts, an assembly and a resident's
past service requests (`coop`, `requests`), so that `kyodo run` without a token has someone to
chat as and something to show.

It lives here, not beside the sandbox in `sandbox/`: the sandbox is a stand-in Telegram that
knows nothing of Kyodo (an import-linter contract), and this data is Kyodo's. Nor is it a use
case, so it is not in `bot/services`. Only the composition root (kyodo/app.py, which loads it when
it starts the sandbox), the `kyodo demo` command (kyodo/cli/demo.py) and tests import it; the core
never does (the "core never reaches outward" contract in pyproject.toml).
"""

from kyodo.demo.coop import DEMO_PEOPLE, DEMO_SHIFTS, load_demo

__all__ = ["DEMO_PEOPLE", "DEMO_SHIFTS", "load_demo"]
