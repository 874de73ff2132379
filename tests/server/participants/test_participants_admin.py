"""Participants (add, create with an account, rights, consent, remove), administration and
support (users in a unit, account status, unlock, reset, end sessions), and the log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sampro_contract import Access, PlanRole, Rights
from server.delivery import FileSink
from server.log.models import AuditLog
from server.notifications.models import Delivery
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    PASSWORD,
    add_participant,
    add_person,
    add_plan,
    add_unit,
    add_user,
    audit_rows,
    bearer,
    error,
    login,
    login_session,
    new_user,
    sent_to,
    start_login,
    temporary_password_in,
    user_row,
)

WRONG = "Feil-Passord9"


@dataclass
class PlanWorld:
    h: Harness
    unit: int
    plan: int
    coordinator: str  # token
    provider: str  # token
    provider_pid: int  # participant id


@pytest.fixture
def pw(org: Org) -> PlanWorld:
    """A plan coordinated by kari, with ola as a provider (default rights)."""
    h = org.h
    owner = add_person(h, org.unit_id, "Emma", "Lien")
    plan = add_plan(h, org.unit_id, owner)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    ola = add_user(h, "ola", org.unit_id)
    pid = add_participant(h, plan, ola.person_id, PlanRole.PROVIDER)
    return PlanWorld(h, org.unit_id, plan, login(h, "kari"), login(h, "ola"), pid)


def _get(w: PlanWorld, token: str, path: str, **params: Any) -> Any:
    return w.h.client.get(f"{API}{path}", headers=bearer(token), params=params)


def _send(w: PlanWorld, token: str, method: str, path: str, body: Any = None) -> Any:
    return w.h.client.request(method, f"{API}{path}", headers=bearer(token), json=body)


def _consent(h: Harness, days: int = 90) -> str:
    return (h.clock.today() + timedelta(days=days)).isoformat()


def _participants(w: PlanWorld) -> dict[int, dict[str, Any]]:
    r = _get(w, w.coordinator, f"/plans/{w.plan}/participants")
    assert r.status_code == 200
    return {p["id"]: p for p in r.json()}


# --- participants -------------------------------------------------------------------------


def test_coordinator_adds_an_existing_person_found_by_search(pw: PlanWorld) -> None:
    person = add_person(pw.h, pw.unit, "Sigrid", "Lunde")
    found = _get(pw, pw.coordinator, f"/plans/{pw.plan}/persons", q="sig lun").json()
    assert [p["id"] for p in found] == [person]
    r = _send(
        pw,
        pw.coordinator,
        "POST",
        f"/plans/{pw.plan}/participants",
        {"person_id": person, "role": "relative", "consent_expires": _consent(pw.h)},
    )
    assert r.status_code == 201, r.text
    added = _participants(pw)[r.json()["id"]]
    assert added["person"]["id"] == person and added["role"] == "relative"
    assert added["has_account"] is False and added["consent_valid"] is True
    again = _send(
        pw,
        pw.coordinator,
        "POST",
        f"/plans/{pw.plan}/participants",
        {"person_id": person, "role": "relative", "consent_expires": _consent(pw.h)},
    )
    assert error(again) == (409, "already_participant")


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_new_person_with_an_account_gets_a_temporary_password_and_must_change_it(
    pw: PlanWorld, channel: str
) -> None:
    h = pw.h
    person = {"first_name": "Marte", "last_name": "Solhaug", "mobile": "41234567"}
    person["email"] = "marte@example.invalid"
    r = _send(
        pw,
        pw.coordinator,
        "POST",
        f"/plans/{pw.plan}/participants",
        {
            "person": person,
            "create_account": True,
            "username": "marte",
            "channel": channel,
            "role": "relative",
            "consent_expires": _consent(h),
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["has_account"] is True and r.json()["channel"] == channel
    assert r.json()["temporary_password_sent"] is True
    to = person["mobile"] if channel == "sms" else person["email"]
    [message] = sent_to(h, channel, to)
    assert "marte" in message["body"]
    temp = temporary_password_in(message["body"])
    session = login_session(h, "marte", temp)
    assert session["must_change_password"] is True
    token = session["token"]
    r = _get(pw, token, f"/plans/{pw.plan}")
    assert error(r) == (403, "password_change_required")
    r = _send(
        pw,
        token,
        "POST",
        "/auth/password",
        {"current_password": temp, "new_password": "Hav-Utsikt88"},
    )
    assert r.status_code == 204, r.text
    r = _get(pw, token, f"/plans/{pw.plan}")
    assert r.status_code == 200 and r.json()["me"]["role"] == "relative"


def test_coordinator_is_told_when_the_temporary_password_could_not_be_sent(
    pw: PlanWorld, tmp_path: Path
) -> None:
    # A sink that cannot be written: a real failure, not a mock.
    pw.h.ctx.outbox.sms = FileSink(tmp_path / "sms.jsonl" / "not-a-dir" / "x.jsonl")
    (tmp_path / "sms.jsonl").touch()
    r = _send(
        pw,
        pw.coordinator,
        "POST",
        f"/plans/{pw.plan}/participants",
        {
            "person": {"first_name": "Uten", "last_name": "Melding", "mobile": "41234500"},
            "create_account": True,
            "channel": "sms",
            "role": "relative",
            "consent_expires": _consent(pw.h),
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["has_account"] is True
    assert r.json()["temporary_password_sent"] is False
    user = user_row(pw.h, "uten.melding")
    with pw.h.ctx.db.read_session() as db:
        statuses = db.scalars(select(Delivery.status).where(Delivery.user_id == user.id)).all()
    assert statuses == ["failed"]


def test_account_by_email_needs_an_email_address_and_nothing_is_created(pw: PlanWorld) -> None:
    before = _participants(pw)
    r = _send(
        pw,
        pw.coordinator,
        "POST",
        f"/plans/{pw.plan}/participants",
        {
            "person": {"first_name": "Uten", "last_name": "Epost", "mobile": "41234567"},
            "create_account": True,
            "channel": "email",
            "role": "relative",
            "consent_expires": _consent(pw.h),
        },
    )
    assert error(r) == (422, "validation_error")
    assert "email" in r.json()["error"]["details"]["fields"]
    assert _participants(pw) == before
    assert pw.h.sent("email") == []


def test_changing_rights_takes_effect_at_once(pw: PlanWorld) -> None:
    log = f"/plans/{pw.plan}/log"
    assert error(_get(pw, pw.provider, log)) == (403, "forbidden")
    me = _participants(pw)[pw.provider_pid]
    rights = Rights.model_validate(me["rights"]).model_copy(update={"log": True})
    r = _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"/plans/{pw.plan}/participants/{pw.provider_pid}",
        {"version": me["version"], "rights": rights.model_dump(mode="json")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["rights"]["log"] is True
    assert _get(pw, pw.provider, log).status_code == 200
    assert _get(pw, pw.provider, f"/plans/{pw.plan}").json()["me"]["rights"]["log"] is True


def test_activities_without_the_goals_right_are_refused_and_nothing_changes(
    pw: PlanWorld,
) -> None:
    # Activities hang under their goals (the tree, GET /goals): reading them needs goals.
    me = _participants(pw)[pw.provider_pid]
    bad = Rights.model_validate(me["rights"]).model_copy(
        update={"goals": Access.NONE, "activities": Access.READ}
    )
    path = f"/plans/{pw.plan}/participants/{pw.provider_pid}"
    body = {"version": me["version"], "rights": bad.model_dump(mode="json")}
    r = _send(pw, pw.coordinator, "PATCH", path, body)
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["types"] == {"rights.activities": "activities_need_goals"}
    assert _participants(pw)[pw.provider_pid]["rights"] == me["rights"]
    # No right to either is fine, and so is goals without activities.
    for goals, activities in ((Access.NONE, Access.NONE), (Access.READ, Access.NONE)):
        rights = bad.model_copy(update={"goals": goals, "activities": activities})
        version = _participants(pw)[pw.provider_pid]["version"]
        body = {"version": version, "rights": rights.model_dump(mode="json")}
        assert _send(pw, pw.coordinator, "PATCH", path, body).status_code == 200


def test_a_past_consent_date_withdraws_access_at_once(pw: PlanWorld) -> None:
    assert _get(pw, pw.provider, f"/plans/{pw.plan}").status_code == 200
    assert [p["id"] for p in _get(pw, pw.provider, "/plans").json()["items"]] == [pw.plan]
    me = _participants(pw)[pw.provider_pid]
    yesterday = (pw.h.clock.today() - timedelta(days=1)).isoformat()
    r = _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"/plans/{pw.plan}/participants/{pw.provider_pid}",
        {"version": me["version"], "consent_expires": yesterday},
    )
    assert r.status_code == 200 and r.json()["consent_valid"] is False
    for path in (f"/plans/{pw.plan}", f"/plans/{pw.plan}/participants"):
        assert error(_get(pw, pw.provider, path)) == (403, "consent_expired")
    assert _get(pw, pw.provider, "/plans").json()["items"] == []


def test_consent_runs_out_when_the_day_passes(pw: PlanWorld) -> None:
    me = _participants(pw)[pw.provider_pid]
    today = pw.h.clock.today().isoformat()
    _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"/plans/{pw.plan}/participants/{pw.provider_pid}",
        {"version": me["version"], "consent_expires": today},
    )
    assert _get(pw, pw.provider, f"/plans/{pw.plan}").status_code == 200
    pw.h.clock.advance(24 * 3600)
    r = _get(pw, login(pw.h, "ola"), f"/plans/{pw.plan}")
    assert error(r) == (403, "consent_expired")


def test_removed_participant_loses_access(pw: PlanWorld) -> None:
    path = f"/plans/{pw.plan}/participants/{pw.provider_pid}"
    assert _send(pw, pw.coordinator, "DELETE", path).status_code == 204
    assert pw.provider_pid not in _participants(pw)
    assert error(_get(pw, pw.provider, f"/plans/{pw.plan}")) == (404, "not_found")
    assert _get(pw, pw.provider, "/plans").json()["items"] == []
    assert error(_send(pw, pw.coordinator, "DELETE", path)) == (404, "not_found")
    r = _send(pw, pw.coordinator, "PATCH", path, {"version": 2, "responsibility": "x"})
    assert error(r) == (404, "not_found")


def test_the_owner_stays_and_the_coordinator_cannot_remove_themselves(pw: PlanWorld) -> None:
    parts = _participants(pw)
    owner = next(p for p in parts.values() if p["role"] == "owner")
    me = next(p for p in parts.values() if p["role"] == "coordinator")
    base = f"/plans/{pw.plan}/participants"
    assert error(_send(pw, pw.coordinator, "DELETE", f"{base}/{owner['id']}"))[0] == 422
    assert error(_send(pw, pw.coordinator, "DELETE", f"{base}/{me['id']}"))[0] == 422
    r = _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"{base}/{owner['id']}",
        {"version": owner["version"], "role": "relative"},
    )
    assert error(r) == (422, "validation_error")
    assert _participants(pw) == parts


# --- administration and support -----------------------------------------------------------


@dataclass
class AdminWorld:
    h: Harness
    unit: int
    other_unit: int
    kari: int  # user id
    tokens: dict[str, str]


@pytest.fixture
def aw(org: Org) -> AdminWorld:
    h = org.h
    other = add_unit(h, "Nabokommunen")
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    add_user(h, "annenadmin", other, system_role="local_admin", unit_role="admin")
    add_user(h, "support", org.unit_id, system_role="support", channel="email")
    add_user(h, "ola", org.unit_id)
    tokens = {
        name: login(h, name) for name in ("lokaladmin", "annenadmin", "support", "ola", "kari")
    }
    return AdminWorld(h, org.unit_id, other, org.user.id, tokens)


def _admin(aw: AdminWorld, who: str, method: str, path: str, body: Any = None) -> Any:
    return aw.h.client.request(method, f"{API}{path}", headers=bearer(aw.tokens[who]), json=body)


HANNE = "hanne@x.invalid"


def test_local_admin_creates_a_user_in_their_unit_and_finds_them(aw: AdminWorld) -> None:
    h = aw.h
    r = _admin(aw, "lokaladmin", "POST", "/admin/users", new_user(aw.unit, email=HANNE))
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    [mail] = sent_to(h, "email", "hanne@x.invalid")
    temp = temporary_password_in(mail["body"])
    assert login_session(h, "hanne", temp)["must_change_password"] is True
    for q in ("hanne", "kval", "Hanne Kvalvik"):
        found = _admin(aw, "lokaladmin", "GET", f"/admin/users?q={q}").json()
        assert [u["id"] for u in found] == [user_id], q
    in_unit = _admin(aw, "lokaladmin", "GET", f"/admin/users?unit_id={aw.unit}").json()
    assert user_id in {u["id"] for u in in_unit} and aw.kari in {u["id"] for u in in_unit}
    # The administrator of another unit neither sees nor manages them.
    assert _admin(aw, "annenadmin", "GET", "/admin/users?q=hanne").json() == []
    assert error(_admin(aw, "annenadmin", "GET", f"/admin/users/{user_id}")) == (
        404,
        "not_found",
    )
    r = _admin(aw, "annenadmin", "POST", "/admin/users", new_user(aw.unit, "hanne2", email=HANNE))
    assert error(r) == (403, "forbidden")


def test_ordinary_users_and_support_do_not_create_accounts(aw: AdminWorld) -> None:
    assert error(_admin(aw, "ola", "GET", "/admin/users")) == (403, "forbidden")
    assert error(_admin(aw, "ola", "GET", f"/admin/users/{aw.kari}")) == (403, "forbidden")
    r = _admin(aw, "support", "POST", "/admin/users", new_user(aw.unit, email=HANNE))
    assert error(r) == (403, "forbidden")
    r = _admin(
        aw,
        "lokaladmin",
        "POST",
        "/admin/users",
        {**new_user(aw.unit, email=HANNE), "username": "x"},
    )
    assert error(r) == (422, "validation_error")
    assert "username" in r.json()["error"]["details"]["fields"]


def test_support_sees_an_accounts_status(aw: AdminWorld) -> None:
    h = aw.h
    kari = user_row(h, "kari")
    start_login(h, "kari", WRONG)
    start_login(h, "kari", WRONG)
    status = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
    assert status["failed_logins"] == 2 and status["locked_until"] is None
    assert status["user"]["locked"] is False
    assert status["last_login_at"] is not None
    assert len(status["sessions"]) == 1
    [delivery] = status["deliveries"]
    assert delivery["status"] == "sent" and delivery["purpose"] == "login_code"
    assert delivery["channel"] == "sms"
    assert kari.person.mobile not in delivery["destination"]
    assert delivery["destination"].endswith(kari.person.mobile[-2:])
    start_login(h, "kari", WRONG)
    status = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
    assert status["user"]["locked"] is True
    assert status["locked_until"] is not None
    h.clock.advance(600)
    status = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
    assert status["user"]["locked"] is False and status["locked_until"] is None


def test_support_unlocks_an_account(aw: AdminWorld) -> None:
    h = aw.h
    for _ in range(3):
        start_login(h, "kari", WRONG)
    assert error(start_login(h, "kari")) == (423, "account_locked")
    assert _admin(aw, "support", "POST", f"/admin/users/{aw.kari}/unlock").status_code == 204
    assert start_login(h, "kari").status_code == 200


def test_support_sees_the_failures_behind_a_lock_until_it_is_lifted(aw: AdminWorld) -> None:
    h = aw.h

    def status() -> tuple[int, str | None, bool]:
        s = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
        return s["failed_logins"], s["locked_until"], s["user"]["locked"]

    for _ in range(3):
        start_login(h, "kari", WRONG)
    failures, until, locked = status()
    assert (failures, locked) == (3, True) and until is not None
    assert _admin(aw, "support", "POST", f"/admin/users/{aw.kari}/unlock").status_code == 204
    assert status() == (0, None, False)
    # Locked again, and the lock runs out: the count shows until the next attempt, which
    # starts a new count (three more in a row lock it again, as before).
    for _ in range(3):
        start_login(h, "kari", WRONG)
    h.clock.advance(600)
    assert status() == (3, None, False)
    start_login(h, "kari", WRONG)
    assert status() == (1, None, False)
    start_login(h, "kari", WRONG)
    assert status()[2] is False
    start_login(h, "kari", WRONG)
    assert status()[0] == 3 and status()[2] is True


def test_support_resets_a_password_which_is_delivered_and_ends_sessions(aw: AdminWorld) -> None:
    h = aw.h
    r = _admin(aw, "support", "POST", f"/admin/users/{aw.kari}/reset-password")
    assert r.status_code == 204, r.text
    kari = user_row(h, "kari")
    [sms] = [m for m in sent_to(h, "sms", kari.person.mobile) if "passord" in m["body"]]
    temp = temporary_password_in(sms["body"])
    assert error(start_login(h, "kari", PASSWORD)) == (401, "invalid_credentials")
    assert error(h.client.get(f"{API}/me", headers=bearer(aw.tokens["kari"]))) == (
        401,
        "not_authenticated",
    )
    assert login_session(h, "kari", temp)["must_change_password"] is True
    status = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
    assert {d["purpose"] for d in status["deliveries"]} >= {"password_reset"}


def test_support_ends_an_accounts_sessions(aw: AdminWorld) -> None:
    h = aw.h
    other = login(h, "kari")
    r = _admin(aw, "support", "DELETE", f"/admin/users/{aw.kari}/sessions")
    assert r.status_code == 204
    for token in (aw.tokens["kari"], other):
        r = h.client.get(f"{API}/me", headers=bearer(token))
        assert error(r) == (401, "not_authenticated")
    status = _admin(aw, "support", "GET", f"/admin/users/{aw.kari}").json()
    assert status["sessions"] == []
    assert _admin(aw, "ola", "GET", "/me").status_code == 200  # others unaffected


def test_support_and_admins_read_no_plan_content(aw: AdminWorld) -> None:
    h = aw.h
    plan = add_plan(h, aw.unit, add_person(h, aw.unit, "Emma", "Lien"))
    add_participant(h, plan, user_row(h, "kari").person_id, PlanRole.COORDINATOR)
    for who in ("support", "lokaladmin"):
        for path in (f"/plans/{plan}", f"/plans/{plan}/participants", f"/plans/{plan}/log"):
            assert error(_admin(aw, who, "GET", path)) == (404, "not_found"), (who, path)
        assert _admin(aw, who, "GET", "/plans").json()["items"] == []


def test_local_admin_reopens_a_closed_plan_and_no_one_else_can(aw: AdminWorld) -> None:
    h = aw.h
    plan = add_plan(h, aw.unit, add_person(h, aw.unit, "Emma", "Lien"), closed=True)
    add_participant(h, plan, user_row(h, "kari").person_id, PlanRole.COORDINATOR)
    for who in ("kari", "support", "annenadmin"):
        r = _admin(aw, who, "POST", f"/plans/{plan}/reopen")
        assert error(r) == (404, "not_found"), who
    assert _admin(aw, "lokaladmin", "POST", f"/plans/{plan}/reopen").status_code in (200, 204)
    assert _admin(aw, "kari", "GET", f"/plans/{plan}").json()["closed"] is False


# --- the log ------------------------------------------------------------------------------


def test_logins_failures_and_lockouts_are_logged(org: Org) -> None:
    h = org.h
    login(h, "kari")
    start_login(h, "finnesikke", WRONG)
    for _ in range(3):
        start_login(h, "kari", WRONG)
    start_login(h, "kari")
    rows = [(r.username, r.action, (r.detail or {}).get("reason")) for r in audit_rows(h)]
    assert ("kari", "login_success", None) in rows
    assert ("finnesikke", "login_failed", "unknown_user") in rows
    assert rows.count(("kari", "login_failed", "wrong_password")) == 3
    assert ("kari", "account_locked", None) in rows
    assert ("kari", "login_locked", None) in rows
    assert all(r.at == h.clock.now() for r in audit_rows(h))


def test_reads_and_writes_of_plan_content_are_logged(pw: PlanWorld) -> None:
    h = pw.h
    _get(pw, pw.provider, f"/plans/{pw.plan}")
    home = _get(pw, pw.coordinator, f"/plans/{pw.plan}").json()
    _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"/plans/{pw.plan}",
        {"version": home["version"], "status_text": "Bedre"},
    )
    _get(pw, pw.coordinator, f"/plans/{pw.plan}/participants")
    me = _participants(pw)[pw.provider_pid]
    _send(
        pw,
        pw.coordinator,
        "PATCH",
        f"/plans/{pw.plan}/participants/{pw.provider_pid}",
        {"version": me["version"], "responsibility": "Skole"},
    )
    _send(pw, pw.coordinator, "DELETE", f"/plans/{pw.plan}/participants/{pw.provider_pid}")
    rows = [(r.username, r.role, r.action, r.object_type) for r in audit_rows(h, plan_id=pw.plan)]
    assert ("ola", "provider", "read", "home") in rows
    assert ("kari", "coordinator", "read", "home") in rows
    assert ("kari", "coordinator", "update", "home") in rows
    assert ("kari", "coordinator", "read", "participants") in rows
    assert ("kari", "coordinator", "participant_changed", "participant") in rows
    assert ("kari", "coordinator", "participant_removed", "participant") in rows
    # ...and the plan's log shows them to whoever has the log right, newest first.
    page = _get(pw, pw.coordinator, f"/plans/{pw.plan}/log").json()
    actions = [e["action"] for e in page["items"]]
    assert actions[0] == "participant_removed" and "update" in actions
    assert page["total"] == len(page["items"])


def test_denied_calls_change_nothing_in_the_log_of_another_plan(pw: PlanWorld) -> None:
    h = pw.h
    other = add_plan(h, pw.unit, add_person(h, pw.unit, "Noah", "Brekke"))
    _get(pw, pw.provider, f"/plans/{other}")
    assert audit_rows(h, plan_id=other) == []


def test_administration_and_support_actions_are_logged(aw: AdminWorld) -> None:
    h = aw.h
    _admin(aw, "lokaladmin", "POST", "/admin/users", new_user(aw.unit, email=HANNE))
    _admin(aw, "support", "GET", f"/admin/users/{aw.kari}")
    _admin(aw, "support", "POST", f"/admin/users/{aw.kari}/unlock")
    _admin(aw, "support", "DELETE", f"/admin/users/{aw.kari}/sessions")
    _admin(aw, "support", "POST", f"/admin/users/{aw.kari}/reset-password")
    rows = [(r.username, r.action, r.object_id) for r in audit_rows(h)]
    kari = str(aw.kari)
    assert any(u == "lokaladmin" and a == "user_created" for u, a, _ in rows)
    for action in ("account_viewed", "account_unlocked", "sessions_ended", "password_reset"):
        assert ("support", action, kari) in rows, action


def test_the_log_is_append_only_through_the_orm_too(org: Org) -> None:
    h = org.h
    start_login(h, "kari", WRONG)
    with pytest.raises(Exception, match="only ever added"), h.ctx.db.writing() as db:
        row = db.scalars(select(AuditLog)).first()
        assert row is not None
        row.action = "changed"
