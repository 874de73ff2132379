#!/usr/bin/env bash
# Set up if needed, then start the demo: an embedded server with fictional data and the TUI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/sampro demo "$@"
