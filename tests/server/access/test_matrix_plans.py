"""The access matrix: one table of (who, role, rights, consent, plan state) x every
plan-scoped route, asserting the call is allowed (and did what it says) or refused with
the exact code (and changed nothing).

Each case gets a fresh plan in a database shared by the module, so cases are independent
and the whole matrix runs in a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from sampro_contract import Access, PlanRole, Rights
from server.access.policy import ALL_WRITE
from server.accounts.models import UnitMembership
from server.participants.models import Participant
from server.plans.models import Plan, PlanArchive
from tests.conftest import Harness
from tests.server.access.conftest import World
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_unit,
    add_user,
    bearer,
    error,
)

# --- the table ------------------------------------------------------------------------------

# The routes, in the order of the expectation strings below.
ROUTES = [
    "GET home",
    "PATCH home",
    "PATCH home (stale version)",
    "POST archive",
    "POST close",
    "GET participants",
    "POST participant",
    "PATCH participant",
    "PATCH participant (stale version)",
    "DELETE participant",
    "GET persons",
    "GET log",
]

OUTCOMES = {
    "A": (0, "allowed"),
    "N": (404, "not_found"),
    "C": (403, "consent_expired"),
    "F": (403, "forbidden"),
    "X": (409, "plan_closed"),
    "V": (409, "version_conflict"),
}

WITH_LOG = Rights(goals=Access.READ, log=True)
PRESENTER = Rights(goals=Access.READ, edit_presentation=True, log=True)
PRESENTER_NO_LOG = Rights(edit_presentation=True)


@dataclass(frozen=True)
class Row:
    name: str
    who: str  # which account calls: "member" takes part as `role`; others take no part
    role: PlanRole | None
    rights: Rights | None  # None: the role's defaults
    consent: str  # "valid" | "today" | "expired" | "long_expired"
    plan: str  # "open" | "closed"
    removed: bool
    expect: str  # one letter per route in ROUTES


def row(
    name: str,
    expect: str,
    *,
    who: str = "member",
    role: PlanRole | None = None,
    rights: Rights | None = None,
    consent: str = "valid",
    plan: str = "open",
    removed: bool = False,
) -> Row:
    letters = expect.replace(" ", "")
    assert len(letters) == len(ROUTES), name
    return Row(name, who, role, rights, consent, plan, removed, letters)


C, OWN, R, P = PlanRole.COORDINATOR, PlanRole.OWNER, PlanRole.RELATIVE, PlanRole.PROVIDER

#            home edit stale archive close | list add edit stale remove persons | log
TABLE = [
    row("coordinator", "A A V A A  A A A V A A  A", role=C),
    row("coordinator, closed plan", "A X X X X  A X X X X X  A", role=C, plan="closed"),
    # An expired coordinator still administers the participants (to renew consent), and
    # opens the plan to get there (its header, not the owner's presentation).
    row("coordinator, consent expired", "A C C C C  A A A V A A  C", role=C, consent="expired"),
    row(
        "coordinator, consent expired, closed",
        "A C C C C  A X X X X X  C",
        role=C,
        consent="long_expired",
        plan="closed",
    ),
    row("coordinator, consent ends today", "A A V A A  A A A V A A  A", role=C, consent="today"),
    row("owner", "A A V F F  A F F F F F  A", role=OWN),
    row("owner, closed plan", "A X X F F  A F F F F F  A", role=OWN, plan="closed"),
    row("owner, consent expired", "C C C C C  C C C C C C  C", role=OWN, consent="expired"),
    row("relative, default rights", "A F F F F  A F F F F F  F", role=R),
    row("relative with the log right", "A F F F F  A F F F F F  A", role=R, rights=WITH_LOG),
    row("relative, closed plan", "A F F F F  A F F F F F  F", role=R, plan="closed"),
    row("provider, default rights", "A F F F F  A F F F F F  F", role=P),
    row("provider, edits presentation", "A A V F F  A F F F F F  A", role=P, rights=PRESENTER),
    row(
        "provider, edits presentation, closed",
        "A X X F F  A F F F F F  F",
        role=P,
        rights=PRESENTER_NO_LOG,
        plan="closed",
    ),
    row(
        "provider with every right (not coordinator)",
        "A A V F F  A F F F F F  A",
        role=P,
        rights=ALL_WRITE,
    ),
    row("provider, consent ends today", "A F F F F  A F F F F F  F", role=P, consent="today"),
    row("provider, consent expired", "C C C C C  C C C C C C  C", role=P, consent="expired"),
    row(
        "provider, consent expired, closed",
        "C C C C C  C C C C C C  C",
        role=P,
        consent="expired",
        plan="closed",
    ),
    row("removed participant", "N N N N N  N N N N N N  N", role=P, removed=True),
    row("removed coordinator", "N N N N N  N N N N N N  N", role=C, removed=True),
    row("user not taking part", "N N N N N  N N N N N N  N", who="outsider"),
    row("support, not taking part", "N N N N N  N N N N N N  N", who="support"),
    row("system administrator, not taking part", "N N N N N  N N N N N N  N", who="sysadmin"),
    row("local administrator of the unit", "N N N N N  N N N N N N  N", who="localadmin"),
    row(
        "local administrator, closed plan",
        "N N N N N  N N N N N N  N",
        who="localadmin",
        plan="closed",
    ),
]


# --- the world ------------------------------------------------------------------------------


@dataclass
class Case:
    plan: int
    target: int  # a provider in the plan, to change and remove
    extra_person: int  # a person of the unit, to add


def consent_date(state: str, today: date) -> date:
    return {
        "valid": today + timedelta(days=200),
        "today": today,
        "expired": today - timedelta(days=1),
        "long_expired": today - timedelta(days=100),
    }[state]


def make_case(w: World, r: Row) -> Case:
    h = w.h
    today = h.clock.today()
    owner = add_person(h, w.unit, "Plan", "Eier")
    plan = add_plan(h, w.unit, owner, closed=r.plan == "closed", version=3)
    if r.role != PlanRole.COORDINATOR:
        add_participant(h, plan, w.coordinator_person, PlanRole.COORDINATOR)
    if r.who == "member":
        assert r.role is not None
        if r.role == PlanRole.OWNER:  # the caller is the plan's owner
            with h.ctx.db.writing() as db:
                p = db.scalars(
                    select(Participant).where(
                        Participant.plan_id == plan, Participant.role == PlanRole.OWNER.value
                    )
                ).one()
                db.get_one(Plan, plan).owner_person_id = w.member_person
                p.person_id = w.member_person
                p.consent_expires = consent_date(r.consent, today)
                if r.rights is not None:
                    p.rights = r.rights.model_dump(mode="json")
        else:
            add_participant(
                h,
                plan,
                w.member_person,
                r.role,
                consent=consent_date(r.consent, today),
                rights=r.rights,
                removed=r.removed,
            )
    provider = add_person(h, w.unit, "Tjeneste", "Yter")
    target = add_participant(h, plan, provider, PlanRole.PROVIDER, version=3)
    extra = add_person(h, w.unit, "Ny", f"Deltaker{plan}")
    return Case(plan, target, extra)


def snapshot(h: Harness, plan_id: int) -> Any:
    """Everything a write could change in a plan."""
    with h.ctx.db.read_session() as db:
        plan = db.get_one(Plan, plan_id)
        archives = db.scalar(
            select(func.count()).select_from(PlanArchive).where(PlanArchive.plan_id == plan_id)
        )
        participants = db.execute(
            select(
                Participant.id,
                Participant.person_id,
                Participant.role,
                Participant.rights,
                Participant.consent_expires,
                Participant.responsibility,
                Participant.removed_at,
                Participant.version,
            )
            .where(Participant.plan_id == plan_id)
            .order_by(Participant.id)
        ).all()
        return (
            plan.version,
            plan.presentation,
            plan.status_text,
            plan.closed_at,
            plan.last_archived_at,
            archives,
            [tuple(p) for p in participants],
        )


# --- the calls, and what "allowed" must have done -----------------------------------------


Call = Callable[[World, Case, str], Any]


def _call(w: World, token: str, method: str, path: str, body: Any = None) -> Any:
    return w.h.client.request(method, f"{API}{path}", headers=bearer(token), json=body)


def _consent(w: World) -> str:
    return (w.h.clock.today() + timedelta(days=90)).isoformat()


CALLS: dict[str, Callable[[World, Case, str], Any]] = {
    "GET home": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.plan}"),
    "PATCH home": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.plan}", {"version": 3, "presentation": "Ny tekst"}
    ),
    "PATCH home (stale version)": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.plan}", {"version": 2, "presentation": "Gammel tekst"}
    ),
    "POST archive": lambda w, c, t: _call(w, t, "POST", f"/plans/{c.plan}/archive"),
    "POST close": lambda w, c, t: _call(w, t, "POST", f"/plans/{c.plan}/close"),
    "GET participants": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.plan}/participants"),
    "POST participant": lambda w, c, t: _call(
        w,
        t,
        "POST",
        f"/plans/{c.plan}/participants",
        {"person_id": c.extra_person, "role": "provider", "consent_expires": _consent(w)},
    ),
    "PATCH participant": lambda w, c, t: _call(
        w,
        t,
        "PATCH",
        f"/plans/{c.plan}/participants/{c.target}",
        {"version": 3, "responsibility": "Avlastning"},
    ),
    "PATCH participant (stale version)": lambda w, c, t: _call(
        w,
        t,
        "PATCH",
        f"/plans/{c.plan}/participants/{c.target}",
        {"version": 2, "responsibility": "Gammelt ansvar"},
    ),
    "DELETE participant": lambda w, c, t: _call(
        w, t, "DELETE", f"/plans/{c.plan}/participants/{c.target}"
    ),
    "GET persons": lambda w, c, t: _call(
        w, t, "GET", f"/plans/{c.plan}/persons?q=deltaker{c.plan}"
    ),
    "GET log": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.plan}/log"),
}


def check_allowed(w: World, c: Case, route: str, r: Any, before: Any) -> None:
    """The call succeeded, and its effect is in the database."""
    after = snapshot(w.h, c.plan)
    version, presentation, _status, closed_at, archived_at, archives, parts = after
    by_id = {p[0]: p for p in parts}
    now = w.h.clock.now()
    if route == "GET home":
        assert r.status_code == 200 and r.json()["id"] == c.plan
    elif route == "PATCH home":
        assert r.status_code == 200, r.text
        assert presentation == "Ny tekst" and version == 4
        assert r.json()["version"] == 4
    elif route == "POST archive":
        assert r.status_code == 200, r.text
        assert archives == before[5] + 1 and archived_at == now
    elif route == "POST close":
        assert r.status_code == 200, r.text
        assert closed_at == now and r.json()["closed"] is True
    elif route == "GET participants":
        assert r.status_code == 200
        assert c.target in {p["id"] for p in r.json()}
    elif route == "POST participant":
        assert r.status_code == 201, r.text
        assert any(p[1] == c.extra_person and p[2] == "provider" for p in parts)
    elif route == "PATCH participant":
        assert r.status_code == 200, r.text
        assert by_id[c.target][5] == "Avlastning" and by_id[c.target][7] == 4
    elif route == "DELETE participant":
        assert r.status_code == 204, r.text
        assert by_id[c.target][6] == now
    elif route == "GET persons":
        assert r.status_code == 200
        assert c.extra_person in {p["id"] for p in r.json()}
    elif route == "GET log":
        assert r.status_code == 200
        assert r.json()["total"] >= 0
    else:  # pragma: no cover
        raise AssertionError(route)
    if route.startswith("GET"):
        assert after == before


CASES = [
    pytest.param(r, route, r.expect[i], id=f"{r.name} | {route}")
    for r in TABLE
    for i, route in enumerate(ROUTES)
]


@pytest.mark.parametrize(("r", "route", "letter"), CASES)
def test_access(world: World, r: Row, route: str, letter: str) -> None:
    case = make_case(world, r)
    before = snapshot(world.h, case.plan)
    response = CALLS[route](world, case, world.tokens[r.who])
    status, code = OUTCOMES[letter]
    if letter == "A":
        check_allowed(world, case, route, response, before)
    else:
        assert error(response) == (status, code), response.text
        assert snapshot(world.h, case.plan) == before  # nothing overwritten


def test_the_table_covers_every_plan_scoped_route(world: World) -> None:
    spec = world.h.client.get(f"{API}/openapi.json").json()
    scoped = {
        (m.upper(), p)
        for p, ops in spec["paths"].items()
        for m in ops
        if p.startswith(f"{API}/plans/{{plan_id}}")
    }
    covered = {
        ("GET", f"{API}/plans/{{plan_id}}"),
        ("PATCH", f"{API}/plans/{{plan_id}}"),
        ("POST", f"{API}/plans/{{plan_id}}/archive"),
        ("POST", f"{API}/plans/{{plan_id}}/close"),
        ("GET", f"{API}/plans/{{plan_id}}/participants"),
        ("POST", f"{API}/plans/{{plan_id}}/participants"),
        ("PATCH", f"{API}/plans/{{plan_id}}/participants/{{participant_id}}"),
        ("DELETE", f"{API}/plans/{{plan_id}}/participants/{{participant_id}}"),
        ("GET", f"{API}/plans/{{plan_id}}/persons"),
        ("GET", f"{API}/plans/{{plan_id}}/log"),
    }
    # The plan's content has its own table (goals, activities, life areas, ...).
    from tests.server.access.test_matrix_goals_life_areas import COVERED as CONTENT_COVERED

    covered |= CONTENT_COVERED
    # Reopening is for the unit's local administrator, not the plan's participants.
    # Working together has its own table of the same rows (test_access_matrix_collab.py).
    from tests.server.access.test_matrix_messages_calendar import COVERED as COLLAB_COVERED

    covered |= COLLAB_COVERED
    reopen = {("POST", f"{API}/plans/{{plan_id}}/reopen")}
    assert scoped - reopen <= covered, scoped - reopen - covered


# --- nothing of plan B through plan A ------------------------------------------------------


def test_a_participant_of_plan_a_reaches_nothing_of_plan_b(world: World) -> None:
    h = world.h
    token = world.tokens["member"]
    mine = make_case(world, TABLE[0])  # the caller coordinates plan A
    other = make_case(world, row("x", "A" * len(ROUTES), who="outsider"))
    before = snapshot(h, other.plan)
    for route, call in CALLS.items():
        r = call(world, other, token)
        assert error(r) == (404, "not_found"), route
    # Plan B's participant, through plan A's routes.
    a, b = mine.plan, other.target
    for method, body in [
        ("PATCH", {"version": 3, "responsibility": "Kapret"}),
        ("DELETE", None),
    ]:
        r = _call(world, token, method, f"/plans/{a}/participants/{b}", body)
        assert error(r) == (404, "not_found"), method
    r = _call(world, token, "GET", f"/plans/{a}/participants")
    assert b not in {p["id"] for p in r.json()}
    assert snapshot(h, other.plan) == before


def test_a_coordinator_cannot_add_a_person_from_another_unit(world: World) -> None:
    h = world.h
    other_unit = add_unit(h, "Nabokommunen")
    stranger = add_person(h, other_unit, "Fremmed", "Person")
    mine = make_case(world, TABLE[0])
    r = _call(
        world,
        world.tokens["member"],
        "POST",
        f"/plans/{mine.plan}/participants",
        {"person_id": stranger, "role": "provider", "consent_expires": _consent(world)},
    )
    assert error(r) == (422, "validation_error")
    r = _call(world, world.tokens["member"], "GET", f"/plans/{mine.plan}/persons?q=fremmed")
    assert r.json() == []


def test_a_member_of_the_plans_unit_from_another_unit_can_be_added(world: World) -> None:
    """A teacher registered at the school who also works with the coordinating unit."""
    h = world.h
    school = add_unit(h, "Skolen")
    teacher = add_user(h, "laerer-flere-enheter", school, first="Lærer", last="Flerenhet")
    # Someone with an account only at the school has no tie to the plan's unit.
    add_user(h, "laerer-bare-skolen", school, first="Lærer", last="Flerskole")
    with h.ctx.db.writing() as db:
        db.add(UnitMembership(user_id=teacher.id, unit_id=world.unit, role="member"))
    mine = make_case(world, TABLE[0])
    r = _call(world, world.tokens["member"], "GET", f"/plans/{mine.plan}/persons?q=lærer")
    assert [p["id"] for p in r.json()] == [teacher.person_id]
    r = _call(
        world,
        world.tokens["member"],
        "POST",
        f"/plans/{mine.plan}/participants",
        {"person_id": teacher.person_id, "role": "provider", "consent_expires": _consent(world)},
    )
    assert r.status_code == 201, r.text
    assert r.json()["person"]["id"] == teacher.person_id
