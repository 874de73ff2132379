"""Backup and restore of the whole database while the server runs (`sampro-server
backup PATH`, `sampro-server restore PATH`).

SQLite: the online backup API, which copies one consistent snapshot while writers go on
(WAL). PostgreSQL: `pg_dump --format=custom` (one consistent snapshot
transaction) and `pg_restore`, found on PATH. A restore goes only into an empty database,
so it never overwrites what is there; the server migrates it when it starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from server.db import is_sqlite
from server.files import FILE_MODE, private_file

SQLITE_MAGIC = b"SQLite format 3\0"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, said so a person can act on it."""


def backup(url: str, target: Path) -> None:
    """A consistent copy of the database at `url` into the new file `target` (0600)."""
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name")
    try:
        if is_sqlite(url):
            _sqlite_copy(_sqlite_path(url), target)
        else:
            _run(
                "pg_dump", ["--format=custom", "--no-owner", "--file", str(target), _libpq_url(url)]
            )
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    os.chmod(target, FILE_MODE)


def restore(url: str, source: Path) -> None:
    """The backup `source` into the database at `url`, which must be empty."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    with source.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if is_sqlite(url):
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup (the database is SQLite)")
        _refuse_unless_empty(url)
        _sqlite_copy(source, _sqlite_path(url))
    else:
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} is not a pg_dump backup (the database is PostgreSQL)")
        _refuse_unless_empty(url)
        _run(
            "pg_restore",
            ["--no-owner", "--exit-on-error", "--dbname", _libpq_url(url), str(source)],
        )


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("the database is in memory; there is nothing to back up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"{source}: no such database")
    private_file(target)  # created 0600 before SQLite writes a page of it
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        # In one step: a backup in steps starts again whenever another connection writes,
        # so under steady writes it would never end. One step reads one snapshot (WAL:
        # writers go on meanwhile).
        src.backup(dst)


def _refuse_unless_empty(url: str) -> None:
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            "the database is not empty; restore into a new, empty database "
            "(point SAMPRO_DATABASE_URL at it), so nothing is overwritten"
        )


def _libpq_url(url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://` as the plain URL libpq's tools take."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(tool: str, args: list[str]) -> None:
    found = shutil.which(tool)
    if found is None:
        raise BackupError(
            f"{tool} is not on PATH; install PostgreSQL's client tools "
            f"(Debian: apt-get install postgresql-client) of the server's version or newer"
        )
    result = subprocess.run([found, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")
