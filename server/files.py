"""Files that hold health data, private to the server's own user: folders 0700, files
0600, whatever the umask (the SQLite database and its WAL, the code and message sinks)."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create `path` (and missing parents) as 0700; an existing folder is made 0700."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)  # mkdir's mode is cut by the umask, and skips existing ones


def new_folder(path: Path) -> None:
    """Create a missing folder as 0700; leave one that exists as its owner set it (a
    database path the administrator chose may sit in a folder shared on purpose)."""
    if not path.exists():
        private_folder(path)


def private_file(path: Path) -> None:
    """Make sure `path` exists as a 0600 file (created so, or narrowed if it was wider)."""
    new_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def private_sqlite(database: Path) -> None:
    """The database file 0600 before SQLite first opens it: SQLite gives its -wal and -shm
    files the database's own mode. Any that exist already are narrowed too."""
    private_file(database)
    for suffix in ("-wal", "-shm", "-journal"):
        extra = database.with_name(database.name + suffix)
        if extra.exists():
            os.chmod(extra, FILE_MODE)
