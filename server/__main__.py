"""`python -m server ...` is `sampro-server ...`."""

from server.cli import main

raise SystemExit(main())
