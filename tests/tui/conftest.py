"""Fixtures for the terminal client's tests: the demo server, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.in_process import InProcessServer, MovableClock


@pytest.fixture
def demo_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[InProcessServer]:
    """The demo server in-process; `@pytest.mark.server_settings(...)` tunes its settings,
    `@pytest.mark.frozen_clock` stops its clock until the test moves it."""
    marker = request.node.get_closest_marker("server_settings")
    overrides = dict(marker.kwargs) if marker else {}
    clock = MovableClock(frozen=request.node.get_closest_marker("frozen_clock") is not None)
    served = InProcessServer(tmp_path, clock, **overrides)
    try:
        yield served
    finally:
        served.ctx.db.dispose()  # type: ignore[union-attr]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "frozen_clock: the demo_server's clock stands still until the test moves it"
    )
