"""`python -m ssl_core ...`: the command line (see ssl_core.cli)."""

from ssl_core.cli import main

raise SystemExit(main())
