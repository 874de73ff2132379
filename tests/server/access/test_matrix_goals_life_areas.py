"""The access matrix for the plan's content (goals, activities, comments, life areas,
professional plans, completeness): one table of (who, role, rights, consent, plan state) x
every content route. Allowed calls must have done something (writes) or nothing (reads);
refused calls answer the exact code and change nothing.

It builds on the core matrix's world and plans (`tests/server/test_access_matrix.py`), and
its coverage check there includes `COVERED` from here.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from sampro_contract import Access, PlanRole, Rights
from server.access.policy import ALL_WRITE
from server.goals.models import Activity, Comment, Goal, GoalPicture
from server.life_areas.models import LifeAreaText
from server.participants.models import Participant
from server.professional_plans.models import ProfessionalPlan
from tests.server.access import test_matrix_plans as core
from tests.server.support import API, bearer, error

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
P = f"{API}/plans/{{plan_id}}"

# A whole 1x1 GIF: the route checks a picture's structure, not only its first bytes.
GIF_1X1 = "R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="

# (name, method, path template, body); the order of the expectation letters below.
ROUTES: list[tuple[str, str, str, Any]] = [
    ("GET goals", "GET", "/goals", None),
    ("POST goal", "POST", "/goals", {"title": "Nytt mål", "registered_on": "2026-01-01"}),
    ("GET goal", "GET", "/goals/{goal}", None),
    ("PATCH goal", "PATCH", "/goals/{goal}", {"version": 3, "progress": 50}),
    ("PATCH goal (stale)", "PATCH", "/goals/{goal}", {"version": 2, "progress": 10}),
    ("DELETE goal", "DELETE", "/goals/{goal}", None),
    ("POST goal move", "POST", "/goals/{goal}/move", {"position": 1}),
    ("POST goal to history", "POST", "/goals/{goal}/history", None),
    ("POST goal restore", "POST", "/goals/{old_goal}/restore", None),
    ("PUT picture", "PUT", "/goals/{goal}/picture", {"version": 3, "data_base64": GIF_1X1}),
    ("GET picture", "GET", "/goals/{goal}/picture", None),
    ("DELETE picture", "DELETE", "/goals/{goal}/picture?version=3", None),
    ("GET activities", "GET", "/activities", None),
    (
        "POST activity",
        "POST",
        "/activities",
        {"goal_id": "{goal}", "title": "Ny aktivitet", "date": "2026-02-01"},
    ),
    ("GET activity", "GET", "/activities/{activity}", None),
    ("PATCH activity", "PATCH", "/activities/{activity}", {"version": 3, "status": "done"}),
    ("PATCH activity (stale)", "PATCH", "/activities/{activity}", {"version": 2, "title": "X"}),
    ("DELETE activity", "DELETE", "/activities/{activity}", None),
    (
        "POST activity move",
        "POST",
        "/activities/{activity}/move",
        {"goal_id": "{goal2}", "position": 0},
    ),
    ("POST goal comment", "POST", "/comments", {"goal_id": "{goal}", "body": "Fint"}),
    ("POST activity comment", "POST", "/comments", {"activity_id": "{activity}", "body": "Fint"}),
    ("PATCH own comment", "PATCH", "/comments/{comment}", {"version": 1, "body": "Rettet"}),
    ("DELETE own comment", "DELETE", "/comments/{comment}", None),
    ("GET life areas", "GET", "/life-areas", None),
    ("GET life area", "GET", "/life-areas/health", None),
    ("PUT life area", "PUT", "/life-areas/health", {"version": 3, "description": "Ny tekst"}),
    ("PUT life area (stale)", "PUT", "/life-areas/health", {"version": 2, "description": "Gammel"}),
    ("GET professional plans", "GET", "/professional-plans", None),
    ("POST professional plan", "POST", "/professional-plans", {"name": "Habiliteringsplan"}),
    (
        "PATCH professional plan",
        "PATCH",
        "/professional-plans/{fag}",
        {"version": 3, "contact": "Fastlegen"},
    ),
    (
        "PATCH professional plan (stale)",
        "PATCH",
        "/professional-plans/{fag}",
        {"version": 2, "contact": "Gammel"},
    ),
    ("DELETE professional plan", "DELETE", "/professional-plans/{fag}", None),
    ("GET completeness", "GET", "/completeness", None),
]

PATHS = {
    "goal": "/goals/{goal_id}",
    "activity": "/activities/{activity_id}",
    "comment": "/comments/{comment_id}",
    "old_goal": "/goals/{goal_id}",
    "fag": "/professional-plans/{professional_plan_id}",
}

# Every (method, OpenAPI path) the table exercises, for the core matrix's coverage check.
COVERED = {
    (
        method,
        P
        + path.split("?")[0]
        .replace("/health", "/{area}")
        .replace("{goal}", "{goal_id}")
        .replace("{old_goal}", "{goal_id}")
        .replace("{activity}", "{activity_id}")
        .replace("{comment}", "{comment_id}")
        .replace("{fag}", "{professional_plan_id}"),
    )
    for _, method, path, _ in ROUTES
}

OUTCOMES = core.OUTCOMES

READ_ONLY = Rights(goals=Access.READ, activities=Access.READ)
GOALS_ONLY = Rights(goals=Access.WRITE)
NOTHING = Rights()
HEALTH_READ = Rights(life_health=Access.READ)
HEALTH_WRITE = Rights(life_health=Access.WRITE)
ECONOMY_READ = Rights(life_economy=Access.READ)
FAG_READ = Rights(professional_plans=Access.READ)
FAG_WRITE = Rights(professional_plans=Access.WRITE)


@dataclass(frozen=True)
class Row:
    name: str
    who: str
    role: PlanRole | None
    rights: Rights | None
    consent: str
    plan: str
    removed: bool
    expect: str


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
    assert len(letters) == len(ROUTES), (name, len(letters))
    return Row(name, who, role, rights, consent, plan, removed, letters)


C, OWN, R, PR = PlanRole.COORDINATOR, PlanRole.OWNER, PlanRole.RELATIVE, PlanRole.PROVIDER
ALL_C = " ".join("C" * len(ROUTES))
ALL_N = " ".join("N" * len(ROUTES))
NO_LIFE, NO_FAG = "FFFF", "FFFFF"

#     goals (list add get edit stale delete move history restore picture: put get delete)
#     activities (list add get edit stale delete move) | comments (goal activity edit delete)
#     life areas (list get put stale) | professional plans (list add edit stale delete)
#     | completeness
TABLE = [
    row("coordinator", "AAAAVAAAAAAA AAAAVAA AAAA AAAV AAAVA A", role=C),
    row(
        "coordinator, closed plan", "AXAXXXXXXXAX AXAXXXX XXXX AAXX AXXXX A", role=C, plan="closed"
    ),
    row("coordinator, consent expired", ALL_C, role=C, consent="expired"),
    row(
        "coordinator, consent ends today",
        "AAAAVAAAAAAA AAAAVAA AAAA AAAV AAAVA A",
        role=C,
        consent="today",
    ),
    row("owner", "AAAAVAFAFAAA AAAAVAF AAAA AAAV AAAVA F", role=OWN),
    row("owner, closed plan", "AXAXXXXXXXAX AXAXXXX XXXX AAXX AXXXX F", role=OWN, plan="closed"),
    row("owner, consent expired", ALL_C, role=OWN, consent="expired"),
    row("relative, default rights", "AFAFFFFFFFAF AFAFFFF AAAA FFFF FFFFF F", role=R),
    row("relative, closed plan", "AFAFFFFFFFAF AFAFFFF XXXX FFFF FFFFF F", role=R, plan="closed"),
    row("provider, default rights", "AFAFFFFFFFAF AAAAVAF AAAA FFFF FFFFF F", role=PR),
    row(
        "provider, read only",
        "AFAFFFFFFFAF AFAFFFF AAAA FFFF FFFFF F",
        role=PR,
        rights=READ_ONLY,
    ),
    row(
        "provider, goals write without activities",
        "AAAAVFFAFAAA FFFFFFF AFAA FFFF FFFFF F",
        role=PR,
        rights=GOALS_ONLY,
    ),
    row(
        "provider, no rights",
        "FFFFFFFFFFFF FFFFFFF FFFF FFFF FFFFF F",
        role=PR,
        rights=NOTHING,
    ),
    row(
        "provider, reads health",
        "FFFFFFFFFFFF FFFFFFF FFFF AAFF FFFFF F",
        role=PR,
        rights=HEALTH_READ,
    ),
    row(
        "provider, writes health",
        "FFFFFFFFFFFF FFFFFFF FFFF AAAV FFFFF F",
        role=PR,
        rights=HEALTH_WRITE,
    ),
    row(
        "provider, writes health, closed plan",
        "FFFFFFFFFFFF FFFFFFF FFFF AAXX FFFFF F",
        role=PR,
        rights=HEALTH_WRITE,
        plan="closed",
    ),
    row(
        "provider, reads economy only",
        "FFFFFFFFFFFF FFFFFFF FFFF AFFF FFFFF F",
        role=PR,
        rights=ECONOMY_READ,
    ),
    row(
        "provider, reads professional plans",
        "FFFFFFFFFFFF FFFFFFF FFFF FFFF AFFFF F",
        role=PR,
        rights=FAG_READ,
    ),
    row(
        "provider, writes professional plans",
        "FFFFFFFFFFFF FFFFFFF FFFF FFFF AAAVA F",
        role=PR,
        rights=FAG_WRITE,
    ),
    row(
        "provider, writes professional plans, closed",
        "FFFFFFFFFFFF FFFFFFF FFFF FFFF AXXXX F",
        role=PR,
        rights=FAG_WRITE,
        plan="closed",
    ),
    row(
        "provider with every right (not coordinator)",
        "AAAAVAFAFAAA AAAAVAF AAAA AAAV AAAVA F",
        role=PR,
        rights=ALL_WRITE,
    ),
    row(
        "provider, consent ends today",
        "AFAFFFFFFFAF AAAAVAF AAAA FFFF FFFFF F",
        role=PR,
        consent="today",
    ),
    row("provider, consent expired", ALL_C, role=PR, consent="expired"),
    row("provider, consent expired, closed", ALL_C, role=PR, consent="expired", plan="closed"),
    row("removed participant", ALL_N, role=PR, removed=True),
    row("removed coordinator", ALL_N, role=C, removed=True),
    row("user not taking part", ALL_N, who="outsider"),
    row("support, not taking part", ALL_N, who="support"),
    row("system administrator, not taking part", ALL_N, who="sysadmin"),
    row("local administrator of the unit", ALL_N, who="localadmin"),
]


# --- the world and each case's plan ---------------------------------------------------------


@dataclass
class Case:
    plan: int
    ids: dict[str, int]


def make_case(w: core.World, r: Row) -> Case:
    """A plan (through the core matrix) with a goal, its activity, picture and comments,
    a second goal, a goal in history, the health life area and a professional plan."""
    base = core.make_case(
        w, core.Row(r.name, r.who, r.role, r.rights, r.consent, r.plan, r.removed, "")
    )
    plan = base.plan
    now = w.h.clock.now()
    with w.h.ctx.db.writing() as db:
        parts = db.scalars(select(Participant).where(Participant.plan_id == plan)).all()
        mine = next((x for x in parts if x.person_id == w.member_person), None)
        author = mine or next(x for x in parts if x.role != PlanRole.OWNER)

        def goal(title: str, position: int, history: bool = False) -> Goal:
            g = Goal(
                plan_id=plan,
                title=title,
                registered_on=date(2026, 1, 1),
                progress=10,
                description="",
                position=position,
                in_history=history,
                moved_to_history_at=now if history else None,
                picture_type=None,
                created_at=now,
                updated_at=now,
                version=3,
            )
            db.add(g)
            db.flush()
            return g

        g1, g2, old = goal("Mål", 0), goal("Mål to", 1), goal("Gammelt", 0, history=True)
        g1.picture_type = "image/png"
        db.add(
            GoalPicture(
                goal_id=g1.id, plan_id=plan, content_type="image/png", data=PNG, created_at=now
            )
        )
        act = Activity(
            plan_id=plan,
            goal_id=g1.id,
            title="Aktivitet",
            activity_date=date(2026, 2, 1),
            status="planned",
            when="",
            description="",
            position=0,
            created_at=now,
            updated_at=now,
            version=3,
        )
        db.add(act)
        db.flush()
        comment = Comment(
            plan_id=plan,
            goal_id=g1.id,
            activity_id=None,
            author_participant_id=author.id,
            body="Min kommentar",
            created_at=now,
            version=1,
        )
        db.add(comment)
        db.add(
            LifeAreaText(
                plan_id=plan,
                area="health",
                description="Frisk",
                status="",
                updated_at=now,
                version=3,
            )
        )
        fag = ProfessionalPlan(
            plan_id=plan, name="Opplæringsplan", created_at=now, updated_at=now, version=3
        )
        db.add(fag)
        db.flush()
        ids = {
            "goal": g1.id,
            "goal2": g2.id,
            "old_goal": old.id,
            "activity": act.id,
            "comment": comment.id,
            "fag": fag.id,
        }
    return Case(plan, ids)


def snapshot(w: core.World, plan: int) -> Any:
    """Every row of the plan's content, as tuples."""
    with w.h.ctx.db.read_session() as db:

        def rows(*cols: Any) -> list[tuple[Any, ...]]:
            model = cols[0].class_
            return [
                tuple(x)
                for x in db.execute(
                    select(*cols).where(model.plan_id == plan).order_by(cols[0])
                ).all()
            ]

        return (
            rows(
                Goal.id,
                Goal.title,
                Goal.progress,
                Goal.position,
                Goal.in_history,
                Goal.picture_type,
                Goal.version,
            ),
            rows(GoalPicture.goal_id, GoalPicture.data),
            rows(
                Activity.id,
                Activity.goal_id,
                Activity.title,
                Activity.status,
                Activity.position,
                Activity.version,
            ),
            rows(Comment.id, Comment.goal_id, Comment.body, Comment.version),
            rows(LifeAreaText.id, LifeAreaText.description, LifeAreaText.version),
            rows(
                ProfessionalPlan.id,
                ProfessionalPlan.name,
                ProfessionalPlan.contact,
                ProfessionalPlan.version,
            ),
        )


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def call(w: core.World, c: Case, route: int, token: str) -> Any:
    _, method, path, body = ROUTES[route]
    url = f"{API}/plans/{c.plan}" + path.format(**c.ids)
    return w.h.client.request(method, url, headers=bearer(token), json=_fill(body, c.ids))


