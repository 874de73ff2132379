"""`.ci/run` checks, before anything else, that the PostgreSQL its
SAMPRO_TEST_DATABASE_URL names can be reached: that URL's host and port, not a fixed one."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CI_RUN = Path(__file__).resolve().parents[3] / ".ci" / "run"


def _probe_script() -> str:
    match = re.search(r"python3 - <<'PY'\n(.*?)\nPY\n", CI_RUN.read_text(), re.S)
    assert match, "the PostgreSQL probe is missing from .ci/run"
    return match.group(1)


def _probe(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAMPRO_TEST_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-c", _probe_script()],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def listening() -> Iterator[int]:
    """A port something listens on (not PostgreSQL's usual one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_probe_reaches_the_host_and_port_the_url_names(listening: int) -> None:
    r = _probe(f"postgresql+psycopg://postgres@127.0.0.1:{listening}/test")
    assert r.returncode == 0, r.stderr


def test_the_probe_fails_for_the_urls_port_when_nothing_listens_there() -> None:
    port = _closed_port()
    r = _probe(f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/test")
    assert r.returncode != 0
    assert f"127.0.0.1:{port} is unreachable" in r.stderr
    assert "secret" not in r.stderr  # the password is never printed


def test_a_bad_port_in_the_url_is_said_plainly() -> None:
    r = _probe("postgresql+psycopg://postgres@127.0.0.1:99999/test")
    assert r.returncode != 0 and "bad port" in r.stderr
