"""Goals and activities, comments, history, pictures, life areas, professional plans and the
plan's completeness: what a participant sees and what the database keeps."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sampro_contract import MAX_PICTURE_BYTES, Access, PlanRole, Rights
from server.app import create_app
from server.goals.models import Activity, Comment, Goal
from server.timeline.models import PlanEvent
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_user,
    audit_rows,
    bearer,
    error,
    login,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def image(kind: str, size: tuple[int, int] = (3, 2)) -> bytes:
    """A real picture, made by an encoder (Pillow comes with fpdf2), not by hand."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, kind)
    return out.getvalue()


GIF = image("GIF")


@dataclass
class Plan:
    h: Harness
    plan: int
    kari: str  # the coordinator's token
    ola: str  # a provider (goals read, activities write)
    ola_pid: int
    owner_pid: int

    def call(self, token: str, method: str, path: str, body: Any = None) -> Any:
        return self.h.client.request(
            method, f"{API}/plans/{self.plan}{path}", headers=bearer(token), json=body
        )

    def ok(self, token: str, method: str, path: str, body: Any = None) -> Any:
        r = self.call(token, method, path, body)
        assert r.status_code in (200, 201, 204), r.text
        return r.json() if r.status_code != 204 else None

    def goal(self, title: str = "Bo for meg selv", **extra: Any) -> dict[str, Any]:
        body = {"title": title, "registered_on": "2026-01-10", **extra}
        result: dict[str, Any] = self.ok(self.kari, "POST", "/goals", body)
        return result

    def activity(self, goal_id: int, title: str = "Øve på matlaging", **extra: Any) -> Any:
        body = {"goal_id": goal_id, "title": title, "date": "2026-02-01", **extra}
        return self.ok(self.kari, "POST", "/activities", body)

    def tree(self, token: str | None = None, section: str = "active") -> Any:
        return self.ok(token or self.kari, "GET", f"/goals?section={section}")


def make_plan(org: Org) -> Plan:
    h = org.h
    owner = add_person(h, org.unit_id, "Emma", "Lien")
    plan = add_plan(h, org.unit_id, owner)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    ola = add_user(h, "ola", org.unit_id)
    pid = add_participant(h, plan, ola.person_id, PlanRole.PROVIDER)
    with h.ctx.db.read_session() as db:
        from server.participants.models import Participant

        owner_pid = db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan, Participant.role == PlanRole.OWNER.value
            )
        ).one()
    return Plan(h, plan, login(h, "kari"), login(h, "ola"), pid, owner_pid)


@pytest.fixture
def p(org: Org) -> Plan:
    return make_plan(org)


def positions(h: Harness, plan: int) -> list[tuple[int, int]]:
    with h.ctx.db.read_session() as db:
        return [
            (gid, pos)
            for gid, pos in db.execute(
                select(Goal.id, Goal.position)
                .where(Goal.plan_id == plan, Goal.in_history.is_(False))
                .order_by(Goal.position, Goal.id)
            ).all()
        ]


# --- goals, activities, comments ------------------------------------------------------------


def test_create_goal_activity_and_comment_shows_them_in_the_tree(p: Plan) -> None:
    goal = p.goal(progress=20, description="Egen leilighet innen 2027")
    act = p.activity(
        goal["id"],
        when="Tirsdager kl. 17",
        responsible_participant_id=p.ola_pid,
        status="in_progress",
    )
    comment = p.ok(p.ola, "POST", "/comments", {"activity_id": act["id"], "body": "Bra start!"})
    assert comment["author_name"] == "Test Ola" and comment["mine"] is True
    tree = p.tree(p.ola)
    [g] = tree["goals"]
    assert (g["title"], g["progress"], g["comment_count"]) == ("Bo for meg selv", 20, 0)
    [x] = g["activities"]
    assert x["responsible_name"] == "Test Ola" and x["comment_count"] == 1
    assert x["status"] == "in_progress" and x["when"] == "Tirsdager kl. 17"
    assert tree["can_write_goals"] is False and tree["can_write_activities"] is True
    assert tree["can_order"] is False
    detail = p.ok(p.kari, "GET", f"/activities/{act['id']}")
    assert [c["body"] for c in detail["comments"]] == ["Bra start!"]
    assert detail["comments"][0]["mine"] is False
    with p.h.ctx.db.read_session() as db:
        kinds = [(e.kind, e.object_type) for e in db.scalars(select(PlanEvent)).all()]
    assert kinds == [
        ("new_goal_or_activity", "goal"),
        ("new_goal_or_activity", "activity"),
        ("new_comment", "activity_comment"),
    ]
    actions = {(r.action, r.object_type) for r in audit_rows(p.h, plan_id=p.plan)}
    assert {("create", "goal"), ("create", "activity"), ("create", "activity_comment")} <= actions
    assert ("read", "goal") in actions and ("read", "activity") in actions


