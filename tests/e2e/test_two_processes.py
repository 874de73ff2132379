"""Two `sampro-server serve` processes on one PostgreSQL database behave as one server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.clock import FrozenClock
from server.context import ServerContext
from tests.conftest import CHEAP_ARGON2, Harness, code_in, free_port, make_settings
from tests.conftest import fresh_postgres_database as fresh_pg
from tests.server.support import API, PASSWORD, add_unit, add_user, bearer

pytestmark = pytest.mark.postgres

WRONG = "Feil-Passord9"


@pytest.fixture
def pg_url(pg_available: str | None) -> Iterator[str]:
    if pg_available is None:
        pytest.skip("SAMPRO_TEST_DATABASE_URL not set")
    url, drop = fresh_pg(pg_available)
    try:
        yield url
    finally:
        drop()


def _start(port: int, url: str, tmp: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SAMPRO_DATABASE_URL": url,
        "SAMPRO_DATA_DIR": str(tmp),
        "SAMPRO_SMS": f"file:{tmp / 'sms.jsonl'}",
        "SAMPRO_EMAIL": f"file:{tmp / 'email.jsonl'}",
        "SAMPRO_LOCKOUT_THRESHOLD": "3",
        **{f"SAMPRO_{k.upper()}": str(v) for k, v in CHEAP_ARGON2.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"server exited with {proc.returncode}:\n{out}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{base} did not come up")


def test_two_serve_processes_on_one_database_behave_as_one_server(
    pg_url: str, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    # Both start at once on an empty database: each migrates before serving.
    procs = [_start(port, pg_url, tmp_path) for port in ports]
    try:
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for base, proc in zip((a, b), procs, strict=True):
            _wait_up(base, proc)
        ctx = ServerContext.from_settings(make_settings(tmp_path, pg_url), FrozenClock())
        h = Harness(ctx, TestClient(create_app(ctx=ctx)), FrozenClock(), tmp_path)
        try:
            add_user(h, "kari", add_unit(h))
        finally:
            ctx.db.dispose()

        def sms_code() -> str:
            return code_in(h.sent("sms")[-1]["body"])

        with httpx.Client(timeout=10) as http:
            # A login begun on one process is finished on the other.
            r = http.post(f"{a}{API}/auth/login", json={"username": "kari", "password": PASSWORD})
            assert r.status_code == 200, r.text
            r = http.post(
                f"{b}{API}/auth/verify",
                json={"challenge_id": r.json()["challenge_id"], "code": sms_code()},
            )
            assert r.status_code == 200, r.text
            token = r.json()["token"]
            # The token works on both.
            for base in (a, b):
                assert http.get(f"{base}{API}/me", headers=bearer(token)).status_code == 200
            # Failures on both count toward one lockout.
            for base in (a, b, a):
                r = http.post(
                    f"{base}{API}/auth/login", json={"username": "kari", "password": WRONG}
                )
                assert r.status_code == 401
            r = http.post(f"{b}{API}/auth/login", json={"username": "kari", "password": PASSWORD})
            assert r.status_code == 423 and r.json()["error"]["code"] == "account_locked"
            assert int(r.headers["Retry-After"]) > 0
            # Logging out on one ends the session on the other.
            assert http.post(f"{a}{API}/auth/logout", headers=bearer(token)).status_code == 204
            r = http.get(f"{b}{API}/me", headers=bearer(token))
            assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
