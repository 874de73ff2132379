"""Health data is private to the server's user: the SQLite database, its WAL and the
code sinks are 0600 and their folder 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.app import create_app
from server.config import Settings
from server.context import ServerContext
from server.delivery import Outgoing
from server.migrate import upgrade
from tests.conftest import CHEAP_ARGON2


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_the_default_database_its_wal_and_the_sinks_are_private(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, **CHEAP_ARGON2)
    url = settings.resolved_database_url
    upgrade(url)
    ctx = ServerContext.from_settings(settings)
    with TestClient(create_app(ctx=ctx)) as client:
        assert client.get("/api/v1/healthz").status_code == 200
        with ctx.db.writing() as db:  # a write, so the WAL exists
            db.execute(text("UPDATE change_stamp SET n = n + 1"))
        now = datetime.now(UTC)
        ctx.outbox.send(Outgoing("+4799999999", "sms", "", "Kode 123456"), now)
        ctx.outbox.send(Outgoing("a@example.org", "email", "Kode", "Kode 123456"), now)
        files = {p.name: mode(p) for p in data.iterdir()}
    ctx.db.dispose()
    assert mode(data) == 0o700
    assert {"sampro.db", "sampro.db-wal", "sms.jsonl", "email.jsonl"} <= set(files), files
    assert all(m == 0o600 for m in files.values()), {k: oct(v) for k, v in files.items()}


def test_an_existing_wide_database_and_folder_are_narrowed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    db = data / "sampro.db"
    db.touch()
    os.chmod(db, 0o644)
    Settings(data_dir=data).resolved_database_url  # noqa: B018 - resolving makes the folder
    upgrade(f"sqlite:///{db}")
    assert mode(data) == 0o700
    assert mode(db) == 0o600


def test_a_database_in_a_new_folder_gets_a_private_folder(tmp_path: Path, umask: int) -> None:
    db = tmp_path / "new" / "deeper" / "x.db"
    upgrade(f"sqlite:///{db}")
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
