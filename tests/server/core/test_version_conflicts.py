"""Unique names and keys: a clash is a clear 409 naming the field, never a 500, also when
two requests race (on PostgreSQL the database's unique rule decides)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sampro_contract import PlanRole
from server.accounts.models import Person, UserAccount
from server.app import create_app
from server.profile.models import Draft
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    error,
    login,
    new_user,
)


def _new_user(org: Org, token: str, username: str, first: str = "Hanne") -> httpx.Response:
    body = new_user(org.unit_id, username, first_name=first, email="h@example.invalid")
    return org.h.client.post(f"{API}/admin/users", json=body, headers=bearer(token))


def _count(org: Org, model: type[Any]) -> int:
    with org.h.ctx.db.read_session() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_taken_username_is_a_409_naming_username_and_nothing_is_stored(org: Org) -> None:
    h = org.h
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    token = login(h, "lokaladmin")
    assert _new_user(org, token, "hanne").status_code == 201
    people = _count(org, Person)
    for same in ("hanne", "HANNE", "  Hanne "):
        r = _new_user(org, token, same, first="Annen")
        assert error(r) == (409, "username_taken"), same
        assert r.json()["error"]["details"]["fields"] == {"username": "taken"}
        assert "hanne" in r.json()["error"]["message"]
    assert _count(org, Person) == people  # the new person was not kept either
    assert _new_user(org, token, "hanne2").status_code == 201


def test_a_new_participant_with_a_taken_username_is_a_409_naming_username(org: Org) -> None:
    h = org.h
    plan = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Emma", "Lien"))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    body = {
        "person": {"first_name": "Per", "last_name": "Berg", "mobile": "41234567"},
        "create_account": True,
        "username": "kari",
        "role": "provider",
        "consent_expires": h.clock.today().replace(year=h.clock.today().year + 1).isoformat(),
    }
    r = h.client.post(
        f"{API}/plans/{plan}/participants", json=body, headers=bearer(login(h, "kari"))
    )
    assert error(r) == (409, "username_taken")
    assert r.json()["error"]["details"]["fields"] == {"username": "taken"}


def _race(n: int, make_call: Callable[[TestClient], httpx.Response], org: Org) -> list[int]:
    """n requests at once, each on its own client (its own connection to the app)."""
    app = create_app(ctx=org.h.ctx)
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(n)]
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    bodies: list[str] = []

    def run(client: TestClient) -> None:
        barrier.wait()
        r = make_call(client)
        statuses.append(r.status_code)
        bodies.append(r.text)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for c in clients:
        c.close()
    assert 500 not in statuses, bodies
    return statuses


def test_the_same_draft_saved_at_once_is_one_draft(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(url=db_url)
    token = login(org.h, "kari")

    def save(client: TestClient) -> httpx.Response:
        body = {"kind": "note", "plan_id": None, "payload": {"text": "samtidig"}}
        return client.put(f"{API}/me/drafts/same-key", json=body, headers=bearer(token))

    for _ in range(3):
        assert _race(6, save, org) == [200] * 6
    assert _count(org, Draft) == 1


def test_the_same_username_chosen_at_once_is_given_once(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(url=db_url)
    add_user(org.h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    token = login(org.h, "lokaladmin")

    def create(client: TestClient) -> httpx.Response:
        body = {
            "unit_id": org.unit_id,
            "username": "samtidig",
            "channel": "email",
            "person": {"first_name": "Sam", "last_name": "Tidig", "email": "s@example.invalid"},
        }
        return client.post(f"{API}/admin/users", json=body, headers=bearer(token))

    statuses = _race(6, create, org)
    assert sorted(statuses) == [201] + [409] * 5, statuses
    with org.h.ctx.db.read_session() as db:
        names = db.scalars(select(UserAccount.username)).all()
    assert names.count("samtidig") == 1


@pytest.mark.parametrize("first", ["Kari"])
def test_a_generated_username_never_clashes(org: Org, first: str) -> None:
    """Without a username one is made from the e-mail or the name, numbered if taken."""
    h = org.h
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    plan = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Emma", "Lien"))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    made = []
    for _ in range(2):
        body = {
            "person": {"first_name": first, "last_name": "Berg", "mobile": "41234567"},
            "create_account": True,
            "role": "provider",
            "consent_expires": "2100-01-01",
        }
        r = h.client.post(f"{API}/plans/{plan}/participants", json=body, headers=bearer(token))
        assert r.status_code == 201, r.text
        made.append(r.json()["person"]["id"])
    with h.ctx.db.read_session() as db:
        names = set(
            db.scalars(select(UserAccount.username).where(UserAccount.person_id.in_(made))).all()
        )
    assert names == {"kari.berg", "kari.berg2"}
