#!/usr/bin/env bash
# Create .venv and install SamPro with its development tools. Needs only Python 3.11.
# Quick when nothing changed: it reinstalls only when pyproject.toml is newer than the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.sampro-installed
if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
touch "$stamp"
