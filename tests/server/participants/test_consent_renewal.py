"""When the owner's consent runs out, the coordinator can still renew it (and nothing
else of the plan is read until they do); the owner's and the coordinator's roles are
not changed through the participants route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from sampro_contract import PlanRole
from tests.conftest import Harness
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
    owner_participant,
)


@dataclass
class World:
    h: Harness
    plan: int
    owner_pid: int
    coordinator_pid: int
    provider_pid: int
    coordinator: str  # token
    provider: str  # token


@pytest.fixture
def world(org: Org) -> World:
    """kari coordinates a plan whose owner's consent (and hers, taken from it when the
    plan was made) ends in 10 days; ola is a provider until later."""
    h = org.h
    today = h.clock.today()
    owner = add_person(h, org.unit_id, "Emma", "Lien")
    consent = today + timedelta(days=10)
    plan = add_plan(h, org.unit_id, owner, owner_consent=consent)
    cpid = add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR, consent=consent)
    ola = add_user(h, "ola", org.unit_id)
    ppid = add_participant(
        h, plan, ola.person_id, PlanRole.PROVIDER, consent=today + timedelta(days=400)
    )
    return World(h, plan, owner_participant(h, plan), cpid, ppid, login(h, "kari"), login(h, "ola"))


def _pass_days(w: World, days: int) -> None:
    """Move the clock on and log in again (the sessions have long since ended)."""
    w.h.clock.advance(days=days)
    w.coordinator, w.provider = login(w.h, "kari"), login(w.h, "ola")


def _call(w: World, token: str, method: str, path: str, body: Any = None) -> httpx.Response:
    return w.h.client.request(
        method, f"{API}/plans/{w.plan}{path}", headers=bearer(token), json=body
    )


def _participants(w: World) -> dict[int, dict[str, Any]]:
    r = _call(w, w.coordinator, "GET", "/participants")
    assert r.status_code == 200, r.text
    return {p["id"]: p for p in r.json()}


def test_the_coordinator_renews_the_owners_expired_consent_and_access_returns(
    world: World,
) -> None:
    w = world
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        "",
        {
            "version": _call(w, w.coordinator, "GET", "").json()["version"],
            "presentation": "Fotball",
        },
    )
    assert r.status_code == 200, r.text
    assert _call(w, w.coordinator, "GET", "/goals").status_code == 200
    _pass_days(w, 11)  # the owner's consent, and so the coordinator's, has run out
    for path in ("/goals", "/log", "/messages", "/events", "/home-feed", "/timeline"):
        assert error(_call(w, w.coordinator, "GET", path)) == (403, "consent_expired"), path
    # The plan stays in the coordinator's list (marked as expired) and opens to its
    # header, without the owner's presentation, so that the consent can be renewed.
    listed = w.h.client.get(f"{API}/plans", headers=bearer(w.coordinator)).json()["items"]
    assert [(p["id"], p["consent_days"] < 0) for p in listed] == [(w.plan, True)]
    provider_list = w.h.client.get(f"{API}/plans", headers=bearer(w.provider)).json()["items"]
    assert [p["id"] for p in provider_list] == [w.plan]  # ola's own consent is valid
    header = _call(w, w.coordinator, "GET", "")
    assert header.status_code == 200, header.text
    assert header.json()["presentation"] == ""
    assert header.json()["me"]["consent_valid"] is False
    assert error(
        _call(
            w, w.coordinator, "PATCH", "", {"version": header.json()["version"], "status_text": "x"}
        )
    ) == (403, "consent_expired")
    # ... but the participants, where consent is renewed, are still administered.
    rows = _participants(w)
    assert rows[w.owner_pid]["consent_valid"] is False
    renewed = (w.h.clock.today() + timedelta(days=365)).isoformat()
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.owner_pid}",
        {"version": rows[w.owner_pid]["version"], "consent_expires": renewed},
    )
    assert r.status_code == 200, r.text
    assert r.json()["consent_valid"] is True
    # The coordinator's consent follows the owner's: the plan's content is open again.
    rows = _participants(w)
    assert rows[w.coordinator_pid]["consent_expires"] == renewed
    assert rows[w.coordinator_pid]["consent_valid"] is True
    assert _call(w, w.coordinator, "GET", "/goals").status_code == 200
    home = _call(w, w.coordinator, "GET", "").json()
    assert (home["presentation"], home["me"]["consent_valid"]) == ("Fotball", True)


def test_withdrawing_the_owners_consent_withdraws_the_coordinators_content_access(
    world: World,
) -> None:
    w = world
    rows = _participants(w)
    past = (w.h.clock.today() - timedelta(days=1)).isoformat()
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.owner_pid}",
        {"version": rows[w.owner_pid]["version"], "consent_expires": past},
    )
    assert r.status_code == 200, r.text
    assert error(_call(w, w.coordinator, "GET", "/goals")) == (403, "consent_expired")
    assert _participants(w)[w.coordinator_pid]["consent_valid"] is False
    # Another participant's own consent is theirs: ola still reads the plan.
    assert _call(w, w.provider, "GET", "/goals").status_code == 200


def test_other_participants_with_expired_consent_reach_nothing_not_even_the_list(
    world: World,
) -> None:
    w = world
    _pass_days(w, 500)
    for path in ("", "/goals", "/participants"):
        assert error(_call(w, w.provider, "GET", path)) == (403, "consent_expired"), path
    rows = _participants(w)  # the coordinator still sees them, and renews them
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.provider_pid}",
        {
            "version": rows[w.provider_pid]["version"],
            "consent_expires": (w.h.clock.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    assert _call(w, w.provider, "GET", "/goals").status_code == 200


@pytest.mark.parametrize("new_role", ["relative", "provider", "owner"])
def test_the_coordinator_cannot_change_their_own_role(world: World, new_role: str) -> None:
    w = world
    version = _participants(w)[w.coordinator_pid]["version"]
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.coordinator_pid}",
        {"version": version, "role": new_role},
    )
    assert error(r) == (422, "validation_error")
    assert "role" in r.json()["error"]["details"]["fields"]
    assert _participants(w)[w.coordinator_pid]["role"] == "coordinator"
    assert _call(w, w.coordinator, "GET", "/goals").status_code == 200


@pytest.mark.parametrize("new_role", ["relative", "provider", "coordinator"])
def test_the_owners_role_cannot_be_changed(world: World, new_role: str) -> None:
    w = world
    version = _participants(w)[w.owner_pid]["version"]
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.owner_pid}",
        {"version": version, "role": new_role},
    )
    assert error(r) == (422, "validation_error")
    assert "role" in r.json()["error"]["details"]["fields"]
    assert _participants(w)[w.owner_pid]["role"] == "owner"


def test_nobody_is_made_coordinator_or_owner_here_but_relative_and_provider_swap(
    world: World,
) -> None:
    w = world
    for role in ("coordinator", "owner"):
        version = _participants(w)[w.provider_pid]["version"]
        r = _call(
            w,
            w.coordinator,
            "PATCH",
            f"/participants/{w.provider_pid}",
            {"version": version, "role": role},
        )
        assert error(r) == (422, "validation_error"), role
        assert "role" in r.json()["error"]["details"]["fields"]
    version = _participants(w)[w.provider_pid]["version"]
    r = _call(
        w,
        w.coordinator,
        "PATCH",
        f"/participants/{w.provider_pid}",
        {"version": version, "role": "relative"},
    )
    assert r.status_code == 200 and r.json()["role"] == "relative"
