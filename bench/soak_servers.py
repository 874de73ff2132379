"""The soak test's surroundings: a scratch PostgreSQL database, `sampro-server` workers, code sinks.

Nothing here imports the server's code: the workers are `sampro-server serve` processes
started the way an operator starts them, and the one-time codes and temporary passwords
are read back from the `file:` sinks the workers write (one JSON object a line).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import IO

import httpx
import psycopg
from psycopg import sql

CODE = re.compile(r"\b(\d{6})\b")
TEMPORARY_PASSWORD = re.compile(r"Midlertidig passord: ([A-Za-z0-9]+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command() -> list[str]:
    """`sampro-server` of this environment (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("sampro-server")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("sampro-server")
    if found is None:
        raise SystemExit("sampro-server not found: install the project (pip install -e .)")
    return [found]


class ScratchDatabase:
    """A fresh database on the PostgreSQL server for one run, dropped at the end."""

    def __init__(self, server_dsn: str, name: str) -> None:
        self.server_dsn = server_dsn  # e.g. postgresql://postgres@127.0.0.1:5432
        self.name = name

    @property
    def conninfo(self) -> str:
        return f"{self.server_dsn}/{self.name}"

    @property
    def sqlalchemy_url(self) -> str:
        return self.conninfo.replace("postgresql://", "postgresql+psycopg://", 1)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(f"{self.server_dsn}/postgres", autocommit=True)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    def terminate_connections(self) -> int:
        """The fault: `pg_terminate_backend` on every connection to this database but ours."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        return int(row[0]) if row else 0


def server_environment(database_url: str, folder: Path) -> dict[str, str]:
    """The workers' settings: this database, file sinks, cheap hashing, no lockouts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPRO_")}
    env.update(
        SAMPRO_DATABASE_URL=database_url,
        SAMPRO_DATA_DIR=str(folder / "data"),
        SAMPRO_SMS=f"file:{folder / 'sms.jsonl'}",
        SAMPRO_EMAIL=f"file:{folder / 'email.jsonl'}",
        # Hundreds of logins: production's argon2 cost would measure the hash, not the
        # server, on a shared 2-core machine.
        SAMPRO_ARGON2_TIME_COST="1",
        SAMPRO_ARGON2_MEMORY_KIB="64",
        SAMPRO_ARGON2_PARALLELISM="1",
        SAMPRO_LOCKOUT_THRESHOLD="1000000",
        # The notification worker would add load that no simulated user asked for.
        SAMPRO_NOTIFY_INTERVAL_SECONDS="0",
    )
    return env


def run_command(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run(
        server_command() + args, env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"sampro-server {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


class Worker:
    """One `sampro-server serve` process on its own port; killed and started again at will."""

    def __init__(self, index: int, env: dict[str, str], folder: Path) -> None:
        self.index = index
        self.port = free_port()
        self.env = env
        self.log_path = folder / f"worker{index}.log"
        self.base_url = f"http://127.0.0.1:{self.port}/api/v1"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*server_command(), "serve", "--port", str(self.port), "--log-level", "warning"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    async def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise SystemExit(f"worker {self.index} exited; see {self.log_path}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"worker {self.index} did not answer; see {self.log_path}")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """The fault: SIGKILL, no chance to finish a request or close a connection."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def cpu_seconds(self) -> float:
        """User and system CPU time of the running process so far (0 when not running)."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        try:
            # utime and stime are fields 14 and 15, the 12th and 13th after the command
            # name (in parentheses, and it may hold spaces).
            stat = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def error_lines(self, limit: int) -> list[str]:
        """The exception lines of the log (what the tracebacks end with), most frequent first."""
        if not self.log_path.exists():
            return []
        counts: dict[str, int] = defaultdict(int)
        for line in self.log_path.read_text(errors="replace").splitlines():
            if re.match(r"^[\w.]+(Error|Exception|Shutdown)\b", line):
                counts[line[:160]] += 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        return [f"{n:>4} x {line}" for line, n in ranked[:limit]]


class CodeSink:
    """The `file:` SMS and e-mail sinks, read as they grow: what was sent to whom, in order."""

    def __init__(self, folder: Path) -> None:
        self.paths = [folder / "sms.jsonl", folder / "email.jsonl"]
        self._offsets = dict.fromkeys(self.paths, 0)
        self._partial = dict.fromkeys(self.paths, b"")
        self.bodies: dict[str, list[str]] = defaultdict(list)

    def _read_new(self) -> None:
        for path in self.paths:
            try:
                with path.open("rb") as f:
                    f.seek(self._offsets[path])
                    chunk = f.read()
            except FileNotFoundError:
                continue
            self._offsets[path] += len(chunk)
            *lines, rest = (self._partial[path] + chunk).split(b"\n")
            self._partial[path] = rest
            for line in lines:
                if line.strip():
                    entry = json.loads(line)
                    self.bodies[str(entry["to"]).lower()].append(str(entry["body"]))

    def count(self, to: str) -> int:
        self._read_new()
        return len(self.bodies[to.lower()])

    async def next_body(self, to: str, seen: int, timeout: float = 20.0) -> str | None:
        """The first message to `to` after the `seen` it had; None if none comes in time."""
        deadline = time.monotonic() + timeout
        while True:
            self._read_new()
            got = self.bodies[to.lower()]
            if len(got) > seen:
                return got[-1]  # the newest: an earlier login's code may be unused
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.02)
