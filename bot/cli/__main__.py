"""`python -m bot.cli`: the `kyodo` command without the installed script."""

from bot.cli import main

raise SystemExit(main())
