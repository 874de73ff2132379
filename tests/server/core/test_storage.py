"""Storage on both backends: atomic counters, versions under concurrency, the append-only
log, sessions shared by several app instances, and input the database cannot take."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from sampro_contract import PlanRole
from server.app import create_app
from server.context import ServerContext
from server.plans.models import Plan
from tests.server.conftest import Org
from tests.server.support import (
    API,
    PASSWORD,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    error,
    get_row,
    login,
    start_login,
    user_row,
    verify,
)

WRONG = "Feil-Passord9"


def _parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(call, range(n)))


def test_concurrent_wrong_passwords_are_each_counted(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url, lockout_threshold=9)
    h = org.h
    results = _parallel(6, lambda _: start_login(h, "kari", WRONG).status_code)
    assert results == [401] * 6
    assert user_row(h, "kari").failed_logins == 6
    assert user_row(h, "kari").locked_until is None


def test_concurrent_wrong_passwords_lock_exactly_at_the_threshold(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url, lockout_threshold=5, lockout_seconds=300)
    h = org.h
    for _ in range(2):
        start_login(h, "kari", WRONG)
    # Three at once bring the count to the threshold: all are wrong passwords (401),
    # and the account is locked afterwards.
    assert sorted(_parallel(3, lambda _: start_login(h, "kari", WRONG).status_code)) == [401] * 3
    r = start_login(h, "kari")
    assert error(r) == (423, "account_locked")
    assert r.headers["Retry-After"] == "300"


def test_a_lock_keeps_its_count_and_a_served_lock_starts_a_new_one(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url, lockout_threshold=3, lockout_seconds=300)
    h = org.h
    for _ in range(3):
        start_login(h, "kari", WRONG)
    kari = user_row(h, "kari")
    assert kari.failed_logins == 3 and kari.locked_until is not None
    h.clock.advance(300)
    start_login(h, "kari", WRONG)
    kari = user_row(h, "kari")
    assert (kari.failed_logins, kari.locked_until) == (1, None)
    start_login(h, "kari", WRONG)
    assert error(start_login(h, "kari", WRONG)) == (401, "invalid_credentials")
    assert error(start_login(h, "kari")) == (423, "account_locked")
    assert user_row(h, "kari").failed_logins == 3


def test_concurrent_edits_with_the_same_version_let_exactly_one_win(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url)
    h = org.h
    owner = add_person(h, org.unit_id, "Plan", "Eier")
    plan = add_plan(h, org.unit_id, owner, version=5)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")

    def edit(i: int) -> int:
        r = h.client.patch(
            f"{API}/plans/{plan}",
            json={"version": 5, "presentation": f"Versjon {i}"},
            headers=bearer(token),
        )
        return r.status_code

    results = _parallel(6, edit)
    assert sorted(results) == [200] + [409] * 5
    winner = results.index(200)
    row = get_row(h, Plan, plan)
    assert row.presentation == f"Versjon {winner}"
    assert row.version == 6


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
def test_log_rows_cannot_be_changed_or_deleted_at_the_database(
    make_org: Callable[..., Org], db_url: str, statement: str
) -> None:
    org = make_org(db_url)
    start_login(org.h, "kari", WRONG)  # a log row
    engine = create_engine(db_url)
    try:
        with pytest.raises(Exception, match="only ever added"), engine.begin() as conn:
            conn.execute(text(statement))
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
            actions = conn.execute(text("SELECT action FROM audit_log")).scalars().all()
        assert count >= 1 and "x" not in actions
    finally:
        engine.dispose()


def test_two_app_instances_on_one_database_behave_as_one_server(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url, lockout_threshold=3)
    h = org.h
    second = ServerContext.from_settings(h.ctx.settings, h.clock)
    other = TestClient(create_app(ctx=second), raise_server_exceptions=False)
    try:
        # A login started on one, finished on the other.
        challenge = start_login(h, "kari").json()["challenge_id"]
        r = other.post(
            f"{API}/auth/verify", json={"challenge_id": challenge, "code": h.last_code()}
        )
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        assert h.client.get(f"{API}/me", headers=bearer(token)).status_code == 200
        # Failures on both count toward one lockout.
        for client in (h.client, other, h.client):
            client.post(f"{API}/auth/login", json={"username": "kari", "password": WRONG})
        r = other.post(f"{API}/auth/login", json={"username": "kari", "password": "x"})
        assert error(r) == (423, "account_locked")
        # Logging out on one kills the token on the other.
        assert other.post(f"{API}/auth/logout", headers=bearer(token)).status_code == 204
        assert error(h.client.get(f"{API}/me", headers=bearer(token))) == (
            401,
            "not_authenticated",
        )
    finally:
        other.close()
        second.db.dispose()


@pytest.mark.parametrize(
    "username", [r"kari\u0000", r"\u0000", r"kari\udcff"], ids=["nul", "only-nul", "surrogate"]
)
def test_strings_the_database_cannot_store_are_bad_input_not_a_500(
    make_org: Callable[..., Org], db_url: str, username: str
) -> None:
    h = make_org(db_url).h
    for path in ("/auth/login", "/auth/forgot"):
        r = h.client.post(
            f"{API}{path}",
            content=f'{{"username": "{username}", "password": "x"}}'.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code in (202, 401, 422), r.text
        if r.status_code != 202:
            error(r)


def test_plan_search_with_odd_characters_is_safe(make_org: Callable[..., Org], db_url: str) -> None:
    org = make_org(db_url)
    h = org.h
    owner = add_person(h, org.unit_id, "Per_Ola", "100%")
    plan = add_plan(h, org.unit_id, owner)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    other = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Perxola", "Berg"))
    add_participant(h, other, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    for q, expected in [("per_", [plan]), ("100%", [plan]), ("%", []), ("_", []), ("'", [])]:
        r = h.client.get(f"{API}/plans", params={"q": q}, headers=bearer(token))
        assert r.status_code == 200, (q, r.text)
        assert [p["id"] for p in r.json()["items"]] == expected, q
    r = h.client.get(f"{API}/plans", params={"q": "a\x00"}, headers=bearer(token))
    assert r.status_code in (200, 422), r.text


def test_the_whole_login_story_on_each_backend(make_org: Callable[..., Org], db_url: str) -> None:
    """Every step of the login once per backend: the SQL differs, the answers must not."""
    org = make_org(db_url, session_idle_seconds=1000)
    h = org.h
    assert error(start_login(h, "kari", WRONG)) == (401, "invalid_credentials")
    challenge = start_login(h, "kari").json()["challenge_id"]
    wrong = "000000" if h.last_code() != "000000" else "111111"
    assert error(verify(h, challenge, wrong)) == (401, "invalid_code")
    assert h.client.post(f"{API}/auth/resend", json={"challenge_id": challenge}).status_code == 200
    r = verify(h, challenge, h.last_code())
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert user_row(h, "kari").failed_logins == 0
    # The authenticator.
    secret = h.client.post(f"{API}/me/totp", headers=bearer(token)).json()["secret"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    r = h.client.post(f"{API}/me/totp/confirm", json={"code": code}, headers=bearer(token))
    assert r.status_code == 204
    h.clock.advance(30)
    challenge = start_login(h, "kari").json()["challenge_id"]
    code = pyotp.TOTP(secret).at(h.clock.now())
    assert verify(h, challenge, code).status_code == 200
    replay = start_login(h, "kari").json()["challenge_id"]
    assert error(verify(h, replay, code)) == (401, "invalid_code")
    # Password change, forgot password, sessions.
    r = h.client.post(
        f"{API}/auth/password",
        json={"current_password": PASSWORD, "new_password": "Nytt-Passord77"},
        headers=bearer(token),
    )
    assert r.status_code == 204
    assert h.client.post(f"{API}/auth/forgot", json={"username": "kari"}).status_code == 202
    h.clock.advance(999)
    assert h.client.get(f"{API}/auth/session", headers=bearer(token)).status_code == 200
    h.clock.advance(1)
    assert error(h.client.get(f"{API}/me", headers=bearer(token))) == (401, "session_expired")


def test_plans_participants_and_support_on_each_backend(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url)
    h = org.h
    add_user(h, "support", org.unit_id, system_role="support", channel="email")
    owner = add_person(h, org.unit_id, "Emma", "Lien")
    plan = add_plan(h, org.unit_id, owner)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token, support = login(h, "kari"), login(h, "support")
    auth = bearer(token)
    assert h.client.get(f"{API}/plans?q=lien&sort=new_messages", headers=auth).json()["total"] == 1
    for sort in ("changed", "consent_days", "closed", "last_archived"):
        r = h.client.get(f"{API}/plans", params={"sort": sort, "order": "desc"}, headers=auth)
        assert r.status_code == 200, r.text
    r = h.client.post(
        f"{API}/plans/{plan}/participants",
        json={
            "person": {"first_name": "Ola", "last_name": "Berg", "mobile": "41234567"},
            "create_account": True,
            "username": "ola",
            "role": "provider",
            "consent_expires": (h.clock.today() + timedelta(days=30)).isoformat(),
        },
        headers=auth,
    )
    assert r.status_code == 201, r.text
    pid, version = r.json()["id"], r.json()["version"]
    r = h.client.patch(
        f"{API}/plans/{plan}/participants/{pid}",
        json={"version": version, "responsibility": "Skole"},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    r = h.client.patch(
        f"{API}/plans/{plan}/participants/{pid}", json={"version": version}, headers=auth
    )
    assert error(r) == (409, "version_conflict")
    assert h.client.get(f"{API}/plans/{plan}/log", headers=auth).json()["total"] == 2
    assert h.client.post(f"{API}/plans/{plan}/archive", headers=auth).status_code == 200
    assert h.client.post(f"{API}/plans/{plan}/close", headers=auth).status_code == 200
    r = h.client.patch(f"{API}/plans/{plan}", json={"version": 99}, headers=auth)
    assert error(r) == (409, "plan_closed")
    # Support: status, unlock, reset, end sessions; no plan content.
    kari = user_row(h, "kari").id
    r = h.client.get(f"{API}/admin/users/{kari}", headers=bearer(support))
    assert r.status_code == 200 and len(r.json()["sessions"]) == 1
    assert r.json()["deliveries"][0]["status"] == "sent"
    assert h.client.get(f"{API}/admin/users?q=kari", headers=bearer(support)).status_code == 200
    for action in ("unlock", "reset-password"):
        r = h.client.post(f"{API}/admin/users/{kari}/{action}", headers=bearer(support))
        assert r.status_code == 204, (action, r.text)
    assert error(h.client.get(f"{API}/me", headers=auth)) == (401, "not_authenticated")
    assert error(h.client.get(f"{API}/plans/{plan}", headers=bearer(support))) == (
        404,
        "not_found",
    )
