"""`sampro-server backup` and `restore`: a consistent copy taken while writes go on,
restored into a fresh database, equal to the source at one moment; never over a database
that holds data; a clear error when the PostgreSQL tools are missing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from server.backup import BackupError, backup, restore
from server.demo.seed import seed
from server.migrate import upgrade
from tests.conftest import fresh_postgres_database, make_settings
from tests.server.core.test_cli import run

SKIP = {"alembic_version"}


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in primary-key order."""
    engine = create_engine(url)
    try:
        names = sorted(set(inspect(engine).get_table_names()) - SKIP)
        with engine.connect() as conn:
            return {
                name: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))]
                for name in names
            }
    finally:
        engine.dispose()


@pytest.fixture
def empty_url(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path, pg_available: str | None
) -> Iterator[str]:
    """A second, empty database on the same backend as `db_url`."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    assert pg_available is not None
    url, drop = fresh_postgres_database(pg_available)
    try:
        yield url
    finally:
        drop()


class Writer:
    """Adds units, one short transaction each, until stopped: load during the backup."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.stop = threading.Event()
        self.written = 0
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.engine.begin() as conn:
                    conn.execute(
                        text("INSERT INTO units (name, created_at) VALUES (:n, :at)"),
                        {"n": f"u{self.written}", "at": datetime(2026, 1, 1)},
                    )
                self.written += 1
        except BaseException as exc:
            self.failed = exc
            raise

    def __enter__(self) -> Writer:
        self.thread.start()
        while self.written < 20 and self.failed is None:  # under way before the backup
            self.stop.wait(0.01)
        assert self.failed is None, self.failed
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        self.engine.dispose()
        assert self.failed is None, self.failed


def test_a_backup_under_load_restores_to_one_consistent_moment(
    db_url: str, empty_url: str, tmp_path: Path
) -> None:
    seed(make_settings(tmp_path, db_url), plans=4)
    before = snapshot(db_url)
    target = tmp_path / "sampro.backup"
    with Writer(db_url) as writer:
        backup(db_url, target)
        during = writer.written
    assert target.stat().st_mode & 0o777 == 0o600
    restore(empty_url, target)
    upgrade(empty_url)  # what `serve` does first: the restored schema is current
    restored = snapshot(empty_url)
    after = snapshot(db_url)
    # Every table the writer did not touch is exactly as it was.
    assert {k: v for k, v in restored.items() if k != "units"} == {
        k: v for k, v in before.items() if k != "units"
    }
    # The units are those of one moment: all that were there before, then an unbroken run
    # of the writer's, never one without those before it.
    units = restored["units"]
    assert units[: len(before["units"])] == before["units"]
    assert units == after["units"][: len(units)]
    assert len(before["units"]) < len(units) <= len(before["units"]) + during + 1


def test_restore_never_overwrites_a_database_with_data(db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "b.backup"
    backup(db_url, target)
    with pytest.raises(BackupError, match="not empty"):
        restore(db_url, target)


def test_backup_will_not_overwrite_a_file(db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "exists.backup"
    target.write_text("mine")
    with pytest.raises(BackupError, match="exists already"):
        backup(db_url, target)
    assert target.read_text() == "mine"


def test_a_backup_of_the_other_backend_is_refused(
    db_url: str, empty_url: str, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP-not-really" if db_url.startswith("sqlite") else b"SQLite format 3\0")
    with pytest.raises(BackupError, match="is not a"):
        restore(empty_url, wrong)


def test_the_commands_back_up_and_restore(tmp_path: Path, sqlite_url: str) -> None:
    source = tmp_path / "cli.db"
    result = run(tmp_path, "demo-seed")
    assert result.returncode == 0, result.stderr
    result = run(tmp_path, "backup", str(tmp_path / "cli.backup"))
    assert result.returncode == 0, result.stderr
    assert "Backup written" in result.stdout
    result = run(tmp_path, "restore", str(tmp_path / "cli.backup"))
    assert result.returncode == 1
    assert "not empty" in result.stderr
    assert source.exists()


def test_missing_postgresql_tools_are_said_plainly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    with pytest.raises(BackupError, match="pg_dump is not on PATH"):
        backup("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path / "x.backup")
    assert not (tmp_path / "x.backup").exists()