CASES = [
    pytest.param(r, i, r.expect[i], id=f"{r.name} | {name}")
    for r in TABLE
    for i, (name, *_rest) in enumerate(ROUTES)
]


@pytest.mark.parametrize(("r", "route", "letter"), CASES)
def test_content_access(world: core.World, r: Row, route: int, letter: str) -> None:
    case = make_case(world, r)
    before = snapshot(world, case.plan)
    response = call(world, case, route, world.tokens[r.who])
    if letter == "A":
        assert response.status_code in (200, 201, 204), response.text
        after = snapshot(world, case.plan)
        if ROUTES[route][1] == "GET":
            assert after == before  # a read changes nothing
        else:
            assert after != before  # a write did something
    else:
        assert error(response) == OUTCOMES[letter], response.text
        assert snapshot(world, case.plan) == before  # nothing overwritten


def test_the_table_covers_every_content_route(world: core.World) -> None:
    spec = world.h.client.get(f"{API}/openapi.json").json()
    content = {
        (m.upper(), p)
        for p, ops in spec["paths"].items()
        for m in ops
        if any(
            p.startswith(P.format(plan_id="{plan_id}") + part)
            for part in (
                "/goals",
                "/activities",
                "/comments",
                "/life-areas",
                "/professional-plans",
                "/completeness",
            )
        )
    }
    assert content == COVERED, content ^ COVERED


