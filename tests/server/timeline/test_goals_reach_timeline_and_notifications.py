"""Goals, activities and comments made through the real routes reach the timeline (with
titles) and the notifier, each only for those whose rights let them see it."""

from __future__ import annotations

from sampro_contract import Access, Rights
from server.notifications.worker import Notifier
from server.participants.models import Participant
from tests.server.plan_group import Group, group_fixture, later  # noqa: F401 - fixture


def _titles(g: Group, who: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in g.ok(who, "GET", "/timeline")["items"]:
        out.setdefault(item["object_type"], set()).add(item["title"])
    return out


def test_content_events_are_shown_and_notified_by_rights(group: Group) -> None:
    g = group
    today = g.h.clock.now().date().isoformat()
    goal = g.ok(
        "coordinator", "POST", "/goals", {"title": "Klare seg selv", "registered_on": today}
    )
    act = g.ok(
        "coordinator",
        "POST",
        "/activities",
        {"goal_id": goal["id"], "title": "Handle mat", "date": today},
    )
    g.ok("coordinator", "POST", "/comments", {"goal_id": goal["id"], "body": "Godt i gang"})
    g.ok("coordinator", "POST", "/comments", {"activity_id": act["id"], "body": "Tirsdager"})
    for who in ("relative", "provider"):
        g.ok(who, "PUT", "/notifications", {"new_comment": ["sms"], "new_goal_or_activity": []})
    # The relative may read goals but not activities.
    with g.h.ctx.db.writing() as db:
        db.get_one(Participant, g.pids["relative"]).rights = Rights(
            goals=Access.READ, activities=Access.NONE
        ).model_dump(mode="json")

    seen = _titles(g, "provider")
    assert seen["goal"] == {"Klare seg selv"} and seen["activity"] == {"Handle mat"}
    assert seen["goal_comment"] == {"Klare seg selv"}
    assert seen["activity_comment"] == {"Handle mat"}
    relative = _titles(g, "relative")
    assert relative["goal_comment"] == {"Klare seg selv"}
    assert "activity" not in relative and "activity_comment" not in relative

    later(g.h, seconds=g.h.ctx.settings.notify_fold_seconds + 1)
    result = Notifier(g.h.ctx).run_once()
    assert result.sent == 2  # one folded notification each to the relative and the provider
    sms = [
        m for m in g.h.sent("sms") if "SamPro" in m["body"] and "Engangskode" not in m["subject"]
    ]
    assert {m["to"] for m in sms} >= {
        g.h.ctx.db.read_session().get_one(Participant, g.pids[w]).person.mobile
        for w in ("relative", "provider")
    }
    assert not any("Klare seg selv" in m["body"] or "Handle mat" in m["body"] for m in sms)
