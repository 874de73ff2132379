"""Alembic environment: runs migrations on the URL given by server.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from server.db import make_engine
from server.schema import metadata

config = context.config
target_metadata = metadata
LOCK_KEY = 0x5A4D_9120  # any constant, the same in every process


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url, pool_size=1)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename; with foreign keys on,
            # dropping a table that other rows refer to fails. SQLite's own advice: turn
            # them off around the change (outside any transaction), then check.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several `serve` processes may start at once on one database: one
                # migrates, the others wait here and then find the schema up to date.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
    engine.dispose()


run_migrations_online()