def test_mandatory_fields_are_named_when_missing(p: Plan) -> None:
    r = p.call(p.kari, "POST", "/goals", {"title": "", "registered_on": "2026-01-10"})
    assert (
        error(r) == (422, "validation_error") and "title" in r.json()["error"]["details"]["fields"]
    )
    r = p.call(p.kari, "POST", "/goals", {"title": "Mål"})
    assert "registered_on" in r.json()["error"]["details"]["fields"]
    goal = p.goal()
    r = p.call(p.kari, "POST", "/activities", {"goal_id": goal["id"], "title": "Tur"})
    assert (
        error(r) == (422, "validation_error") and "date" in r.json()["error"]["details"]["fields"]
    )
    r = p.call(p.kari, "POST", "/goals", {"title": "   ", "registered_on": "2026-01-10"})
    assert r.json()["error"]["details"]["fields"] == {"title": "must not be blank"}
    r = p.call(
        p.kari,
        "POST",
        "/activities",
        {
            "goal_id": goal["id"],
            "title": "Tur",
            "date": "2026-01-01",
            "responsible_participant_id": 999,
        },
    )
    assert "responsible_participant_id" in r.json()["error"]["details"]["fields"]
    r = p.call(
        p.kari, "POST", "/goals", {"title": "M", "registered_on": "2026-01-10", "progress": 101}
    )
    assert "progress" in r.json()["error"]["details"]["fields"]


def test_only_the_author_edits_or_deletes_a_comment(p: Plan) -> None:
    goal = p.goal()
    c = p.ok(p.ola, "POST", "/comments", {"goal_id": goal["id"], "body": "Første"})
    r = p.call(p.kari, "PATCH", f"/comments/{c['id']}", {"version": 1, "body": "Endret"})
    assert error(r) == (403, "forbidden")
    assert error(p.call(p.kari, "DELETE", f"/comments/{c['id']}")) == (403, "forbidden")
    edited = p.ok(p.ola, "PATCH", f"/comments/{c['id']}", {"version": 1, "body": "Endret"})
    assert edited["body"] == "Endret" and edited["edited_at"] is not None
    p.ok(p.ola, "DELETE", f"/comments/{c['id']}")
    assert p.ok(p.kari, "GET", f"/goals/{goal['id']}")["comments"] == []
    assert ("delete", "goal_comment") in {(r.action, r.object_type) for r in audit_rows(p.h)}


