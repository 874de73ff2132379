"""`sampro demo`: run the server as a child process on a fresh database, then stop it.

The client never imports `server`; it starts `python -m server` with the environment
the server reads (SAMPRO_* names from DESIGN.md) in a temporary folder, and reads the
one-time codes from the server's `file:` sinks there, which is what demo mode is for.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str = ""
    description: str = ""
    destination: str = ""


class DemoError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def parse_accounts(text: str) -> list[DemoAccount]:
    """`demo-seed --json` output: a JSON list of {username, password, role, description}."""
    start = text.find("[")
    if start < 0:
        return []
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError:
        return []
    accounts = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and item.get("username") and item.get("password"):
            accounts.append(
                DemoAccount(
                    username=str(item["username"]),
                    password=str(item["password"]),
                    role=str(item.get("role") or ""),
                    description=str(item.get("description") or ""),
                    destination=str(item.get("destination") or ""),
                )
            )
    return accounts


def _hint_matches(hint: str, destination: str) -> bool:
    """Does a masked hint (e.g. "+47 *** ** 123", "k***@example.no") fit a destination?"""
    visible = [part for part in re.split(r"[*•·.…x]+", hint.replace(" ", "")) if part]
    dest = destination.replace(" ", "")
    pos = 0
    for part in visible:
        found = dest.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def latest_code(
    sink: Path,
    *,
    since: datetime | None = None,
    destination: str = "",
    hint: str = "",
) -> str | None:
    """The newest 6-digit code in a `file:` sink for this destination (or masked hint)."""
    try:
        lines = sink.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            continue
        to = str(entry.get("to") or "")
        if destination and to != destination:
            continue
        if not destination and hint and not _hint_matches(hint, to):
            continue
        if since is not None:
            try:
                sent = datetime.fromisoformat(str(entry.get("sent_at")))
                if sent.tzinfo is not None and since.tzinfo is not None and sent < since:
                    return None  # older than this login: its code is not ours
            except ValueError:
                pass
        match = _CODE.search(str(entry.get("body") or ""))
        if match:
            return match.group(1)
    return None


@dataclass
class DemoServer:
    """A demo server in a temporary folder, from start to clean-up."""

    python: str = sys.executable
    startup_timeout: float = 60.0
    tmpdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sampro-demo-")))
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    accounts: list[DemoAccount] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sms_path(self) -> Path:
        return self.tmpdir / "sms.jsonl"

    @property
    def email_path(self) -> Path:
        return self.tmpdir / "email.jsonl"

    @property
    def log_path(self) -> Path:
        return self.tmpdir / "server.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            SAMPRO_DATABASE_URL=f"sqlite:///{self.tmpdir / 'demo.db'}",
            SAMPRO_SMS=f"file:{self.sms_path}",
            SAMPRO_EMAIL=f"file:{self.email_path}",
            SAMPRO_DATA_DIR=str(self.tmpdir),
            SAMPRO_DEMO="1",
        )
        return env

    def start(self) -> None:
        env = self.env()
        seed = subprocess.run(
            [self.python, "-m", "server", "demo-seed", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=self.startup_timeout,
            check=False,
        )
        if seed.returncode != 0:
            raise DemoError(_tail(seed.stderr or seed.stdout))
        self.accounts = parse_accounts(seed.stdout)
        # A free port is only free until someone takes it: if the server dies at start
        # (the port was taken in between), try again on another one.
        chosen = self.port
        for attempt in range(3):
            self.port = chosen or free_port()
            self._spawn(env)
            try:
                self._wait_healthy()
                return
            except DemoError:
                if chosen or attempt == 2 or self.process is None:
                    raise
                if self.process.poll() is None:  # alive but silent: not a port clash
                    raise

    def _spawn(self, env: dict[str, str]) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [self.python, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        log.close()

    def _wait_healthy(self) -> None:
        import httpx

        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise DemoError(_tail(self.log_path.read_text(errors="replace")))
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise DemoError(f"no answer from {self.url}/healthz")

    def code_for(
        self, *, channel: str, hint: str, username: str = "", since: datetime | None = None
    ) -> str | None:
        sink = self.email_path if channel == "email" else self.sms_path
        destination = next((a.destination for a in self.accounts if a.username == username), "")
        return latest_code(sink, since=since, destination=destination, hint=hint)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        shutil.rmtree(self.tmpdir, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the client dies without cleaning up (kill -9)."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"
