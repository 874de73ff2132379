"""Fixtures for the server tests: an organisation with one ordinary user, on any settings,
and a real SMTP server."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from server.app import create_app
from server.clock import FrozenClock
from server.context import ServerContext
from server.migrate import upgrade
from tests.conftest import Harness, free_port, make_settings
from tests.server.support import Inbox, UserRef, add_unit, add_user


@dataclass
class Org:
    h: Harness
    unit_id: int
    user: UserRef  # "kari", an ordinary user who gets codes by SMS


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating each time."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def make_org(
    harness_factory: Callable[..., Harness], migrated_sqlite: Path, tmp_path: Path
) -> Callable[..., Org]:
    def make(url: str | None = None, **settings: Any) -> Org:
        if url is None:
            copy = tmp_path / "h.db"
            shutil.copyfile(migrated_sqlite, copy)
            url = f"sqlite:///{copy}"
        h = harness_factory(url, **settings)
        unit = add_unit(h)
        return Org(h, unit, add_user(h, "kari", unit))

    return make


@pytest.fixture
def org(make_org: Callable[..., Org]) -> Org:
    return make_org()


def open_harness(tmp_path: Path, **settings: Any) -> Harness:
    """A harness outside `harness_factory`, for module-scoped data; close it with close_harness."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgrade(url)
    clock = FrozenClock()
    ctx = ServerContext.from_settings(make_settings(tmp_path, url, **settings), clock)
    client = TestClient(create_app(ctx=ctx), raise_server_exceptions=False)
    return Harness(ctx, client, clock, tmp_path)


def close_harness(h: Harness) -> None:
    h.client.close()
    h.ctx.db.dispose()


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()