def test_a_stale_version_is_refused_and_nothing_is_overwritten(p: Plan) -> None:
    goal = p.goal()
    act = p.activity(goal["id"])
    c = p.ok(p.kari, "POST", "/comments", {"goal_id": goal["id"], "body": "Hei"})
    fag = p.ok(p.kari, "POST", "/professional-plans", {"name": "Habiliteringsplan"})
    area = p.ok(p.kari, "PUT", "/life-areas/housing", {"version": 0, "description": "Bor hjemme"})
    # Someone else saves first...
    p.ok(p.kari, "PATCH", f"/goals/{goal['id']}", {"version": 1, "title": "Først"})
    p.ok(p.kari, "PATCH", f"/activities/{act['id']}", {"version": 1, "title": "Først"})
    p.ok(p.kari, "PATCH", f"/comments/{c['id']}", {"version": 1, "body": "Først"})
    p.ok(p.kari, "PATCH", f"/professional-plans/{fag['id']}", {"version": 1, "name": "Først"})
    p.ok(p.kari, "PUT", "/life-areas/housing", {"version": area["version"], "description": "Først"})
    # ...then a writer who read version 1.
    for path, method, body in [
        (f"/goals/{goal['id']}", "PATCH", {"version": 1, "title": "Sist"}),
        (f"/activities/{act['id']}", "PATCH", {"version": 1, "title": "Sist"}),
        (f"/comments/{c['id']}", "PATCH", {"version": 1, "body": "Sist"}),
        (f"/professional-plans/{fag['id']}", "PATCH", {"version": 1, "name": "Sist"}),
        ("/life-areas/housing", "PUT", {"version": 1, "description": "Sist"}),
        ("/life-areas/health", "PUT", {"version": 3, "description": "Sist"}),
        (
            f"/goals/{goal['id']}/picture",
            "PUT",
            {"version": 1, "data_base64": base64.b64encode(PNG).decode()},
        ),
    ]:
        assert error(p.call(p.kari, method, path, body)) == (409, "version_conflict"), path
    assert p.ok(p.kari, "GET", f"/goals/{goal['id']}")["title"] == "Først"
    assert p.ok(p.kari, "GET", f"/goals/{goal['id']}")["has_picture"] is False
    assert p.ok(p.kari, "GET", f"/activities/{act['id']}")["title"] == "Først"
    assert p.ok(p.kari, "GET", f"/goals/{goal['id']}")["comments"][0]["body"] == "Først"
    assert p.ok(p.kari, "GET", "/professional-plans")["items"][0]["name"] == "Først"
    assert p.ok(p.kari, "GET", "/life-areas/housing")["description"] == "Først"
    assert p.ok(p.kari, "GET", "/life-areas/health")["version"] == 0


# --- ordering -------------------------------------------------------------------------------


def test_the_coordinator_orders_goals_and_everyone_sees_that_order(p: Plan) -> None:
    ids = [p.goal(f"Mål {i}")["id"] for i in range(4)]
    tree = p.ok(p.kari, "POST", f"/goals/{ids[3]}/move", {"position": 0})
    assert [g["id"] for g in tree["goals"]] == [ids[3], ids[0], ids[1], ids[2]]
    p.ok(p.kari, "POST", f"/goals/{ids[0]}/move", {"position": 99})
    assert [g["id"] for g in p.tree(p.ola)["goals"]] == [ids[3], ids[1], ids[2], ids[0]]
    assert [pos for _, pos in positions(p.h, p.plan)] == [0, 1, 2, 3]
    r = p.call(p.ola, "POST", f"/goals/{ids[0]}/move", {"position": 0})
    assert error(r) == (403, "forbidden")


def test_activities_move_up_down_and_to_another_goal_with_their_comments(p: Plan) -> None:
    g1, g2 = p.goal("Bolig")["id"], p.goal("Jobb")["id"]
    a = [p.activity(g1, f"Aktivitet {i}")["id"] for i in range(3)]
    p.ok(p.kari, "POST", "/comments", {"activity_id": a[0], "body": "Kommentar"})
    tree = p.ok(p.kari, "POST", f"/activities/{a[2]}/move", {"position": 0})
    assert [x["id"] for x in tree["goals"][0]["activities"]] == [a[2], a[0], a[1]]
    tree = p.ok(p.kari, "POST", f"/activities/{a[0]}/move", {"goal_id": g2, "position": 0})
    assert [x["id"] for x in tree["goals"][0]["activities"]] == [a[2], a[1]]
    assert [x["id"] for x in tree["goals"][1]["activities"]] == [a[0]]
    assert tree["goals"][1]["activities"][0]["comment_count"] == 1
    with p.h.ctx.db.read_session() as db:
        assert db.scalars(select(Comment.goal_id)).all() == [g2]
        rows = db.execute(select(Activity.goal_id, Activity.position).order_by(Activity.id)).all()
    assert [tuple(r) for r in rows] == [(g2, 0), (g1, 1), (g1, 0)]
    r = p.call(p.ola, "POST", f"/activities/{a[1]}/move", {"position": 0})
    assert error(r) == (403, "forbidden")


