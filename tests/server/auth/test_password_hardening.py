"""Password changes and resets: the lock is checked first, a wrong current password counts
toward the lockout, a pending "forgot password" dies with a change, "forgot password" is
rate-limited per account, and only system administrators manage support accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from server.accounts.models import UserAccount
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    PASSWORD,
    add_user,
    audit_rows,
    bearer,
    error,
    get_row,
    login,
    start_login,
    temporary_password_in,
    user_row,
)

WRONG = "Feil-Passord9"
NEW = "Ny-Sommer-Fjell73"


def _change(h: Harness, token: str, current: str, new: str = NEW) -> object:
    return h.client.post(
        f"{API}/auth/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


def _forgot(h: Harness, username: str = "kari") -> None:
    r = h.client.post(f"{API}/auth/forgot", json={"username": username})
    assert r.status_code == 202


def _lock(h: Harness, username: str = "kari", threshold: int = 3) -> None:
    for _ in range(threshold):
        start_login(h, username, WRONG)
    assert error(start_login(h, username, WRONG)) == (423, "account_locked")


# --- 11: a login while locked is refused before the password is hashed --------------------


def test_a_locked_login_is_refused_without_hashing_the_password(
    org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = org.h
    # Count the password checks the server makes (the real check still runs): a locked
    # login must not look at the password at all, not even against the dummy hash.
    checks: list[str] = []
    real_verify = h.ctx.passwords.verify

    def counting_verify(password_hash: str | None, password: str) -> bool:
        checks.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(h.ctx.passwords, "verify", counting_verify)
    start_login(h, "kari", WRONG)
    assert checks == [WRONG]  # the spy sees an ordinary login's check
    checks.clear()
    with h.ctx.db.writing() as db:
        user = db.get(UserAccount, org.user.id)
        assert user is not None
        user.locked_until = h.clock.now() + timedelta(minutes=10)
        user.failed_logins = 3
    for password in (PASSWORD, WRONG, PASSWORD):
        r = start_login(h, "kari", password)
        assert error(r) == (423, "account_locked")
        assert r.headers["Retry-After"] == "600"
    assert checks == []
    assert get_row(h, UserAccount, org.user.id).failed_logins == 3  # nothing counted
    assert [r.action for r in audit_rows(h, user_id=org.user.id)][-3:] == ["login_locked"] * 3


# --- 7: a pending temporary password dies with a password change --------------------------


def test_a_forgot_password_temporary_password_dies_when_the_password_is_changed(
    org: Org,
) -> None:
    h = org.h
    token = login(h, "kari")
    _forgot(h)
    temp = temporary_password_in(h.sent("email")[-1]["body"])
    assert user_row(h, "kari").reset_password_hash is not None
    assert _change(h, token, PASSWORD).status_code == 204
    row = user_row(h, "kari")
    assert row.reset_password_hash is None and row.reset_expires_at is None
    assert error(start_login(h, "kari", temp)) == (401, "invalid_credentials")
    assert start_login(h, "kari", NEW).status_code == 200


# --- 8: a wrong current password counts toward the lockout --------------------------------


def test_wrong_current_passwords_lock_the_account_and_end_its_sessions(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    other = login(h, "kari")
    for _ in range(2):
        assert error(_change(h, token, WRONG)) == (401, "invalid_credentials")
    assert user_row(h, "kari").failed_logins == 2
    r = _change(h, token, WRONG)
    assert error(r) == (423, "account_locked")
    assert int(r.headers["Retry-After"]) == h.ctx.settings.lockout_seconds
    for t in (token, other):
        r = h.client.get(f"{API}/auth/session", headers=bearer(t))
        assert error(r) == (401, "not_authenticated")  # ended, as by support
    # The same lock as wrong login passwords: the right password does not get in now.
    assert error(start_login(h, "kari")) == (423, "account_locked")
    actions = [r.action for r in audit_rows(h, user_id=org.user.id)]
    assert actions.count("password_change_failed") == 3 and "account_locked" in actions


def test_wrong_login_and_wrong_current_passwords_count_together(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    assert error(_change(h, token, WRONG)) == (423, "account_locked")


def test_a_password_change_is_refused_while_the_account_is_locked(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    _lock(h)
    # Even with the right current password: a locked account checks no password.
    assert error(_change(h, token, PASSWORD)) == (423, "account_locked")
    assert user_row(h, "kari").password_hash == get_row(h, UserAccount, org.user.id).password_hash


# --- 8: "forgot password" at most once per interval per account ----------------------------


def test_forgot_password_sends_at_most_one_temporary_password_per_interval(
    make_org: Callable[..., Org],
) -> None:
    org = make_org(forgot_interval_seconds=300)
    h = org.h
    for _ in range(4):
        _forgot(h)
    assert len(h.sent("email")) == 1
    first = temporary_password_in(h.sent("email")[0]["body"])
    h.clock.advance(299)
    _forgot(h)
    assert len(h.sent("email")) == 1
    assert start_login(h, "kari", first).status_code == 200  # the first one still works
    h.clock.advance(2)
    _forgot(h)
    assert len(h.sent("email")) == 2
    # Per account: another user is not held back by kari's requests.
    add_user(h, "ola", org.unit_id)
    _forgot(h, "ola")
    assert len(h.sent("email")) == 3


# --- 8: only system administrators manage support and administrator accounts ---------------


def test_a_local_admin_cannot_manage_a_support_account_in_their_unit(org: Org) -> None:
    h = org.h
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    support = add_user(h, "support", org.unit_id, system_role="support", channel="email")
    add_user(h, "sysadmin", org.unit_id, system_role="sysadmin", channel="email")
    local = login(h, "lokaladmin")
    before = user_row(h, "support").password_hash
    for method, path in (
        ("POST", f"/admin/users/{support.id}/reset-password"),
        ("POST", f"/admin/users/{support.id}/unlock"),
        ("DELETE", f"/admin/users/{support.id}/sessions"),
        ("GET", f"/admin/users/{support.id}"),
    ):
        r = h.client.request(method, f"{API}{path}", headers=bearer(local))
        assert error(r) == (403, "forbidden"), (method, path)
    assert user_row(h, "support").password_hash == before
    # Support does not manage support accounts either; a system administrator does.
    add_user(h, "support2", org.unit_id, system_role="support", channel="email")
    r = h.client.post(
        f"{API}/admin/users/{support.id}/reset-password", headers=bearer(login(h, "support2"))
    )
    assert error(r) == (403, "forbidden")
    r = h.client.post(
        f"{API}/admin/users/{support.id}/reset-password", headers=bearer(login(h, "sysadmin"))
    )
    assert r.status_code == 204
    assert user_row(h, "support").password_hash != before
