"""The plan's completeness (§ 19): a plan past its end date is due for revision."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sampro_contract import PlanRole
from tests.server.conftest import Org
from tests.server.support import API, add_participant, add_person, add_plan, bearer, login


def items(org: Org, plan: int, token: str) -> dict[str, Any]:
    r = org.h.client.get(f"{API}/plans/{plan}/completeness", headers=bearer(token))
    assert r.status_code == 200, r.text
    return {i["key"]: i for i in r.json()["items"]}


def test_a_plan_past_its_end_date_asks_for_revision_at_home(org: Org) -> None:
    today = org.h.clock.now().date()
    owner = add_person(org.h, org.unit_id, "Emma", "Lien")
    plan = add_plan(
        org.h, org.unit_id, owner, start=today - timedelta(days=400), end=today + timedelta(days=1)
    )
    add_participant(org.h, plan, org.user.person_id, PlanRole.COORDINATOR)
    kari = login(org.h, "kari")

    first = items(org, plan, kari)
    assert first["revision"]["covered"] and first["period"]["covered"]

    org.h.clock.advance(days=2)  # the end date is now yesterday
    late = items(org, plan, login(org.h, "kari"))["revision"]
    assert not late["covered"]
    assert late["fix_in"] == "home"
    assert (today + timedelta(days=1)).isoformat() in late["message"]


def test_a_plan_without_dates_lacks_a_period_not_a_revision(org: Org) -> None:
    owner = add_person(org.h, org.unit_id, "Emma", "Lien")
    plan = add_plan(org.h, org.unit_id, owner)
    add_participant(org.h, plan, org.user.person_id, PlanRole.COORDINATOR)
    got = items(org, plan, login(org.h, "kari"))
    assert not got["period"]["covered"]
    assert got["revision"]["covered"]


def test_activities_say_how_they_are_carried_out(org: Org) -> None:
    """§ 19 f: each activity has a 'when' or a description."""
    owner = add_person(org.h, org.unit_id, "Emma", "Lien")
    plan = add_plan(org.h, org.unit_id, owner)
    add_participant(org.h, plan, org.user.person_id, PlanRole.COORDINATOR)
    kari = login(org.h, "kari")
    assert not items(org, plan, kari)["carried_out"]["covered"]

    def post(path: str, body: dict[str, Any]) -> Any:
        r = org.h.client.post(f"{API}/plans/{plan}{path}", headers=bearer(kari), json=body)
        assert r.status_code == 201, r.text
        return r.json()

    goal = post("/goals", {"title": "Bo for meg selv", "registered_on": "2026-01-10"})["id"]
    act = {"goal_id": goal, "date": "2026-02-01"}
    post("/activities", {**act, "title": "Matlaging", "when": "Tirsdager"})
    post("/activities", {**act, "title": "Søknad", "description": "Sammen med NAV"})
    assert items(org, plan, kari)["carried_out"]["covered"]
    post("/activities", {**act, "title": "Uten hvordan", "when": "  "})
    got = items(org, plan, kari)["carried_out"]
    assert not got["covered"] and got["fix_in"] == "goals"
    assert got["message"].startswith("1 activities say neither when nor how")