def test_two_concurrent_moves_keep_a_consistent_order(
    make_org: Callable[..., Org], db_url: str
) -> None:
    p = make_plan(make_org(db_url))
    ids = [p.goal(f"Mål {i}")["id"] for i in range(6)]
    g = ids[0]
    acts = [p.activity(g, f"A{i}")["id"] for i in range(6)]
    clients = [TestClient(create_app(ctx=p.h.ctx), raise_server_exceptions=False) for _ in range(2)]
    start = threading.Barrier(2)
    failures: list[str] = []

    def mover(n: int) -> None:
        client = clients[n]
        start.wait()
        for i in range(15):
            goal = ids[(i + n * 3) % len(ids)]
            act = acts[(i * 5 + n) % len(acts)]
            for path, body in [
                (f"/goals/{goal}/move", {"position": (i * 7 + n) % 6}),
                (f"/activities/{act}/move", {"position": (i + n) % 6}),
            ]:
                r = client.post(f"{API}/plans/{p.plan}{path}", json=body, headers=bearer(p.kari))
                if r.status_code != 200:
                    failures.append(r.text)

    threads = [threading.Thread(target=mover, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert failures == []
    assert sorted(gid for gid, _ in positions(p.h, p.plan)) == sorted(ids)
    assert [pos for _, pos in positions(p.h, p.plan)] == list(range(6))
    with p.h.ctx.db.read_session() as db:
        act_positions = sorted(
            db.scalars(select(Activity.position).where(Activity.goal_id == g)).all()
        )
    assert act_positions == list(range(6))
    tree = p.tree()
    assert [x["position"] for x in tree["goals"]] == list(range(6))


# --- history --------------------------------------------------------------------------------


def test_a_goal_moves_to_history_with_its_activities_and_comments_and_comes_back(p: Plan) -> None:
    keep, old = p.goal("Skole")["id"], p.goal("Barnehage")["id"]
    act = p.activity(old, "Tilvenning")["id"]
    p.ok(p.kari, "POST", "/comments", {"activity_id": act, "body": "Gikk fint"})
    p.ok(p.kari, "POST", f"/goals/{old}/history")
    assert [g["id"] for g in p.tree()["goals"]] == [keep]
    [h] = p.tree(p.ola, "history")["goals"]
    assert h["id"] == old and h["in_history"] and h["moved_to_history_at"]
    assert h["activities"][0]["comment_count"] == 1
    # In history it can be read, not changed.
    assert p.ok(p.ola, "GET", f"/activities/{act}")["comments"][0]["body"] == "Gikk fint"
    r = p.call(p.kari, "PATCH", f"/goals/{old}", {"version": 2, "title": "Nytt"})
    assert error(r) == (409, "in_history")
    r = p.call(p.kari, "POST", "/activities", {"goal_id": old, "title": "X", "date": "2026-01-01"})
    assert error(r) == (409, "in_history")
    r = p.call(p.kari, "POST", "/comments", {"goal_id": old, "body": "X"})
    assert error(r) == (409, "in_history")
    # Only the coordinator restores; it comes back last.
    assert error(p.call(p.ola, "POST", f"/goals/{old}/restore")) == (403, "forbidden")
    p.ok(p.kari, "POST", f"/goals/{old}/restore")
    assert [g["id"] for g in p.tree()["goals"]] == [keep, old]
    assert p.tree(section="history")["goals"] == []


def test_an_activity_in_history_cannot_be_deleted_until_its_goal_is_restored(p: Plan) -> None:
    goal = p.goal()["id"]
    act = p.activity(goal)["id"]
    p.ok(p.kari, "POST", f"/goals/{goal}/history")
    for token in (p.kari, p.ola):  # the coordinator, and a provider with the activities right
        assert error(p.call(token, "DELETE", f"/activities/{act}")) == (409, "in_history")
    assert p.ok(p.kari, "GET", f"/activities/{act}")["id"] == act
    p.ok(p.kari, "POST", f"/goals/{goal}/restore")
    p.ok(p.kari, "DELETE", f"/activities/{act}")
    assert error(p.call(p.kari, "GET", f"/activities/{act}")) == (404, "not_found")


def test_deleting_a_goal_takes_its_activities_and_comments_and_is_logged(p: Plan) -> None:
    goal = p.goal()["id"]
    act = p.activity(goal)["id"]
    p.ok(p.kari, "POST", "/comments", {"activity_id": act, "body": "K"})
    p.ok(p.kari, "POST", "/comments", {"goal_id": goal, "body": "K"})
    p.ok(p.kari, "DELETE", f"/goals/{goal}")
    assert error(p.call(p.kari, "GET", f"/goals/{goal}")) == (404, "not_found")
    with p.h.ctx.db.read_session() as db:
        assert db.scalars(select(Comment)).all() == []
        assert db.scalars(select(Activity)).all() == []
    [row] = [r for r in audit_rows(p.h) if r.action == "delete"]
    assert row.object_type == "goal" and row.detail == {"title": "Bo for meg selv", "activities": 1}


# --- pictures -------------------------------------------------------------------------------


def test_a_goal_picture_is_checked_by_content_and_size(p: Plan) -> None:
    goal = p.goal()
    path = f"/goals/{goal['id']}/picture"

    def put(data: bytes, version: int = 1) -> Any:
        return p.call(
            p.kari,
            "PUT",
            path,
            {"version": version, "data_base64": base64.b64encode(data).decode()},
        )

    r = put(b"%PDF-1.7 not a picture, whatever it is called")
    assert error(r) == (422, "validation_error")
    assert "JPEG, PNG and GIF" in r.json()["error"]["details"]["fields"]["data_base64"]
    r = put(PNG[:8] + b"\0" * (MAX_PICTURE_BYTES + 1))
    assert error(r) == (422, "validation_error")
    assert "at most 2 MB" in r.json()["error"]["details"]["fields"]["data_base64"]
    r = p.call(p.kari, "PUT", path, {"version": 1, "data_base64": "!!!"})
    assert r.json()["error"]["details"]["fields"] == {"data_base64": "is not valid base64"}
    assert p.ok(p.kari, "GET", f"/goals/{goal['id']}")["has_picture"] is False
    detail = put(PNG).json()
    assert detail["has_picture"] is True and detail["picture_type"] == "image/png"
    got = p.ok(p.ola, "GET", path)
    assert base64.b64decode(got["data_base64"]) == PNG and got["content_type"] == "image/png"
    gif = put(GIF, version=2).json()
    assert gif["picture_type"] == "image/gif"
    assert p.tree()["goals"][0]["has_picture"] is True
    p.ok(p.kari, "DELETE", f"{path}?version=3")
    assert error(p.call(p.kari, "GET", path)) == (404, "not_found")


def test_deleting_a_picture_needs_the_version_read(p: Plan) -> None:
    goal = p.goal()
    path = f"/goals/{goal['id']}/picture"
    r = p.call(p.kari, "DELETE", path)
    assert error(r) == (422, "validation_error")
    assert "version" in r.json()["error"]["details"]["fields"]
    body = {"version": 1, "data_base64": base64.b64encode(PNG).decode()}
    assert p.ok(p.kari, "PUT", path, body)["version"] == 2
    # Someone else sets a new picture; a delete based on what one saw before is refused.
    gif = {"version": 2, "data_base64": base64.b64encode(GIF).decode()}
    assert p.ok(p.kari, "PUT", path, gif)["version"] == 3
    assert error(p.call(p.kari, "DELETE", f"{path}?version=2")) == (409, "version_conflict")
    assert p.ok(p.kari, "GET", path)["content_type"] == "image/gif"
    done = p.ok(p.kari, "DELETE", f"{path}?version=3")
    assert (done["has_picture"], done["version"]) == (False, 4)
    assert error(p.call(p.kari, "GET", path)) == (404, "not_found")


# --- life areas, professional plans, the log --------------------------------------------------


def test_life_areas_show_only_what_the_rights_allow(org: Org) -> None:
    p = make_plan(org)
    h = org.h
    lise = add_user(h, "lise", org.unit_id)
    add_participant(
        h,
        p.plan,
        lise.person_id,
        PlanRole.RELATIVE,
        rights=Rights(life_health=Access.READ, life_economy=Access.WRITE, log=True),
    )
    token = login(h, "lise")
    p.ok(
        p.kari,
        "PUT",
        "/life-areas/health",
        {"version": 0, "description": "Epilepsi", "status": "Stabil", "date": "2026-03-01"},
    )
    p.ok(p.kari, "PUT", "/life-areas/housing", {"version": 0, "description": "Bor hjemme"})
    areas = p.ok(token, "GET", "/life-areas")
    assert [(x["area"], x["can_write"]) for x in areas] == [("health", False), ("economy", True)]
    assert areas[0]["description"] == "Epilepsi" and areas[0]["date"] == "2026-03-01"
    assert areas[0]["updated_by"] == "Test Kari"
    assert error(p.call(token, "GET", "/life-areas/housing")) == (403, "forbidden")
    r = p.call(token, "PUT", "/life-areas/health", {"version": 1, "description": "Endret"})
    assert error(r) == (403, "forbidden")
    p.ok(token, "PUT", "/life-areas/economy", {"version": 0, "description": "Uføretrygd"})
    # No history: the text is replaced, and the log keeps every version.
    p.ok(p.kari, "PUT", "/life-areas/health", {"version": 1, "description": "Epilepsi, ny medisin"})
    logged = [
        r.detail["description"] for r in audit_rows(h, object_type="life_health", action="update")
    ]
    assert logged == ["Epilepsi", "Epilepsi, ny medisin"]
    # The log she may read hides the areas she may not.
    entries = p.ok(token, "GET", "/log?page_size=500")["items"]
    types = {e["object_type"] for e in entries}
    assert "life_housing" not in types and "life_health" in types
    assert error(p.call(p.ola, "GET", "/life-areas")) == (403, "forbidden")


def test_the_log_hides_comments_on_what_a_participant_may_not_read(org: Org) -> None:
    p = make_plan(org)
    h = org.h
    per = add_user(h, "per", org.unit_id)
    add_participant(
        h, p.plan, per.person_id, PlanRole.PROVIDER, rights=Rights(activities=Access.READ, log=True)
    )
    goal = p.goal()["id"]
    p.ok(p.kari, "POST", "/comments", {"goal_id": goal, "body": "Hemmelig"})
    entries = p.ok(login(h, "per"), "GET", "/log?page_size=500")["items"]
    assert not {"goal", "goal_comment"} & {e["object_type"] for e in entries}


def test_professional_plans_are_under_their_right(org: Org) -> None:
    p = make_plan(org)
    h = org.h
    fag = p.ok(
        p.kari,
        "POST",
        "/professional-plans",
        {"name": "Opplæringsplan", "responsible_service": "Skolen"},
    )
    assert error(p.call(p.ola, "GET", "/professional-plans")) == (403, "forbidden")
    eva = add_user(h, "eva", org.unit_id)
    add_participant(
        h, p.plan, eva.person_id, PlanRole.PROVIDER, rights=Rights(professional_plans=Access.READ)
    )
    token = login(h, "eva")
    listed = p.ok(token, "GET", "/professional-plans")
    assert [x["name"] for x in listed["items"]] == ["Opplæringsplan"] and listed[
        "can_write"
    ] is False
    r = p.call(token, "PATCH", f"/professional-plans/{fag['id']}", {"version": 1, "name": "X"})
    assert error(r) == (403, "forbidden")
    p.ok(p.kari, "DELETE", f"/professional-plans/{fag['id']}")
    assert p.ok(token, "GET", "/professional-plans")["items"] == []


# --- completeness ---------------------------------------------------------------------------


def test_the_coordinator_sees_what_the_plan_still_lacks(p: Plan) -> None:
    missing = {i["key"] for i in p.ok(p.kari, "GET", "/completeness")["items"] if not i["covered"]}
    assert {"goals", "needs", "measures", "period", "contributions"} <= missing
    assert "participants" not in missing and "coordinator" not in missing
    goal = p.goal()["id"]
    p.activity(goal, responsible_participant_id=p.ola_pid)
    p.activity(goal, "Uten ansvarlig")
    items = {i["key"]: i for i in p.ok(p.kari, "GET", "/completeness")["items"]}
    assert items["goals"]["covered"] and not items["measures"]["covered"]
    assert "1 activities have no responsible" in items["measures"]["message"]
    assert items["measures"]["fix_in"] == "goals"
    assert error(p.call(p.ola, "GET", "/completeness")) == (403, "forbidden")


# --- history is read-only, responsible participants, moves, comment edits, pictures ----------


def test_a_goal_in_history_cannot_be_deleted_until_it_is_restored(p: Plan) -> None:
    goal = p.goal()["id"]
    p.activity(goal)
    p.ok(p.kari, "POST", f"/goals/{goal}/history")
    r = p.call(p.kari, "DELETE", f"/goals/{goal}")
    assert error(r) == (409, "in_history")
    assert p.ok(p.kari, "GET", f"/goals/{goal}")["in_history"] is True
    with p.h.ctx.db.read_session() as db:
        assert len(db.scalars(select(Activity)).all()) == 1
    assert not [r for r in audit_rows(p.h) if r.action == "delete"]
    p.ok(p.kari, "POST", f"/goals/{goal}/restore")
    p.ok(p.kari, "DELETE", f"/goals/{goal}")
    assert error(p.call(p.kari, "GET", f"/goals/{goal}")) == (404, "not_found")


def test_the_responsible_participant_must_take_part_in_the_plan_now(org: Org) -> None:
    p = make_plan(org)
    h = org.h
    today = h.clock.now().date()
    expired = add_participant(
        h,
        p.plan,
        add_person(h, org.unit_id, "Utløpt", "Samtykke"),
        PlanRole.PROVIDER,
        consent=today - timedelta(days=1),
    )
    removed = add_participant(
        h,
        p.plan,
        add_person(h, org.unit_id, "Fjernet", "Deltaker"),
        PlanRole.RELATIVE,
        removed=True,
    )
    goal = p.goal()["id"]
    body = {"goal_id": goal, "title": "Tur", "date": "2026-02-01"}
    for pid, words in ((expired, "consent has expired"), (removed, "removed from the plan")):
        r = p.call(p.kari, "POST", "/activities", {**body, "responsible_participant_id": pid})
        assert error(r) == (422, "validation_error")
        fields = r.json()["error"]["details"]["fields"]
        assert (
            list(fields) == ["responsible_participant_id"]
            and words in fields["responsible_participant_id"]
        ), fields
    act = p.activity(goal, responsible_participant_id=p.ola_pid)
    r = p.call(
        p.kari,
        "PATCH",
        f"/activities/{act['id']}",
        {"version": 1, "responsible_participant_id": expired},
    )
    assert (
        "consent has expired"
        in r.json()["error"]["details"]["fields"]["responsible_participant_id"]
    )
    assert p.ok(p.kari, "GET", f"/activities/{act['id']}")["responsible_participant_id"] == (
        p.ola_pid
    )
    # Someone responsible whose consent runs out later stays responsible when other fields
    # are saved with the same value sent back: only a change is judged.
    with h.ctx.db.writing() as db:
        from server.participants.models import Participant

        row = db.get(Participant, p.ola_pid)
        assert row is not None
        row.consent_expires = today - timedelta(days=1)
    saved = p.ok(
        p.kari,
        "PATCH",
        f"/activities/{act['id']}",
        {"version": 1, "title": "Ny tittel", "responsible_participant_id": p.ola_pid},
    )
    assert (saved["title"], saved["responsible_participant_id"]) == ("Ny tittel", p.ola_pid)


def test_a_move_to_another_goal_carries_no_version(p: Plan) -> None:
    g1, g2 = p.goal("Bolig")["id"], p.goal("Jobb")["id"]
    act = p.activity(g1)
    assert act["version"] == 1
    tree = p.ok(p.kari, "POST", f"/activities/{act['id']}/move", {"goal_id": g2, "position": 0})
    [moved] = tree["goals"][1]["activities"]
    assert (moved["id"], moved["version"]) == (act["id"], 1)
    # Someone who opened the activity before the move still saves their text.
    saved = p.ok(p.kari, "PATCH", f"/activities/{act['id']}", {"version": 1, "when": "Fredager"})
    assert (saved["goal_id"], saved["when"], saved["version"]) == (g2, "Fredager", 2)


def test_concurrent_edits_of_one_comment_let_exactly_one_win(
    make_org: Callable[..., Org], db_url: str
) -> None:
    p = make_plan(make_org(db_url))
    goal = p.goal()["id"]
    comment = p.ok(p.ola, "POST", "/comments", {"goal_id": goal, "body": "Første"})
    n = 4
    clients = [TestClient(create_app(ctx=p.h.ctx), raise_server_exceptions=False) for _ in range(n)]
    start = threading.Barrier(n)
    results: list[tuple[int, str]] = []

    def edit(i: int) -> None:
        start.wait()
        r = clients[i].patch(
            f"{API}/plans/{p.plan}/comments/{comment['id']}",
            json={"version": 1, "body": f"Endret av {i}"},
            headers=bearer(p.ola),
        )
        results.append((r.status_code, r.text))

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * (n - 1), results
    winner = next(text for code, text in results if code == 200)
    [stored] = p.ok(p.kari, "GET", f"/goals/{goal}")["comments"]
    assert stored["version"] == 2 and stored["body"] in winner
    # A delete based on the old version's view still works for the author (no version),
    # and the same lock is taken: nothing is left half done.
    p.ok(p.ola, "DELETE", f"/comments/{comment['id']}")
    assert p.ok(p.kari, "GET", f"/goals/{goal}")["comments"] == []


def test_a_picture_far_over_the_limit_is_refused_in_words_naming_the_field(p: Plan) -> None:
    goal = p.goal()
    data = PNG[:8] + b"\0" * (7 * 1024 * 1024)  # past what the base64 text limit once was
    r = p.call(
        p.kari,
        "PUT",
        f"/goals/{goal['id']}/picture",
        {"version": 1, "data_base64": base64.b64encode(data).decode()},
    )
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["fields"] == {
        "data_base64": "the picture is 7.0 MB; at most 2 MB is allowed"
    }


def test_a_picture_must_be_whole_not_just_start_like_one(p: Plan) -> None:
    goal = p.goal()
    path = f"/goals/{goal['id']}/picture"
    version = 1

    def put(data: bytes) -> Any:
        return p.call(
            p.kari,
            "PUT",
            path,
            {"version": version, "data_base64": base64.b64encode(data).decode()},
        )

    garbage = b"<html><script>alert(1)</script></html>" * 10
    for kind, content_type in (("PNG", "image/png"), ("GIF", "image/gif"), ("JPEG", "image/jpeg")):
        real = image(kind)
        for bad in (
            real[:10] + garbage,  # the first bytes of a picture, then something else
            real[: len(real) // 2],  # cut off: no end marker
            real + garbage,  # something hidden after the picture's end
        ):
            r = put(bad)
            assert error(r) == (422, "validation_error"), (kind, r.text)
            assert r.json()["error"]["details"]["fields"] == {
                "data_base64": "the picture is damaged or incomplete: only whole JPEG, PNG "
                "and GIF files are allowed"
            }
        detail = p.ok(
            p.kari,
            "PUT",
            path,
            {"version": version, "data_base64": base64.b64encode(real).decode()},
        )
        assert detail["picture_type"] == content_type
        version = detail["version"]
    for kind in ("PNG", "GIF", "JPEG"):  # bigger and progressive/animated variants too
        detail = p.ok(
            p.kari,
            "PUT",
            path,
            {"version": version, "data_base64": base64.b64encode(image(kind, (64, 48))).decode()},
        )
        version = detail["version"]
    assert p.ok(p.kari, "GET", path)["content_type"] == "image/jpeg"
