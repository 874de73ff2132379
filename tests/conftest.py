"""Shared fixtures: fresh databases (SQLite, and PostgreSQL when configured), a server
context with a movable clock and cheap argon2, an HTTP client on the real app, and a
live uvicorn server on a free port for the terminal client's tests."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.app import create_app
from server.clock import FrozenClock
from server.config import Settings
from server.context import ServerContext
from server.migrate import upgrade

PG_ENV = "SAMPRO_TEST_DATABASE_URL"

CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1}


# --- databases ----------------------------------------------------------------------


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return url or None


@pytest.fixture(scope="session")
def pg_available() -> str | None:
    """The PostgreSQL URL if set; if set but unreachable, fail loudly rather than skip."""
    url = _pg_admin_url()
    if url is None:
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # pragma: no cover - the point is to fail the run
        pytest.exit(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}", returncode=3)
    finally:
        engine.dispose()
    return url


def fresh_postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """CREATE a uniquely named database; returns its URL and a function that drops it."""
    name = f"sampro_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_available: str | None
) -> Iterator[str]:
    """A fresh, migrated database on each backend (PostgreSQL only when configured)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    if pg_available is None:
        pytest.skip(f"{PG_ENV} not set")
    url, drop = fresh_postgres_database(pg_available)
    try:
        upgrade(url)
        yield url
    finally:
        drop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    upgrade(url)
    return url


def make_settings(tmp_path: Path, url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "data_dir": tmp_path,
        "sms": f"file:{tmp_path / 'sms.jsonl'}",
        "email": f"file:{tmp_path / 'email.jsonl'}",
        **CHEAP_ARGON2,
    }
    values.update(overrides)
    return Settings(**values)


# --- the app over HTTP --------------------------------------------------------------


@dataclass
class Harness:
    """The real app behind a real HTTP client, with a clock the test moves."""

    ctx: ServerContext
    client: TestClient
    clock: FrozenClock
    tmp_path: Path

    def sent(self, channel: str = "sms") -> list[dict[str, Any]]:
        path = self.tmp_path / f"{channel}.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def last_code(self, channel: str = "sms") -> str:
        return code_in(self.sent(channel)[-1]["body"])


def code_in(body: str) -> str:
    match = re.search(r"\b(\d{6})\b", body)
    assert match, body
    return match.group(1)


@pytest.fixture
def harness_factory(tmp_path: Path) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(url: str | None = None, **overrides: Any) -> Harness:
        if url is None:
            url = f"sqlite:///{tmp_path / 'h.db'}"
            upgrade(url)
        clock = FrozenClock()
        ctx = ServerContext.from_settings(make_settings(tmp_path, url, **overrides), clock)
        client = TestClient(create_app(ctx=ctx), raise_server_exceptions=False)
        h = Harness(ctx, client, clock, tmp_path)
        made.append(h)
        return h

    yield make
    for h in made:
        h.client.close()
        h.ctx.db.dispose()


# --- a live server for the terminal client -------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str  # base URL without /api/v1, e.g. http://127.0.0.1:43210
    sms_path: Path
    email_path: Path
    accounts: dict[str, str] = field(default_factory=dict)
    ctx: ServerContext | None = None

    def sent_to(self, username: str) -> list[dict[str, Any]]:
        assert self.ctx is not None
        from server.accounts.models import UserAccount

        with self.ctx.db.read_session() as db:
            from sqlalchemy import select

            user = db.scalars(select(UserAccount).where(UserAccount.username == username)).one()
            targets = {user.person.mobile, user.person.email}
        lines: list[dict[str, Any]] = []
        for path in (self.sms_path, self.email_path):
            if path.exists():
                lines += [json.loads(x) for x in path.read_text().splitlines() if x]
        return sorted((x for x in lines if x["to"] in targets), key=lambda x: x["sent_at"])

    def latest_code(self, username: str) -> str:
        return code_in(self.sent_to(username)[-1]["body"])


# The demo database, migrated and seeded once per day and settings, then copied for
# each live server: seeding costs over a second, a copy a few milliseconds.
_DEMO_TEMPLATES: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Path, list[Any]]] = {}


def _demo_database(tmp_path: Path, overrides: dict[str, Any]) -> list[Any]:
    """A fresh copy of the seeded demo database at `tmp_path / "live.db"`; its accounts."""
    from server.demo.seed import seed

    key = (date.today().isoformat(), tuple(sorted((k, repr(v)) for k, v in overrides.items())))
    if key not in _DEMO_TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="sampro-demo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template_url = f"sqlite:///{folder / 'live.db'}"
        upgrade(template_url)
        accounts = seed(make_settings(folder, template_url, **overrides))
        _DEMO_TEMPLATES[key] = (folder / "live.db", accounts)
    template, accounts = _DEMO_TEMPLATES[key]
    with (
        contextlib.closing(sqlite3.connect(template)) as source,
        contextlib.closing(sqlite3.connect(tmp_path / "live.db")) as copy,
    ):
        source.backup(copy)  # consistent whatever the template's WAL holds
    return accounts


def start_live_server(tmp_path: Path, **overrides: Any) -> tuple[LiveServer, Callable[[], None]]:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'live.db'}"
    accounts = _demo_database(tmp_path, overrides)
    settings = make_settings(tmp_path, url, **overrides)
    ctx = ServerContext.from_settings(settings)
    port = free_port()
    config = uvicorn.Config(create_app(ctx=ctx), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    live = LiveServer(
        url=base,
        sms_path=tmp_path / "sms.jsonl",
        email_path=tmp_path / "email.jsonl",
        accounts={a.username: a.password for a in accounts},
        ctx=ctx,
    )

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        ctx.db.dispose()

    return live, stop


@pytest.fixture
def live_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A real uvicorn server with the demo data; `@pytest.mark.server_settings(...)` tunes it."""
    marker = request.node.get_closest_marker("server_settings")
    overrides = dict(marker.kwargs) if marker else {}
    live, stop = start_live_server(tmp_path, **overrides)
    try:
        yield live
    finally:
        stop()
