#!/usr/bin/env bash
# Set up if needed, then run the whole test suite (server, terminal client, end-to-end).
# PostgreSQL tests run too when SAMPRO_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Two or more test processes (one per core, at least two): the terminal-client tests
# spend much of their time waiting on their own server and timers, so two share a core
# well. `bash scripts/test.sh -n 0` runs them in this one process.
workers=$(.venv/bin/python -c "import os; print(max(2, os.cpu_count() or 1))")
exec .venv/bin/python -m pytest -q -n "$workers" "$@"
