"""`python -m hub.cli`: the `hub` command without its installed script."""

from hub.cli import main

raise SystemExit(main())
