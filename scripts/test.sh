#!/usr/bin/env bash
# Set up if needed, then run the whole test suite (server, terminal client, end-to-end).
# PostgreSQL tests run too when SAMPRO_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
