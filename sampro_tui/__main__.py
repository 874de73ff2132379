"""`python -m sampro_tui` runs the `sampro` command."""

import sys

from sampro_tui.cli import main

sys.exit(main())
