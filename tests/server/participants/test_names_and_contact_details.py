"""Names are checked after stripping (blank is refused), contact details have a format,
and an address that would inject mail headers is a failed delivery, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from sampro_contract import PlanRole
from server.accounts.models import Person
from server.notifications.models import Delivery
from server.plans.models import Plan
from tests.server.conftest import Org
from tests.server.support import (
    API,
    Inbox,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    error,
    login,
    new_user,
    start_login,
)

BLANKS = ["", "  ", "\t \n"]


def _fields(r: httpx.Response) -> dict[str, str]:
    assert error(r) == (422, "validation_error"), r.text
    fields: dict[str, str] = r.json()["error"]["details"]["fields"]
    return fields


@pytest.fixture
def admin(org: Org) -> str:
    add_user(org.h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    return login(org.h, "lokaladmin")


def _new_user(org: Org, token: str, **person: Any) -> httpx.Response:
    body = new_user(org.unit_id, **person)
    return org.h.client.post(f"{API}/admin/users", json=body, headers=bearer(token))


def _people(org: Org) -> list[Person]:
    with org.h.ctx.db.read_session() as db:
        return list(db.scalars(select(Person)).all())


@pytest.mark.parametrize("field", ["first_name", "last_name"])
@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_name_is_refused_naming_the_field(
    org: Org, admin: str, field: str, blank: str
) -> None:
    before = len(_people(org))
    fields = _fields(_new_user(org, admin, **{field: blank}))
    assert f"person.{field}" in fields
    assert len(_people(org)) == before  # nothing stored


def test_names_are_stored_stripped(org: Org, admin: str) -> None:
    r = _new_user(org, admin, first_name="  Hanne ", last_name=" Kvalvik\t")
    assert r.status_code == 201, r.text
    assert (r.json()["first_name"], r.json()["last_name"]) == ("Hanne", "Kvalvik")


@pytest.mark.parametrize(
    "email",
    [
        "hanne@example.invalid\nBcc: alle@example.invalid",
        "hanne@example.invalid\r\nSubject: x",
        "hanne",
        "hanne@",
        "@example.invalid",
        "hanne@localhost",
        "han ne@example.invalid",
        "a@b@example.invalid",
    ],
)
def test_an_email_address_has_a_format(org: Org, admin: str, email: str) -> None:
    fields = _fields(_new_user(org, admin, email=email))
    assert "person.email" in fields and "e-mail" in fields["person.email"]


@pytest.mark.parametrize("field", ["mobile", "phone"])
@pytest.mark.parametrize("number", ["12ab5678", "+", "9123\n4567", "++4791234567", "(0)123"])
def test_a_phone_number_has_a_format(org: Org, admin: str, field: str, number: str) -> None:
    fields = _fields(_new_user(org, admin, **{field: number}))
    assert f"person.{field}" in fields and "digits" in fields[f"person.{field}"]


def test_usual_numbers_and_addresses_pass(org: Org, admin: str) -> None:
    r = _new_user(
        org,
        admin,
        email=" Hanne.Kvalvik+ip@kommune.example.no ",
        mobile="+47 912 34 567",
        phone="22-33-44-55",
    )
    assert r.status_code == 201, r.text
    [person] = [p for p in _people(org) if p.first_name == "Hanne"]
    assert person.email == "Hanne.Kvalvik+ip@kommune.example.no"
    assert (person.mobile, person.phone) == ("+47 912 34 567", "22-33-44-55")


def test_a_new_participants_blank_name_or_bad_contact_is_refused(org: Org) -> None:
    h = org.h
    plan = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Emma", "Lien"))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    consent = (h.clock.today() + timedelta(days=90)).isoformat()
    for person, field in (
        ({"first_name": " ", "last_name": "Berg"}, "person.first_name"),
        ({"first_name": "Per", "last_name": "Berg", "mobile": "ring meg"}, "person.mobile"),
    ):
        body = {"person": person, "role": "provider", "consent_expires": consent}
        r = h.client.post(f"{API}/plans/{plan}/participants", json=body, headers=bearer(token))
        assert field in _fields(r)


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_plan_short_name_is_refused(org: Org, blank: str) -> None:
    h = org.h
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    today = h.clock.today()
    body = {
        "unit_id": org.unit_id,
        "type": "IP",
        "short_name": blank,
        "owner_consent_expires": (today + timedelta(days=365)).isoformat(),
        "owner_person_id": add_person(h, org.unit_id, "Noah", "Brekke"),
    }
    r = h.client.post(f"{API}/plans", json=body, headers=bearer(login(h, "koord")))
    assert "short_name" in _fields(r)
    with h.ctx.db.read_session() as db:
        assert db.scalars(select(Plan)).all() == []


# --- delivery: an address already on a card that would inject headers ------------------


@pytest.mark.parametrize(
    "address",
    [
        "epost@example.invalid\nBcc: inntrenger@example.invalid",
        "epost@example.invalid, inntrenger@example.invalid",
        "Navn <inntrenger@example.invalid>",
    ],
)
def test_an_address_that_could_add_headers_or_recipients_is_a_failed_delivery(
    make_org: Callable[..., Org], smtp: tuple[int, Inbox], address: str
) -> None:
    port, inbox = smtp
    org = make_org(email=f"smtp://127.0.0.1:{port}")
    h = org.h
    # Stored before addresses were checked: it goes straight onto the card.
    user = add_user(h, "epost", org.unit_id, channel="email", email=address)
    r = start_login(h, "epost")
    assert error(r) == (503, "delivery_failed")
    with h.ctx.db.read_session() as db:
        [delivery] = db.scalars(select(Delivery).where(Delivery.user_id == user.id)).all()
    assert delivery.status == "failed" and delivery.error
    assert not inbox.arrived.wait(0.5)
    # A good address on the same server still works (the server was reachable).
    add_user(h, "god", org.unit_id, channel="email", email="god@example.invalid")
    assert start_login(h, "god").status_code == 200
    assert inbox.arrived.wait(5)
    assert inbox.recipients == [["god@example.invalid"]]


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_unit_name_is_refused(org: Org, blank: str) -> None:
    h = org.h
    add_user(h, "sysadm", org.unit_id, system_role="sysadmin", channel="email")
    token = login(h, "sysadm")
    r = h.client.post(f"{API}/admin/units", json={"name": blank}, headers=bearer(token))
    assert "name" in _fields(r)
    r = h.client.post(f"{API}/admin/units", json={"name": "  Skolen "}, headers=bearer(token))
    assert r.status_code == 201 and r.json()["name"] == "Skolen"
