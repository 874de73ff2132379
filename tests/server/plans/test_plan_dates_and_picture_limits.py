"""The plan's start and end (revision) dates on the home update route, and the picture
size refusal a person can read even for a file well over the limit."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sampro_contract import MAX_PICTURE_BYTES, PlanRole
from server.plans.models import Plan
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_plan,
    add_user,
    audit_rows,
    bearer,
    error,
    get_row,
    login,
)


@dataclass
class Home:
    h: Harness
    plan: int
    coordinator: str  # tokens
    owner: str
    provider: str

    def patch(self, token: str, body: dict[str, Any]) -> Any:
        return self.h.client.patch(f"{API}/plans/{self.plan}", headers=bearer(token), json=body)

    def version(self) -> int:
        return int(get_row(self.h, Plan, self.plan).version)


def make_home(org: Org) -> Home:
    h = org.h
    owner = add_user(h, "emma", org.unit_id)
    plan = add_plan(h, org.unit_id, owner.person_id)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    provider = add_user(h, "ola", org.unit_id)
    add_participant(h, plan, provider.person_id, PlanRole.PROVIDER)
    return Home(h, plan, login(h, "kari"), login(h, "emma"), login(h, "ola"))


@pytest.fixture
def home(org: Org) -> Home:
    return make_home(org)


def test_the_coordinator_sets_the_plan_period_and_it_is_logged(home: Home) -> None:
    r = home.patch(
        home.coordinator, {"version": 1, "start_date": "2026-01-15", "end_date": "2027-01-14"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["start_date"], body["end_date"], body["version"]) == (
        "2026-01-15",
        "2027-01-14",
        2,
    )
    plan = get_row(home.h, Plan, home.plan)
    assert (plan.start_date.isoformat(), plan.end_date.isoformat()) == ("2026-01-15", "2027-01-14")
    (row,) = [r for r in audit_rows(home.h, plan_id=home.plan, action="update")]
    assert row.object_type == "home" and row.username == "kari"
    assert row.detail["fields"] == ["start_date", "end_date"]
    assert row.detail["end_date"] == {"from": None, "to": "2027-01-14"}
    # Only the end date moves later: the start stays; presentation untouched.
    r = home.patch(home.coordinator, {"version": 2, "end_date": "2027-06-30"})
    assert r.status_code == 200, r.text
    assert (r.json()["start_date"], r.json()["end_date"]) == ("2026-01-15", "2027-06-30")
    assert r.json()["presentation"] == "Om meg"


def test_only_the_coordinator_changes_dates_the_owner_still_edits_the_presentation(
    home: Home,
) -> None:
    r = home.patch(home.owner, {"version": 1, "start_date": "2026-01-15"})
    assert error(r) == (403, "forbidden")
    assert "coordinator" in r.json()["error"]["message"]
    assert home.version() == 1 and get_row(home.h, Plan, home.plan).start_date is None
    # A provider has no home write right at all.
    assert error(home.patch(home.provider, {"version": 1, "end_date": "2027-01-01"}))[0] == 403
    r = home.patch(home.owner, {"version": 1, "presentation": "Jeg liker å gå tur."})
    assert r.status_code == 200, r.text
    assert r.json()["presentation"] == "Jeg liker å gå tur." and r.json()["start_date"] is None


def test_an_end_before_the_start_is_refused_naming_the_field(home: Home) -> None:
    r = home.patch(
        home.coordinator, {"version": 1, "start_date": "2026-05-01", "end_date": "2026-04-30"}
    )
    assert error(r) == (422, "validation_error")
    assert set(r.json()["error"]["details"]["fields"]) == {"end_date"}
    assert home.version() == 1
    # Against the stored start: the end alone is checked too.
    home.patch(home.coordinator, {"version": 1, "start_date": "2026-05-01"})
    r = home.patch(home.coordinator, {"version": 2, "end_date": "2026-01-01"})
    assert set(r.json()["error"]["details"]["fields"]) == {"end_date"}
    r = home.patch(home.coordinator, {"version": 2, "end_date": "2026-05-01"})  # same day: fine
    assert r.status_code == 200, r.text
    # A start moved past the stored end names the start.
    r = home.patch(home.coordinator, {"version": 3, "start_date": "2026-05-02"})
    assert set(r.json()["error"]["details"]["fields"]) == {"start_date"}
    r = home.patch(home.coordinator, {"version": 3, "end_date": "1. mai"})
    assert error(r) == (422, "validation_error")
    assert "end_date" in r.json()["error"]["details"]["fields"]


def test_a_stale_version_changes_no_date(home: Home) -> None:
    assert (
        home.patch(home.coordinator, {"version": 1, "status_text": "Ny status"}).status_code == 200
    )
    r = home.patch(home.coordinator, {"version": 1, "end_date": "2027-01-01"})
    assert error(r) == (409, "version_conflict")
    assert get_row(home.h, Plan, home.plan).end_date is None and home.version() == 2


def test_dates_on_a_closed_plan_are_refused(org: Org) -> None:
    h = org.h
    owner = add_user(h, "emma", org.unit_id)
    plan = add_plan(h, org.unit_id, owner.person_id, closed=True)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    r = h.client.patch(
        f"{API}/plans/{plan}",
        headers=bearer(login(h, "kari")),
        json={"version": 1, "end_date": "2027-01-01"},
    )
    assert error(r) == (409, "plan_closed")


def test_the_period_on_each_backend(make_org: Callable[..., Org], db_url: str) -> None:
    home = make_home(make_org(db_url))
    r = home.patch(
        home.coordinator, {"version": 1, "start_date": "2026-02-01", "end_date": "2026-12-31"}
    )
    assert r.status_code == 200, r.text
    assert error(home.patch(home.coordinator, {"version": 1, "end_date": "2027-01-01"})) == (
        409,
        "version_conflict",
    )


# --- pictures: over the limit, the route's own sentence -------------------------------------


def test_a_picture_well_over_the_limit_gets_the_routes_own_message(home: Home) -> None:
    goal = home.h.client.post(
        f"{API}/plans/{home.plan}/goals",
        headers=bearer(home.coordinator),
        json={"title": "Bo for meg selv", "registered_on": "2026-01-10"},
    ).json()
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024)  # about 3 MB: over the 2 MB limit
    assert len(data) > MAX_PICTURE_BYTES
    r = home.h.client.put(
        f"{API}/plans/{home.plan}/goals/{goal['id']}/picture",
        headers=bearer(home.coordinator),
        json={"version": goal["version"], "data_base64": base64.b64encode(data).decode()},
    )
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["fields"] == {
        "data_base64": "the picture is 3.0 MB; at most 2 MB is allowed"
    }
