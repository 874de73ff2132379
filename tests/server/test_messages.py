"""Messages, notes and minutes: who sees what, read receipts, drafts, folders, sorting."""

from __future__ import annotations

from sqlalchemy import select

from server.models import AuditLog, PlanEvent
from tests.server.collab_support import (
    Group,
    group_fixture,  # noqa: F401 - the `group` fixture
    later,
)
from tests.server.support import error


def ids(page: dict) -> list[int]:  # type: ignore[type-arg]
    return [m["id"] for m in page["items"]]


def test_a_message_is_seen_only_by_its_sender_and_recipients(group: Group) -> None:
    m = group.send("coordinator", ["relative"], "Til mor", "Hemmelig innhold")
    assert ids(group.ok("relative", "GET", "/messages")) == [m["id"]]
    assert group.ok("relative", "GET", f"/messages/{m['id']}")["body"] == "Hemmelig innhold"
    assert ids(group.ok("coordinator", "GET", "/messages", folder="sent")) == [m["id"]]
    assert group.ok("coordinator", "GET", f"/messages/{m['id']}")["mine"] is True
    for who in ("provider", "owner"):
        assert group.ok(who, "GET", "/messages")["items"] == []
        assert group.ok(who, "GET", "/messages", folder="sent")["items"] == []
        assert error(group.call(who, "GET", f"/messages/{m['id']}")) == (404, "not_found")
    assert error(group.call("outsider", "GET", f"/messages/{m['id']}")) == (404, "not_found")


def test_opening_a_message_marks_it_read_once_and_the_sender_sees_when(group: Group) -> None:
    m = group.send("coordinator", ["relative", "provider"])
    inbox = group.ok("relative", "GET", "/messages")
    assert inbox["items"][0]["unread"] is True
    sent = group.ok("coordinator", "GET", f"/messages/{m['id']}")
    assert [r["read_at"] for r in sent["recipients"]] == [None, None]

    later(group.h, minutes=5)
    first = group.ok("relative", "GET", f"/messages/{m['id']}")["read_at"]
    assert first is not None
    later(group.h, minutes=5)
    assert group.ok("relative", "GET", f"/messages/{m['id']}")["read_at"] == first
    assert group.ok("relative", "GET", "/messages")["items"][0]["unread"] is False

    sent = group.ok("coordinator", "GET", f"/messages/{m['id']}")
    receipts = {r["participant_id"]: r["read_at"] for r in sent["recipients"]}
    assert receipts == {group.pids["relative"]: first, group.pids["provider"]: None}
    listed = group.ok("coordinator", "GET", "/messages", folder="sent")["items"][0]
    assert (listed["recipient_count"], listed["read_count"]) == (2, 1)
    # Another recipient does not see who else has read it.
    other = group.ok("provider", "GET", f"/messages/{m['id']}")
    assert all(r["read_at"] is None for r in other["recipients"])


def test_the_sender_opening_their_own_message_marks_nothing_read(group: Group) -> None:
    m = group.send("coordinator", ["relative"])
    group.ok("coordinator", "GET", f"/messages/{m['id']}")
    assert group.ok("relative", "GET", "/messages")["items"][0]["unread"] is True


