"""A goal's picture on this machine: checked as the server would check it, read from a
file, and saved into the downloads folder under a name that is free."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sampro_contract import (
    MAX_PICTURE_BYTES,
)
from sampro_contract.pictures import looks_like_picture, picture_type
from sampro_tui.i18n import language, t

# The server decides a picture's type by its content (sampro_contract.pictures); the client
# checks the same way before sending, so a wrong or too big file is refused at once, in the
# server's words.


def picture_too_big(size: int) -> str | None:
    if size <= MAX_PICTURE_BYTES:
        return None
    return t("goals.picture_too_big", size=fmt_megabytes(size), max=MAX_PICTURE_BYTES // 1048576)


def picture_problem(data: bytes) -> str | None:
    """Why the server would refuse these bytes as a goal's picture, or None."""
    too_big = picture_too_big(len(data))
    if too_big is not None:
        return too_big
    if picture_type(data) is None:
        if looks_like_picture(data):
            return t("goals.picture_damaged")
        return t("goals.picture_not_picture")
    return None


def fmt_megabytes(size: int) -> str:
    """Megabytes with one decimal as the server writes them, with a decimal comma in bokmål."""
    text = f"{size / 1048576:.1f}"
    return text if language() == "en" else text.replace(".", ",")


def read_picture(path: Path) -> bytes:
    """The file's bytes, unless it is too big or not a picture (ValueError says why).

    The size is checked before reading, so a wrong path to a huge file costs nothing.
    """
    problem = picture_too_big(path.stat().st_size)
    if problem is None:
        data = path.read_bytes()
        problem = picture_problem(data)
        if problem is None:
            return data
    raise ValueError(problem)


def download_dir() -> Path:
    """The user's download folder if there is one, else the current folder."""
    from platformdirs import user_downloads_path

    with contextlib.suppress(Exception):
        folder = user_downloads_path()
        if folder.is_dir():
            return folder
    return Path.cwd()


def free_path(path: Path) -> Path:
    """`path`, or the first of `name-2.ext`, `name-3.ext`... that does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to a file that must not exist yet (FileExistsError otherwise), readable
    by its owner only: a goal's picture is health information."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
