"""`python -m kyodo.cli`: the `kyodo` command without the installed script."""

from kyodo.cli import main

raise SystemExit(main())