def test_drafts_are_private_to_their_author_until_sent(group: Group) -> None:
    d = group.ok(
        "coordinator",
        "POST",
        "/messages",
        {
            "subject": "Utkast",
            "body": "Ikke ferdig",
            "recipient_ids": [group.pids["relative"]],
            "send": False,
        },
    )
    assert d["draft"] is True and d["sent_at"] is None
    assert ids(group.ok("coordinator", "GET", "/messages", folder="drafts")) == [d["id"]]
    assert group.ok("coordinator", "GET", "/messages", folder="sent")["items"] == []
    assert group.ok("relative", "GET", "/messages")["items"] == []
    assert error(group.call("relative", "GET", f"/messages/{d['id']}")) == (404, "not_found")
    r = group.call("relative", "PATCH", f"/messages/{d['id']}", {"version": 1, "body": "x"})
    assert error(r) == (404, "not_found")
    assert error(group.call("relative", "DELETE", f"/messages/{d['id']}")) == (404, "not_found")
    # The draft does not count as a new message in the plan list.
    plans = group.h.client.get(
        "/api/v1/plans", headers={"Authorization": f"Bearer {group.tokens['relative']}"}
    )
    assert plans.json()["items"][0]["new_messages"] == 0

    edited = group.ok(
        "coordinator", "PATCH", f"/messages/{d['id']}", {"version": 1, "body": "Ferdig"}
    )
    assert edited["version"] == 2
    stale = group.call(
        "coordinator", "PATCH", f"/messages/{d['id']}", {"version": 1, "body": "Gammel"}
    )
    assert error(stale) == (409, "version_conflict")
    sent = group.ok("coordinator", "PATCH", f"/messages/{d['id']}", {"version": 2, "send": True})
    assert sent["draft"] is False
    plans = group.h.client.get(
        "/api/v1/plans", headers={"Authorization": f"Bearer {group.tokens['relative']}"}
    )
    assert plans.json()["items"][0]["new_messages"] == 1
    assert group.ok("relative", "GET", f"/messages/{d['id']}")["body"] == "Ferdig"
    again = group.call(
        "coordinator", "PATCH", f"/messages/{d['id']}", {"version": 3, "body": "Etterpå"}
    )
    assert error(again) == (409, "not_a_draft")
    assert error(group.call("coordinator", "DELETE", f"/messages/{d['id']}")) == (
        409,
        "not_a_draft",
    )


def test_a_draft_can_be_deleted_by_its_author(group: Group) -> None:
    d = group.ok("owner", "POST", "/messages", {"subject": "Kladd", "send": False})
    assert group.call("owner", "DELETE", f"/messages/{d['id']}").status_code == 204
    assert group.ok("owner", "GET", "/messages", folder="drafts")["items"] == []


def test_sending_needs_recipients_among_the_plan_group_and_a_subject(group: Group) -> None:
    r = group.call("coordinator", "POST", "/messages", {"subject": "Hei", "recipient_ids": []})
    assert error(r) == (422, "validation_error")
    r = group.call(
        "coordinator", "POST", "/messages", {"subject": "", "recipient_ids": [group.pids["owner"]]}
    )
    assert error(r) == (422, "validation_error")
    # Not oneself, not a stranger's participant id.
    for bad in (group.pids["coordinator"], 999_999):
        r = group.call("coordinator", "POST", "/messages", {"subject": "x", "recipient_ids": [bad]})
        assert error(r) == (422, "validation_error")


def test_recipients_picker_shows_how_each_wants_to_be_notified(group: Group) -> None:
    group.ok("relative", "PUT", "/notifications", {"new_message": ["sms", "email"]})
    rows = {r["participant_id"]: r for r in group.ok("coordinator", "GET", "/recipients")}
    assert group.pids["coordinator"] not in rows
    assert rows[group.pids["relative"]]["notify"] == ["email", "sms"]
    assert rows[group.pids["provider"]]["notify"] == ["email"]  # default: the login channel
    assert rows[group.pids["owner"]]["name"] == "Ola Eiersen"


def test_reply_forward_kinds_and_categories(group: Group) -> None:
    m = group.send("coordinator", ["relative", "provider"], "Møte i mai")
    reply = group.send("relative", ["coordinator"], "SV: Møte i mai", reply_to_id=m["id"])
    assert reply["reply_to_id"] == m["id"]
    note = group.send("provider", ["coordinator"], "Notat", kind="note", category="Helse")
    assert (note["kind"], note["category"]) == ("note", "Helse")
    plain = group.send("provider", ["coordinator"], "Melding", category="Ignoreres")
    assert plain["category"] is None
    # One cannot reply to what one cannot see.
    other = group.send("coordinator", ["owner"], "Bare til eier")
    r = group.call(
        "provider",
        "POST",
        "/messages",
        {"subject": "x", "recipient_ids": [group.pids["coordinator"]], "reply_to_id": other["id"]},
    )
    assert error(r) == (404, "not_found")


