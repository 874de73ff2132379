"""The calendar, the home feed (next events, latest messages, visitors) and the timeline."""

from __future__ import annotations

from datetime import timedelta

import httpx

from sampro_contract import Access, Rights
from server.participants.models import Participant
from tests.server.plan_group import (
    Group,
    group_fixture,  # noqa: F401 - the `group` fixture
    later,
)
from tests.server.support import error, login


def day(g: Group, offset: int) -> str:
    return (g.h.clock.today() + timedelta(days=offset)).isoformat()


def add_event(g: Group, who: str, title: str, offset: int = 1, **kw: object) -> dict:  # type: ignore[type-arg]
    body = {"title": title, "start_date": day(g, offset), **kw}
    return g.ok(who, "POST", "/events", body)  # type: ignore[no-any-return]


def test_everyone_sees_every_entry_and_anyone_adds(group: Group) -> None:
    e = add_event(
        group,
        "relative",
        "Ansvarsgruppemøte",
        3,
        start_time="09:00",
        end_time="10:30",
        place="Rådhuset",
    )
    assert (e["all_day"], e["start_time"], e["end_date"]) == (False, "09:00:00", day(group, 3))
    assert e["created_by"]["name"] == "Mona Mor"
    for who in ("coordinator", "owner", "provider"):
        got = group.ok(who, "GET", "/events", from_date=day(group, 0), to_date=day(group, 30))
        assert [x["title"] for x in got] == ["Ansvarsgruppemøte"], who
    assert error(group.call("outsider", "GET", "/events")) == (404, "not_found")


def test_only_the_author_and_the_coordinator_change_or_delete(group: Group) -> None:
    e = add_event(group, "relative", "Fysioterapi")
    assert e["can_edit"] is True
    assert group.ok("provider", "GET", f"/events/{e['id']}")["can_edit"] is False
    r = group.call("provider", "PATCH", f"/events/{e['id']}", {"version": 1, "title": "Kapret"})
    assert error(r) == (403, "forbidden")
    assert error(group.call("provider", "DELETE", f"/events/{e['id']}")) == (403, "forbidden")
    changed = group.ok(
        "coordinator", "PATCH", f"/events/{e['id']}", {"version": 1, "place": "Sykehuset"}
    )
    assert (changed["place"], changed["version"]) == ("Sykehuset", 2)
    stale = group.call("relative", "PATCH", f"/events/{e['id']}", {"version": 1, "title": "Gammel"})
    assert error(stale) == (409, "version_conflict")
    assert group.call("relative", "DELETE", f"/events/{e['id']}").status_code == 204
    assert error(group.call("relative", "GET", f"/events/{e['id']}")) == (404, "not_found")


def test_ranges_multi_day_entries_and_bad_spans(group: Group) -> None:
    add_event(group, "owner", "Leir", 10, end_date=day(group, 14))
    add_event(group, "owner", "Tannlege", 20, start_time="08:15")
    got = group.ok("owner", "GET", "/events", from_date=day(group, 12), to_date=day(group, 12))
    assert [x["title"] for x in got] == ["Leir"]
    got = group.ok("owner", "GET", "/events", from_date=day(group, 0), to_date=day(group, 30))
    assert [x["title"] for x in got] == ["Leir", "Tannlege"]
    r = group.call(
        "owner",
        "POST",
        "/events",
        {"title": "x", "start_date": day(group, 5), "end_date": day(group, 4)},
    )
    assert error(r) == (422, "validation_error")
    r = group.call("owner", "POST", "/events", {"title": " ", "start_date": day(group, 5)})
    assert error(r) == (422, "validation_error")


def test_an_entry_lasts_at_most_a_year_when_made_and_when_changed(group: Group) -> None:
    def too_long(r: httpx.Response) -> bool:
        assert error(r) == (422, "validation_error")
        fields = r.json()["error"]["details"]["fields"]
        return bool(fields == {"end_date": "an entry lasts at most a year"})

    body = {"title": "Lang", "start_date": day(group, 1), "end_date": day(group, 368)}
    assert too_long(group.call("owner", "POST", "/events", body))
    e = add_event(group, "owner", "Skoleår", 1, end_date=day(group, 367))  # 366 days: allowed
    # Stretching the end, or moving the start back, past a year is refused the same way.
    path = f"/events/{e['id']}"
    assert too_long(group.call("owner", "PATCH", path, {"version": 1, "end_date": day(group, 400)}))
    assert too_long(group.call("owner", "PATCH", path, {"version": 1, "start_date": day(group, 0)}))
    got = group.ok("owner", "GET", path)
    assert (got["start_date"], got["end_date"]) == (day(group, 1), day(group, 367))
    assert got["version"] == 1
    moved = group.ok("owner", "PATCH", path, {"version": 1, "start_date": day(group, 2)})
    assert (moved["start_date"], moved["end_date"]) == (day(group, 2), day(group, 367))


