"""Creating plans: who may, with a new or an existing owner, and the owner's account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_person,
    add_unit,
    add_user,
    bearer,
    error,
    login,
    login_session,
    sent_to,
    temporary_password_in,
)


def _plan(org: Org, **fields: Any) -> dict[str, Any]:
    today = org.h.clock.today()
    body: dict[str, Any] = {
        "unit_id": org.unit_id,
        "type": "IP",
        "short_name": "IP habilitering",
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=365)).isoformat(),
        "owner_consent_expires": (today + timedelta(days=365)).isoformat(),
        "owner": {"first_name": "Emma", "last_name": "Lien", "mobile": "41234567"},
    }
    body.update(fields)
    return body


def _create(org: Org, token: str, body: dict[str, Any]) -> Any:
    return org.h.client.post(f"{API}/plans", json=body, headers=bearer(token))


def test_a_unit_coordinator_creates_a_plan_and_coordinates_it(org: Org) -> None:
    h = org.h
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    token = login(h, "koord")
    r = _create(org, token, _plan(org))
    assert r.status_code == 201, r.text
    plan = r.json()["id"]
    home = h.client.get(f"{API}/plans/{plan}", headers=bearer(token)).json()
    assert home["me"]["role"] == "coordinator" and home["me"]["is_coordinator"] is True
    assert home["owner"]["first_name"] == "Emma" and home["type"] == "IP"
    listed = h.client.get(f"{API}/plans", headers=bearer(token)).json()["items"]
    assert [p["id"] for p in listed] == [plan]
    assert listed[0]["consent_days"] == 365


def test_members_and_other_units_coordinators_cannot_create_plans(org: Org) -> None:
    h = org.h
    other = add_unit(h, "Nabokommunen")
    add_user(h, "fremmed", other, unit_role="coordinator")
    for name in ("kari", "fremmed"):
        r = _create(org, login(h, name), _plan(org))
        assert error(r) == (403, "forbidden"), name
    r = h.client.get(f"{API}/plans", headers=bearer(login(h, "kari")))
    assert r.json()["total"] == 0


def test_a_plan_with_an_existing_owner_and_bad_dates(org: Org) -> None:
    h = org.h
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    token = login(h, "koord")
    owner = add_person(h, org.unit_id, "Noah", "Brekke")
    body = _plan(org, owner=None, owner_person_id=owner)
    assert _create(org, token, body).status_code == 201
    today = h.clock.today()
    r = _create(org, token, _plan(org, end_date=(today - timedelta(days=1)).isoformat()))
    assert error(r) == (422, "validation_error")
    assert "end_date" in r.json()["error"]["details"]["fields"]
    stranger = add_person(h, add_unit(h, "Annen"), "Fremmed", "Person")
    r = _create(org, token, _plan(org, owner=None, owner_person_id=stranger))
    assert error(r) == (422, "validation_error")
    r = _create(org, token, _plan(org, owner=None))
    assert error(r) == (422, "validation_error")
    r = _create(org, token, _plan(org, type="XYZ", short_name=""))
    assert set(r.json()["error"]["details"]["fields"]) == {"type", "short_name"}


def test_the_owner_may_be_a_member_of_the_unit_registered_elsewhere(org: Org) -> None:
    from server.accounts.models import UnitMembership

    h = org.h
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    token = login(h, "koord")
    school = add_unit(h, "Skolen")
    member = add_user(h, "elev", school, first="Elev", last="Flerenhet")
    only_school = add_user(h, "elev2", school, first="Elev", last="Bareskole")
    with h.ctx.db.writing() as db:
        db.add(UnitMembership(user_id=member.id, unit_id=org.unit_id, role="member"))
    r = _create(org, token, _plan(org, owner=None, owner_person_id=only_school.person_id))
    assert error(r) == (422, "validation_error")
    assert "owner_person_id" in r.json()["error"]["details"]["fields"]
    r = _create(org, token, _plan(org, owner=None, owner_person_id=member.person_id))
    assert r.status_code == 201, r.text
    home = h.client.get(f"{API}/plans/{r.json()['id']}", headers=bearer(token)).json()
    assert home["owner"]["last_name"] == "Flerenhet"


def test_the_owner_can_get_an_account_with_a_temporary_password(org: Org) -> None:
    h = org.h
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    token = login(h, "koord")
    r = _create(org, token, _plan(org, owner_channel="sms"))
    assert r.status_code == 201, r.text
    [sms] = sent_to(h, "sms", "41234567")
    username = sms["body"].split("Brukernavn: ", 1)[1].split(". Midlertidig", 1)[0]
    assert username == "emma.lien"
    session = login_session(h, username, temporary_password_in(sms["body"]))
    assert session["must_change_password"] is True


def test_a_local_administrator_names_another_coordinator(org: Org) -> None:
    h = org.h
    koord = add_user(h, "koord", org.unit_id, unit_role="coordinator")
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    admin = login(h, "lokaladmin")
    r = _create(org, admin, _plan(org, coordinator_user_id=koord.id))
    assert r.status_code == 201, r.text
    plan = r.json()["id"]
    assert h.client.get(f"{API}/plans/{plan}", headers=bearer(admin)).status_code == 404
    home = h.client.get(f"{API}/plans/{plan}", headers=bearer(login(h, "koord"))).json()
    assert home["me"]["role"] == "coordinator"
    # A coordinator cannot hand a new plan to someone else.
    r = _create(org, login(h, "koord"), _plan(org, coordinator_user_id=org.user.id))
    assert error(r) == (403, "forbidden")
