"""The demo's server process: it starts on a free port even when the first pick is taken."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from sampro_tui import demo


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port that another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_port_taken_between_pick_and_bind_gets_another(
    taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {"TIME_COST": "1", "MEMORY_KIB": "64", "PARALLELISM": "1"}.items():
        monkeypatch.setenv(f"SAMPRO_ARGON2_{name}", value)
    picks = iter([taken_port])
    real_free_port = demo.free_port
    monkeypatch.setattr(demo, "free_port", lambda: next(picks, None) or real_free_port())
    server = demo.DemoServer(startup_timeout=30)
    try:
        server.start()
        assert server.port != taken_port
        assert httpx.get(server.url + "/healthz", timeout=5).is_success
        assert {a.username for a in server.accounts} >= {"koordinator", "support"}
    finally:
        server.stop()
    assert not server.tmpdir.exists()
