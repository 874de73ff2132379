"""`sampro-server create-admin` and `demo-seed` run as the commands they are, against a
temporary SQLite database (cheap argon2 settings, file sinks)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import CHEAP_ARGON2

STRONG = "Fjord-Hytte42"


def _command() -> list[str]:
    script = Path(sys.executable).parent / "sampro-server"
    return [str(script)] if script.exists() else [sys.executable, "-m", "server"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPRO_")}
    env.update(
        {
            "SAMPRO_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "SAMPRO_DATA_DIR": str(tmp_path),
            "SAMPRO_SMS": f"file:{tmp_path / 'sms.jsonl'}",
            "SAMPRO_EMAIL": f"file:{tmp_path / 'email.jsonl'}",
            **{f"SAMPRO_{k.upper()}": str(v) for k, v in CHEAP_ARGON2.items()},
        }
    )
    return env


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=120,
        check=False,
    )


def _rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql)).all()]
    finally:
        engine.dispose()


def _admin(tmp_path: Path, username: str = "Sysadm", password: str = STRONG) -> object:
    return run(
        tmp_path,
        "create-admin",
        "--username",
        username,
        "--email",
        "drift@example.invalid",
        stdin=password + "\n",
    )


def test_create_admin_reads_the_password_from_stdin_and_creates_the_first_admin(
    tmp_path: Path,
) -> None:
    r = _admin(tmp_path)
    assert r.returncode == 0, r.stderr
    assert "sysadm" in r.stdout
    assert STRONG not in r.stdout + r.stderr  # the password is never echoed
    [(username, role, must_change, pw_hash)] = _rows(
        tmp_path,
        "select username, system_role, must_change_password, password_hash from user_accounts",
    )
    assert (username, role, must_change) == ("sysadm", "sysadmin", 0)
    assert str(pw_hash).startswith("$argon2id$")


def test_a_second_create_admin_fails_with_a_message(tmp_path: Path) -> None:
    assert _admin(tmp_path).returncode == 0
    r = _admin(tmp_path, "annen")
    assert r.returncode != 0
    assert "already exists" in r.stderr
    assert len(_rows(tmp_path, "select id from user_accounts")) == 1


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("kort1A", "shorter than the minimum length"),
        ("alllowercase12", "needs an upper-case letter"),
        ("Password1", "commonly used"),
        ("Sysadm-Hytte42", "contains the username"),
        ("", "standard input"),
    ],
)
def test_create_admin_refuses_a_weak_password(tmp_path: Path, password: str, why: str) -> None:
    r = _admin(tmp_path, password=password)
    assert r.returncode != 0
    assert why in r.stderr, r.stderr
    if (tmp_path / "cli.db").exists():
        assert _rows(tmp_path, "select id from user_accounts") == []


def test_create_admin_refuses_a_bad_email(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "create-admin",
        "--username",
        "sysadm",
        "--email",
        "drift@example.invalid\nBcc: x@example.invalid",
        stdin=STRONG + "\n",
    )
    assert r.returncode == 2
    assert "--email" in r.stderr and "e-mail address" in r.stderr


def test_demo_seed_prints_the_accounts_with_passwords_that_work(tmp_path: Path) -> None:
    r = run(tmp_path, "demo-seed", "--json")
    assert r.returncode == 0, r.stderr
    accounts = json.loads(r.stdout)
    assert len(accounts) >= 12
    assert {"username", "password", "role"} <= set(accounts[0])
    names = {a["username"] for a in accounts}
    stored = {str(u) for (u,) in _rows(tmp_path, "select username from user_accounts")}
    assert names <= stored
    plans = _rows(tmp_path, "select count(*) from plans")[0][0]
    assert isinstance(plans, int) and plans >= 25
    # The printed password is the account's: check it against the stored hash.
    from argon2 import PasswordHasher

    first = accounts[0]
    [(pw_hash,)] = _rows(
        tmp_path, f"select password_hash from user_accounts where username = '{first['username']}'"
    )
    assert PasswordHasher().verify(str(pw_hash), first["password"])


def test_demo_seed_prints_a_readable_table(tmp_path: Path) -> None:
    r = run(tmp_path, "demo-seed")
    assert r.returncode == 0, r.stderr
    assert "username / password / role" in r.stdout
    lines = [line.split() for line in r.stdout.splitlines()[1:] if line.strip()]
    assert len(lines) >= 12 and all(len(parts) >= 3 for parts in lines)
