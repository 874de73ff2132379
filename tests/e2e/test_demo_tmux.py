"""`sampro demo` end to end in a real terminal (tmux): log in with the code from the notice."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

# CI sets SAMPRO_REQUIRE_TMUX=1: there a missing tmux fails the run instead of skipping.
_NO_TMUX = shutil.which("tmux") is None and os.environ.get("SAMPRO_REQUIRE_TMUX") != "1"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(_NO_TMUX, reason="tmux is not installed"),
]

# The installed `sampro` command, as a user runs it (not `python -m`).
SAMPRO = Path(sys.executable).with_name("sampro")


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)
        time.sleep(0.3)  # let the app take the keys before the next ones (focus moves)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.screen())
            if match:
                return match
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    name = f"sampro-e2e-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES (set by some runners) would override the pane size for Textual. The
    # command runs in the tmux server's environment, not this process's: so it is cut off
    # from the user's own configuration here, with config, data and cache dirs of its own
    # and no language or server override (the checks below read the Norwegian texts).
    isolation = " ".join(
        [
            "-u COLUMNS -u LINES -u SAMPRO_LANG -u SAMPRO_SERVER",
            f"SAMPRO_CONFIG={shlex.quote(str(tmp_path / 'config.toml'))}",
            f"XDG_CONFIG_HOME={shlex.quote(str(tmp_path / 'config'))}",
            f"XDG_DATA_HOME={shlex.quote(str(tmp_path / 'data'))}",
            f"XDG_CACHE_HOME={shlex.quote(str(tmp_path / 'cache'))}",
            f"XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))}",
        ]
    )
    command = f"env {isolation} {shlex.quote(str(SAMPRO))} demo; echo DEMO-EXITED; sleep 30"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "130", "-y", "45", command], check=True
    )
    try:
        yield Tmux(name)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)


def test_demo_logs_in_with_the_code_from_the_notice_and_shows_the_plans(tmux: Tmux) -> None:
    url = tmux.wait_for(r"Tjener: (http://127\.0\.0\.1:\d+)").group(1)
    tmux.wait_for(r"koordinator +koordinator")  # the demo accounts are listed
    tmux.send("koordinator")
    tmux.send("Enter")
    tmux.send("Koordinator-Demo87")
    tmux.send("Enter")
    code = tmux.wait_for(r"engangskoden er (\d{6})").group(1)
    tmux.send(code)
    tmux.send("Enter")
    tmux.wait_for(r"Planeier")
    tmux.wait_for(r"\d+ av \d+ planer")
    tmux.send("C-q")
    tmux.wait_for("DEMO-EXITED", timeout=20)
    with pytest.raises(httpx.HTTPError):
        httpx.get(url + "/healthz", timeout=2)  # quitting stopped the server
