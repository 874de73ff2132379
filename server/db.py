"""Engine and session factories: SQLite (WAL, busy timeout, immediate write locks) or PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, DateTime, Engine, TypeDecorator, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from server.files import private_sqlite

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 15000


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pool_size: int = 20, statement_reads: bool = False) -> Engine:
    """`statement_reads`: an engine for reads whose every statement is its own transaction
    (autocommit: no BEGIN and no ROLLBACK) and whose connections are not pinged at checkout;
    see `Database.statement_reads`."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_sqlite(Path(database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _configure_sqlite(engine)
        return engine.execution_options(sqlite_begin="") if statement_reads else engine
    if statement_reads:
        return create_engine(
            url, pool_size=pool_size, max_overflow=pool_size, isolation_level="AUTOCOMMIT"
        )
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves, so that write transactions can take the lock at once.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if not mode:
            return  # statement reads: each statement is its own transaction
        # Straight to the driver: BEGIN returns no rows, and going through SQLAlchemy's
        # statement machinery cost every request more than its session lookup.
        conn.connection.driver_connection.execute(f"BEGIN {mode}")


class Database:
    """Holds the engine; hands out read sessions and write sessions.

    A write session on SQLite begins IMMEDIATE: it takes the write lock before reading,
    so read-modify-write sequences (failure counters, ordering) never lose an update and
    never fail half-way on a lock upgrade. PostgreSQL uses row locks and atomic updates.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = is_sqlite(url)
        write_bind = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.sqlite else self.engine
        )
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write = sessionmaker(bind=write_bind, expire_on_commit=False)
        # Its own small pool: only the plan list uses it, from at most one thread per core
        # (plans/list_query.py: PLAN_LIST_THREADS), so no thread ever waits for a connection.
        self._statement_engine = make_engine(
            url, pool_size=max(4, os.cpu_count() or 1), statement_reads=True
        )

    def statement_reads(self, fn: Callable[[Connection], T]) -> T:
        """`fn(connection)` on a connection where every statement is its own transaction and
        sees what was committed before it began: no BEGIN, ROLLBACK or liveness ping, so
        on PostgreSQL one round trip per statement instead of four for a one-statement read.

        For reads that need no snapshot across statements (`fn` must not write). A
        connection found dead (the server restarted) is dropped and `fn` runs once more on
        a fresh one, as a pinged checkout would have done.
        """
        for attempt in (1, 2):
            try:
                with self._statement_engine.connect() as conn:
                    return fn(conn)
            except DBAPIError as e:
                if attempt == 2 or not e.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def read_session(self) -> Session:
        return self._read()

    def write_session(self) -> Session:
        return self._write()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A short write transaction, committed on success."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        self._statement_engine.dispose()


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no zones), always handed back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}