def test_home_feed_has_next_events_latest_messages_and_visitors(group: Group) -> None:
    add_event(group, "coordinator", "Gammelt møte", -3)
    for i in range(7):
        add_event(group, "coordinator", f"Møte {i}", i + 1)
    for i in range(6):
        group.send("provider", ["owner"], f"Hei {i}")
        later(group.h, seconds=1)
    feed = group.ok("owner", "GET", "/home-feed")
    assert [e["title"] for e in feed["next_events"]] == [f"Møte {i}" for i in range(5)]
    assert [m["subject"] for m in feed["latest_messages"]] == [f"Hei {i}" for i in (5, 4, 3, 2, 1)]
    assert feed["unread_messages"] == 6


def test_visitors_since_my_last_visit_come_from_the_log(group: Group) -> None:
    h = group.h
    group.ok("owner", "GET", "")  # the owner visits the plan's home
    later(h, minutes=10)
    group.ok("provider", "GET", "")  # then the provider
    later(h, minutes=10)
    group.ok("relative", "GET", "")
    feed = group.ok("owner", "GET", "/home-feed")
    # Within the same session "my last visit" is before it: nothing yet, so recent visitors.
    assert feed["my_last_visit"] is None
    later(h, minutes=10)
    group.tokens["owner"] = login(h, "eier")  # a new session: the earlier visit counts
    later(h, minutes=1)
    group.ok("coordinator", "GET", "")
    feed = group.ok("owner", "GET", "/home-feed")
    assert feed["my_last_visit"] is not None
    assert [v["name"] for v in feed["visitors"]] == ["Kåre Koordinator", "Mona Mor", "Lise Lege"]


def test_timeline_newest_first_future_on_top_only_what_i_may_see(group: Group) -> None:
    h = group.h
    add_event(group, "coordinator", "Fremtidig møte", 10)
    add_event(group, "coordinator", "Nærmere møte", 2)
    add_event(group, "coordinator", "Forbi", -2)
    later(h, minutes=1)
    group.send("coordinator", ["relative"], "Bare til mor")
    later(h, minutes=1)
    group.send("coordinator", ["provider"], "Til legen")
    tl = group.ok("relative", "GET", "/timeline")
    titles = [i["title"] for i in tl["items"]]
    assert titles[:2] == ["Fremtidig møte", "Nærmere møte"]
    assert all(i["future"] for i in tl["items"][:2])
    assert "Bare til mor" in titles and "Til legen" not in titles
    assert titles.index("Bare til mor") < titles.index("Forbi")
    tl = group.ok("coordinator", "GET", "/timeline")
    assert {"Bare til mor", "Til legen"} <= {i["title"] for i in tl["items"]}


def test_timeline_hides_goal_events_from_those_without_the_right(group: Group) -> None:
    add_goal(group, "Egen bolig")
    with group.h.ctx.db.writing() as db:
        p = db.get_one(Participant, group.pids["relative"])
        p.rights = Rights(goals=Access.NONE).model_dump(mode="json")
    kinds = lambda who: [i["kind"] for i in group.ok(who, "GET", "/timeline")["items"]]  # noqa: E731
    assert "goal" in kinds("provider")
    assert "goal" not in kinds("relative")


def test_timeline_marks_new_items_since_my_last_login(group: Group) -> None:
    h = group.h
    group.send("coordinator", ["relative"], "Før")
    later(h, minutes=30)
    login(h, "mor")  # previous login is now the one before
    later(h, minutes=1)
    group.send("coordinator", ["relative"], "Etter")
    token = login(h, "mor")
    group.tokens["relative"] = token
    tl = group.ok("relative", "GET", "/timeline")
    new = {i["title"]: i["new"] for i in tl["items"]}
    assert new == {"Før": False, "Etter": True}
    assert tl["last_login"] is not None


def add_goal(g: Group, title: str) -> dict:  # type: ignore[type-arg]
    body = {"title": title, "registered_on": day(g, 0)}
    return g.ok("coordinator", "POST", "/goals", body)  # type: ignore[no-any-return]


def page_through(g: Group, who: str, limit: int, **first: object) -> list[dict]:  # type: ignore[type-arg]
    """Every past item, a page of `limit` at a time, by the cursor each page gives."""
    items: list[dict] = []  # type: ignore[type-arg]
    params: dict[str, object] = {"limit": limit, **first}
    for _ in range(100):
        tl = g.ok(who, "GET", "/timeline", **params)
        items += [i for i in tl["items"] if not i["future"]]
        if not tl["has_more"]:
            assert tl["next_cursor"] is None
            return items
        params = {"limit": limit, "cursor": tl["next_cursor"]}
    raise AssertionError("the timeline never ended")


