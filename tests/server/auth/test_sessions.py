"""Sessions, logout, the token requirement, passwords, temporary passwords, bad input."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update

from server.accounts.models import UserAccount
from server.auth.models import AuthSession
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    PASSWORD,
    add_user,
    bearer,
    error,
    login,
    login_session,
    sent_to,
    start_login,
    temporary_password_in,
    user_row,
    verify,
)

# --- the session token ----------------------------------------------------------------------


def test_session_token_has_at_least_128_random_bits_and_only_its_hash_is_stored(
    org: Org,
) -> None:
    h = org.h
    tokens = {login(h, "kari") for _ in range(3)}
    assert len(tokens) == 3
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
    with h.ctx.db.read_session() as db:
        rows = db.scalars(select(AuthSession)).all()
    assert {r.token_hash for r in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    # The token itself is nowhere in the database files.
    stored = b"".join(p.read_bytes() for p in Path(h.tmp_path).glob("h.db*"))
    for token in tokens:
        assert token.encode() not in stored


def _me(h: Harness, token: str) -> int:
    return h.client.get(f"{API}/me", headers=bearer(token)).status_code


# The plan list checks the login with a statement of its own (deps.login_on), so the
# session rules are checked through it as well as through an ordinary route.
@pytest.fixture(params=["/me", "/plans"])
def route(request: pytest.FixtureRequest) -> str:
    path: str = request.param
    return path


def test_session_expires_after_the_idle_time(make_org: Callable[..., Org], route: str) -> None:
    h = make_org(session_idle_seconds=1000).h
    token = login(h, "kari")
    h.clock.advance(999)
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert r.status_code == 200 and r.json()["seconds_left"] == 1
    h.clock.advance(1)
    assert error(h.client.get(f"{API}{route}", headers=bearer(token))) == (401, "session_expired")


def test_any_other_call_keeps_the_session_alive(make_org: Callable[..., Org], route: str) -> None:
    h = make_org(session_idle_seconds=1000).h
    token = login(h, "kari")
    h.clock.advance(600)
    assert h.client.get(f"{API}{route}", headers=bearer(token)).status_code == 200
    h.clock.advance(600)  # 1200 s after login, 600 s after the last call
    assert h.client.get(f"{API}{route}", headers=bearer(token)).status_code == 200
    h.clock.advance(1000)
    assert error(h.client.get(f"{API}{route}", headers=bearer(token))) == (401, "session_expired")


def test_looking_at_the_session_is_not_activity(make_org: Callable[..., Org]) -> None:
    h = make_org(session_idle_seconds=1000).h
    session = login_session(h, "kari")
    token = session["token"]
    h.clock.advance(600)
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert r.status_code == 200
    assert r.json()["seconds_left"] == 400
    assert r.json()["expires_at"] == session["expires_at"]
    h.clock.advance(400)
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert error(r) == (401, "session_expired")


def test_stay_logged_in_counts_as_activity(make_org: Callable[..., Org]) -> None:
    h = make_org(session_idle_seconds=1000).h
    token = login(h, "kari")
    h.clock.advance(600)
    r = h.client.post(f"{API}/auth/session/refresh", headers=bearer(token))
    assert r.status_code == 200 and r.json()["seconds_left"] == 1000
    h.clock.advance(600)
    assert h.client.get(f"{API}/auth/session", headers=bearer(token)).json()["seconds_left"] == 400


def test_session_ends_at_its_absolute_lifetime_however_busy(
    make_org: Callable[..., Org], route: str
) -> None:
    h = make_org(session_idle_seconds=1000, session_max_seconds=3000).h
    session = login_session(h, "kari")
    token = session["token"]
    assert session["idle_timeout_seconds"] == 1000
    for _ in range(3):
        h.clock.advance(900)
        assert h.client.get(f"{API}{route}", headers=bearer(token)).status_code == 200  # 2700 s
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert r.json()["seconds_left"] == 300
    h.clock.advance(300)
    assert error(h.client.get(f"{API}{route}", headers=bearer(token))) == (401, "session_expired")


def test_session_reports_the_configured_warning(make_org: Callable[..., Org]) -> None:
    h = make_org(session_warning_seconds=120).h
    session = login_session(h, "kari")
    assert session["warning_seconds"] == 120
    r = h.client.get(f"{API}/auth/session", headers=bearer(session["token"]))
    assert r.json()["warning_seconds"] == 120


def test_logout_kills_the_token(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    other = login(h, "kari")
    assert h.client.get(f"{API}/plans", headers=bearer(token)).status_code == 200
    assert h.client.post(f"{API}/auth/logout", headers=bearer(token)).status_code == 204
    for call in (
        lambda: h.client.get(f"{API}/me", headers=bearer(token)),
        lambda: h.client.get(f"{API}/plans", headers=bearer(token)),
        lambda: h.client.get(f"{API}/auth/session", headers=bearer(token)),
        lambda: h.client.post(f"{API}/auth/logout", headers=bearer(token)),
    ):
        assert error(call()) == (401, "not_authenticated")
    assert _me(h, other) == 200  # only that session ended


def test_a_deactivated_account_is_logged_out_at_once(org: Org, route: str) -> None:
    h = org.h
    token = login(h, "kari")
    assert h.client.get(f"{API}{route}", headers=bearer(token)).status_code == 200
    with h.ctx.db.writing() as db:
        db.execute(update(UserAccount).where(UserAccount.username == "kari").values(active=False))
    assert error(h.client.get(f"{API}{route}", headers=bearer(token))) == (401, "not_authenticated")


PUBLIC = {
    ("POST", "/auth/login"),
    ("POST", "/auth/verify"),
    ("POST", "/auth/forgot"),
    ("GET", "/healthz"),
    # Part of the login itself (a new code for a pending challenge): no token exists yet.
    ("POST", "/auth/resend"),
    # The password rules, shown by the client before any login; they reveal nothing.
    ("GET", "/auth/password-policy"),
}


def test_every_route_but_login_answers_401_without_a_token(org: Org) -> None:
    h = org.h
    spec = h.client.get(f"{API}/openapi.json").json()
    routes = [
        (method.upper(), API + path.removeprefix(API))
        for path, operations in spec["paths"].items()
        for method in operations
    ]
    assert len(routes) > 25
    checked = 0
    for method, path in routes:
        short = path.removeprefix(API)
        if (method, short) in PUBLIC:
            continue
        url = path.replace("{plan_id}", "1").replace("{participant_id}", "1")
        url = url.replace("{user_id}", "1").replace("{key}", "k")
        for headers in ({}, bearer("not-a-token"), {"Authorization": "Basic a2FyaQ=="}):
            r = h.client.request(method, url, headers=headers, json={})
            assert error(r) == (401, "not_authenticated"), (method, path, r.text)
        checked += 1
    assert checked == len(routes) - len(PUBLIC)


def test_public_routes_answer_without_a_token(org: Org) -> None:
    h = org.h
    assert h.client.get("/healthz").status_code == 200
    assert h.client.get(f"{API}/healthz").status_code == 200
    assert h.client.post(f"{API}/auth/forgot", json={"username": "x"}).status_code == 202


def test_interactive_api_docs_are_off_unless_a_setting_turns_them_on(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory()
    for path in (f"{API}/docs", f"{API}/redoc", "/docs", "/redoc"):
        assert h.client.get(path).status_code == 404, path
    on = harness_factory(api_docs=True)
    assert on.client.get(f"{API}/docs").status_code == 200
    assert on.client.get(f"{API}/redoc").status_code == 404


# --- passwords --------------------------------------------------------------------------


def _change(h: Harness, token: str, new: str, current: str = PASSWORD) -> tuple[int, object]:
    r = h.client.post(
        f"{API}/auth/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )
    return r.status_code, (r.json()["error"] if r.content else None)


@pytest.mark.parametrize(
    ("new", "problems"),
    [
        ("Ab1defg", ["too_short"]),
        ("HYTTE-FJORD42", ["no_lower"]),
        ("hytte-fjord42", ["no_upper"]),
        ("Hytte-Fjorden", ["no_digit"]),
        ("Password1", ["common"]),
        ("Qwerty123", ["common"]),
        ("short", ["too_short", "no_upper", "no_digit"]),
    ],
)
def test_weak_passwords_are_refused_with_the_problems(
    org: Org, new: str, problems: list[str]
) -> None:
    h = org.h
    token = login(h, "kari")
    status, err = _change(h, token, new)
    assert status == 422
    assert isinstance(err, dict)
    assert err["code"] == "weak_password"
    assert sorted(err["details"]["problems"]) == sorted(problems)
    assert start_login(h, "kari").status_code == 200  # the old password still works


def test_minimum_password_length_follows_the_setting(make_org: Callable[..., Org]) -> None:
    h = make_org(password_min_length=12).h
    token = login(h, "kari")
    status, err = _change(h, token, "Skog-Hytte42")  # 12 characters
    assert status == 204, err
    token = login(h, "kari", "Skog-Hytte42")
    status, err = _change(h, token, "Skog-Hytt42", current="Skog-Hytte42")  # 11
    assert status == 422
    assert isinstance(err, dict) and err["details"]["problems"] == ["too_short"]


def test_password_policy_states_the_rules(make_org: Callable[..., Org]) -> None:
    h = make_org(password_min_length=10, lockout_threshold=4, lockout_seconds=900).h
    policy = h.client.get(f"{API}/auth/password-policy").json()
    assert policy["min_length"] == 10
    assert (policy["lockout_threshold"], policy["lockout_seconds"]) == (4, 900)


def test_new_password_same_as_the_old_is_refused(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    status, err = _change(h, token, PASSWORD)
    assert status == 422
    assert isinstance(err, dict) and err["code"] == "weak_password"


def test_changing_password_needs_the_current_one(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    status, err = _change(h, token, "Nytt-Passord77", current="Feil-Passord9")
    assert status == 401
    assert isinstance(err, dict) and err["code"] == "invalid_credentials"


def test_after_a_change_only_the_new_password_works_and_other_sessions_end(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    other = login(h, "kari")
    assert _change(h, token, "Nytt-Passord77")[0] == 204
    assert error(start_login(h, "kari")) == (401, "invalid_credentials")
    assert start_login(h, "kari", "Nytt-Passord77").status_code == 200
    assert _me(h, token) == 200
    assert _me(h, other) == 401


# --- temporary passwords ------------------------------------------------------------------


def test_temporary_password_allows_only_password_session_and_logout_routes(org: Org) -> None:
    h = org.h
    add_user(h, "ny", org.unit_id, must_change=True)
    session = login_session(h, "ny")
    assert session["must_change_password"] is True
    token = session["token"]
    for method, path in [("GET", "/me"), ("GET", "/plans"), ("POST", "/me/totp")]:
        r = h.client.request(method, f"{API}{path}", headers=bearer(token))
        assert error(r) == (403, "password_change_required"), path
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    assert h.client.post(f"{API}/auth/session/refresh", headers=bearer(token)).status_code == 200
    assert _change(h, token, "Skog-Hytte42")[0] == 204
    assert _me(h, token) == 200
    r = h.client.get(f"{API}/auth/session", headers=bearer(token))
    assert r.json()["must_change_password"] is False


def test_logout_works_before_the_temporary_password_is_changed(org: Org) -> None:
    h = org.h
    add_user(h, "ny", org.unit_id, must_change=True)
    token = login(h, "ny")
    assert h.client.post(f"{API}/auth/logout", headers=bearer(token)).status_code == 204
    assert _me(h, token) == 401


def test_forgot_password_answers_202_whether_or_not_the_user_exists(org: Org) -> None:
    h = org.h
    for name in ("finnesikke", "kari"):
        r = h.client.post(f"{API}/auth/forgot", json={"username": name})
        assert r.status_code == 202 and r.content == b""
    email = user_row(h, "kari").person.email
    assert [m["to"] for m in h.sent("email")] == [email]


def test_forgot_password_sends_a_temporary_password_and_the_old_one_keeps_working(
    org: Org,
) -> None:
    h = org.h
    h.client.post(f"{API}/auth/forgot", json={"username": "kari"})
    [mail] = sent_to(h, "email", user_row(h, "kari").person.email)
    temp = temporary_password_in(mail["body"])
    assert temp != PASSWORD and len(temp) >= 8
    # Someone who only knows the username cannot lock the owner out:
    assert login_session(h, "kari")["must_change_password"] is False


def test_logging_in_with_the_temporary_password_forces_a_change(org: Org) -> None:
    h = org.h
    h.client.post(f"{API}/auth/forgot", json={"username": "kari"})
    temp = temporary_password_in(h.sent("email")[-1]["body"])
    session = login_session(h, "kari", temp)
    assert session["must_change_password"] is True
    token = session["token"]
    assert error(h.client.get(f"{API}/me", headers=bearer(token))) == (
        403,
        "password_change_required",
    )
    assert _change(h, token, "Nytt-Passord77", current=temp)[0] == 204
    assert _me(h, token) == 200
    assert login_session(h, "kari", "Nytt-Passord77")["must_change_password"] is False


def test_temporary_password_expires_after_a_day(org: Org) -> None:
    h = org.h
    h.client.post(f"{API}/auth/forgot", json={"username": "kari"})
    temp = temporary_password_in(h.sent("email")[-1]["body"])
    h.clock.advance(24 * 3600)
    assert error(start_login(h, "kari", temp)) == (401, "invalid_credentials")


# --- bad input ----------------------------------------------------------------------------


def test_bad_json_is_a_validation_error_not_a_500(org: Org) -> None:
    h = org.h
    r = h.client.post(
        f"{API}/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert error(r) == (422, "validation_error")


def test_missing_fields_are_named(org: Org) -> None:
    h = org.h
    r = h.client.post(f"{API}/auth/login", json={})
    assert error(r) == (422, "validation_error")
    assert set(r.json()["error"]["details"]["fields"]) == {"username", "password"}
    r = h.client.post(f"{API}/auth/verify", json={"challenge_id": "x"})
    assert set(r.json()["error"]["details"]["fields"]) == {"code"}
    r = h.client.post(f"{API}/auth/login", json={"username": 7, "password": ["x"]})
    assert error(r) == (422, "validation_error")
    assert set(r.json()["error"]["details"]["fields"]) == {"username", "password"}


def test_wrong_body_shapes_are_validation_errors(org: Org) -> None:
    h = org.h
    for body in ([], "text", 12, None):
        r = h.client.post(f"{API}/auth/login", json=body)
        assert error(r) == (422, "validation_error"), body


def test_bad_query_and_path_values_are_named(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    r = h.client.get(f"{API}/plans?page=0&sort=nonsense", headers=bearer(token))
    assert error(r) == (422, "validation_error")
    assert set(r.json()["error"]["details"]["fields"]) == {"page", "sort"}
    r = h.client.get(f"{API}/plans/abc", headers=bearer(token))
    assert error(r) == (422, "validation_error")
    assert set(r.json()["error"]["details"]["fields"]) == {"plan_id"}


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_not_a_500(org: Org, big: int) -> None:
    h = org.h
    token = login(h, "kari")
    for method, path, body in [
        ("GET", f"/plans/{big}", None),
        ("GET", f"/plans/{big}/participants", None),
        ("PATCH", f"/plans/{big}", {"version": 1}),
        ("GET", f"/admin/users/{big}", None),
        ("GET", f"/admin/users?unit_id={big}", None),
    ]:
        r = h.client.request(method, f"{API}{path}", headers=bearer(token), json=body)
        assert r.status_code in (403, 404, 422), (path, r.text)
        error(r)
    r = h.client.get(f"{API}/plans?page={big}", headers=bearer(token))
    assert r.status_code in (200, 422), r.text


def test_verify_with_a_code_of_the_wrong_shape_is_just_a_wrong_code(org: Org) -> None:
    h = org.h
    challenge = start_login(h, "kari").json()["challenge_id"]
    assert error(verify(h, challenge, "abc")) == (401, "invalid_code")


def test_unknown_routes_and_methods_answer_in_the_envelope(org: Org) -> None:
    h = org.h
    token = login(h, "kari")
    assert error(h.client.get(f"{API}/nowhere", headers=bearer(token))) == (404, "not_found")
    r = h.client.put(f"{API}/auth/login", json={})
    assert error(r) == (405, "method_not_allowed")