def test_no_content_of_plan_b_through_plan_a(world: core.World) -> None:
    """A coordinator of plan A reaches none of plan B's content ids through plan A."""
    mine = make_case(world, row("a", "A" * len(ROUTES), role=C))
    other = make_case(world, row("b", "A" * len(ROUTES), who="outsider"))
    before = snapshot(world, other.plan)
    token = world.tokens["member"]
    for i, (name, _method, path, _body) in enumerate(ROUTES):
        if not any(f"{{{k}}}" in path for k in other.ids):
            continue
        crossed = Case(mine.plan, other.ids)  # plan A's URL, plan B's ids
        response = call(world, crossed, i, token)
        assert error(response) == (404, "not_found"), name
    # Plan B's ids in a body sent to plan A.
    body_routes = [
        i
        for i, (_, m, _p, b) in enumerate(ROUTES)
        if m == "POST" and isinstance(b, dict) and any(str(v).startswith("{") for v in b.values())
    ]
    for i in body_routes:
        crossed = Case(
            mine.plan,
            {
                **mine.ids,
                "goal": other.ids["goal"],
                "goal2": other.ids["goal2"],
                "activity": other.ids["activity"],
            },
        )
        _, method, path, body = ROUTES[i]
        url = f"{API}/plans/{mine.plan}" + path.format(**mine.ids)
        r = world.h.client.request(
            method, url, headers=bearer(token), json=_fill(body, crossed.ids)
        )
        assert r.status_code in (404, 422), (ROUTES[i][0], r.text)
    assert snapshot(world, other.plan) == before
    # Plan B itself: not found for every route.
    for i in range(len(ROUTES)):
        assert error(call(world, other, i, token)) == (404, "not_found"), ROUTES[i][0]