def test_timeline_pages_by_date_time_and_id_without_skipping_or_repeating(group: Group) -> None:
    # Three past entries on one day: the page limit must take them by date *and* time,
    # and a page ending between the two 08:00 entries must not lose the second one.
    late = add_event(group, "coordinator", "Kl 15", -3, start_time="15:00")
    early_a = add_event(group, "coordinator", "Kl 8 a", -3, start_time="08:00")
    early_b = add_event(group, "coordinator", "Kl 8 b", -3, start_time="08:00")
    first = group.ok("coordinator", "GET", "/timeline", limit=50)
    calendar = [i["object_id"] for i in first["items"] if i["kind"] == "calendar"]
    assert calendar == [late["id"], early_b["id"], early_a["id"]]
    everything = [(i["object_type"], i["object_id"]) for i in first["items"]]
    assert not first["has_more"]

    paged = page_through(group, "coordinator", 1)
    assert [(i["object_type"], i["object_id"]) for i in paged] == everything
    only_calendar = [i["object_id"] for i in paged if i["kind"] == "calendar"]
    assert only_calendar == [late["id"], early_b["id"], early_a["id"]]
    # The first page of one item is the 15:00 entry (nothing happened later in the past
    # but the plan's own events, which are newer than three days ago).
    assert paged[len(everything) - 3]["title"] == "Kl 15"


def test_timeline_old_before_parameter_still_pages_strictly_older(group: Group) -> None:
    add_event(group, "coordinator", "Gammel", -5, start_time="10:00")
    add_event(group, "coordinator", "Eldre", -6)
    tl = group.ok("coordinator", "GET", "/timeline", before=f"{day(group, -5)}T10:00:00+00:00")
    assert [i["title"] for i in tl["items"]] == ["Eldre"]
    assert error(group.call("coordinator", "GET", "/timeline", cursor="not-a-cursor")) == (
        422,
        "validation_error",
    )


def test_timeline_leaves_out_deleted_goals_and_says_where_comments_are(group: Group) -> None:
    kept = add_goal(group, "Bo hjemme")
    gone = add_goal(group, "Slettes")
    activity = group.ok(
        "coordinator",
        "POST",
        "/activities",
        {"goal_id": kept["id"], "title": "Handle", "date": day(group, 0)},
    )
    on_goal = group.ok("coordinator", "POST", "/comments", {"goal_id": kept["id"], "body": "Bra"})
    on_act = group.ok(
        "coordinator", "POST", "/comments", {"activity_id": activity["id"], "body": "Ok"}
    )
    r = group.call("coordinator", "DELETE", f"/goals/{gone['id']}")
    assert r.status_code == 204
    items = group.ok("provider", "GET", "/timeline")["items"]
    found = {(i["object_type"], i["object_id"]): i for i in items}
    assert ("goal", gone["id"]) not in found
    assert all(i["title"] for i in items if i["kind"] in ("goal", "activity", "comment"))
    places = {
        key: (found[key]["goal_id"], found[key]["activity_id"])
        for key in [
            ("goal", kept["id"]),
            ("activity", activity["id"]),
            ("goal_comment", on_goal["id"]),
            ("activity_comment", on_act["id"]),
        ]
    }
    assert places == {
        ("goal", kept["id"]): (kept["id"], None),
        ("activity", activity["id"]): (kept["id"], activity["id"]),
        ("goal_comment", on_goal["id"]): (kept["id"], None),
        ("activity_comment", on_act["id"]): (kept["id"], activity["id"]),
    }
    # Deleting the goal takes its activity and comments out of the timeline too.
    assert group.call("coordinator", "DELETE", f"/goals/{kept['id']}").status_code == 204
    kinds = {i["kind"] for i in group.ok("provider", "GET", "/timeline")["items"]}
    assert not kinds & {"goal", "activity", "comment"}


def test_calendar_search_takes_percent_and_underscore_as_themselves(group: Group) -> None:
    add_event(group, "coordinator", "Rabatt 100% på buss", 1)
    add_event(group, "coordinator", "Møte", 1, place="rom_2")
    add_event(group, "coordinator", "Møte rom 12", 2)

    def found(q: str) -> list[str]:
        return [e["title"] for e in group.ok("owner", "GET", "/events", q=q)]

    assert found("100%") == ["Rabatt 100% på buss"]
    assert found("0%") == ["Rabatt 100% på buss"]
    assert found("%") == ["Rabatt 100% på buss"]
    assert found("rom_") == ["Møte"]  # "_" is not "any one character"
    assert found("_") == ["Møte"]
    assert found("RABATT") == ["Rabatt 100% på buss"]