def test_every_column_sorts_both_ways_and_search_finds_text(group: Group) -> None:
    group.send("relative", ["coordinator"], "Bbb", "første tekst")
    later(group.h, minutes=1)
    group.send(
        "provider",
        ["coordinator"],
        "Aaa",
        "andre tekst med ordet skole",
        kind="minutes",
        category="Skole",
    )
    later(group.h, minutes=1)
    group.send("owner", ["coordinator"], "Ccc", "tredje", kind="note", category="Arbeid")
    first = group.ok("coordinator", "GET", "/messages", sort="subject", order="asc")["items"][0]
    group.ok("coordinator", "GET", f"/messages/{first['id']}")  # read "Aaa"
    expected = {
        "date": ["Ccc", "Aaa", "Bbb"],
        "subject": ["Aaa", "Bbb", "Ccc"],
        "sender": ["Ccc", "Aaa", "Bbb"],  # Eiersen, Lege, Mor
        "kind": ["Bbb", "Aaa", "Ccc"],  # message, minutes, note
        "category": ["Ccc", "Aaa", "Bbb"],  # Arbeid, Skole, none last
        "read": ["Ccc", "Bbb", "Aaa"],  # unread first (newest first among them)
    }
    for sort, asc in expected.items():
        got = [
            m["subject"]
            for m in group.ok("coordinator", "GET", "/messages", sort=sort, order="asc")["items"]
        ]
        if sort == "date":
            assert got == list(reversed(asc)), sort
        else:
            assert got == asc, sort
        desc = [
            m["subject"]
            for m in group.ok("coordinator", "GET", "/messages", sort=sort, order="desc")["items"]
        ]
        assert desc != got or len(set(got)) == 1, sort
    found = group.ok("coordinator", "GET", "/messages", q="SKOLE")
    assert [m["subject"] for m in found["items"]] == ["Aaa"]
    assert group.ok("coordinator", "GET", "/messages", q="100%")["items"] == []


def test_paging_tells_the_total(group: Group) -> None:
    for i in range(7):
        group.send("relative", ["coordinator"], f"Melding {i}")
    page = group.ok("coordinator", "GET", "/messages", page=2, page_size=3)
    assert page["total"] == 7 and len(page["items"]) == 3
    past = group.ok("coordinator", "GET", "/messages", page=9, page_size=3)
    assert past["total"] == 7 and past["items"] == []


def test_sending_raises_one_event_and_the_log_never_holds_the_contents(group: Group) -> None:
    m = group.send("coordinator", ["relative"], "Emne X17", "Innhold Y42")
    group.ok("relative", "GET", f"/messages/{m['id']}")
    with group.h.ctx.db.read_session() as db:
        events = db.scalars(select(PlanEvent).where(PlanEvent.plan_id == group.plan)).all()
        assert [(e.kind, e.object_id) for e in events] == [("new_message", m["id"])]
        rows = db.scalars(select(AuditLog).where(AuditLog.plan_id == group.plan)).all()
    actions = {r.action for r in rows}
    assert {"message_sent", "read"} <= actions
    text = repr([(r.action, r.object_type, r.detail) for r in rows])
    assert "X17" not in text and "Y42" not in text


def test_a_closed_plan_is_read_only_for_messages(group: Group) -> None:
    m = group.send("coordinator", ["relative"])
    from server.models import Plan

    with group.h.ctx.db.writing() as db:
        db.get_one(Plan, group.plan).closed_at = group.h.clock.now()
    assert group.ok("relative", "GET", f"/messages/{m['id']}")["id"] == m["id"]
    r = group.call(
        "relative",
        "POST",
        "/messages",
        {"subject": "x", "recipient_ids": [group.pids["coordinator"]]},
    )
    assert error(r) == (409, "plan_closed")
