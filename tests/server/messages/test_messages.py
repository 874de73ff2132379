"""Messages, notes and minutes: who sees what, read receipts, drafts, folders, sorting."""

from __future__ import annotations

from sqlalchemy import select

from server.log.models import AuditLog
from server.timeline.models import PlanEvent
from tests.server.plan_group import (
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


def test_only_the_sender_sees_how_many_have_read_a_message(group: Group) -> None:
    m = group.send("coordinator", ["relative", "provider"])
    group.ok("relative", "GET", f"/messages/{m['id']}")
    sent = group.ok("coordinator", "GET", "/messages", folder="sent")["items"][0]
    assert (sent["id"], sent["read_count"]) == (m["id"], 1)
    # The other recipient's inbox (and the home feed) says nothing of who else has read it.
    inbox = group.ok("provider", "GET", "/messages")["items"][0]
    assert (inbox["id"], inbox["unread"], inbox["read_count"]) == (m["id"], True, 0)
    feed = group.ok("provider", "GET", "/home-feed")["latest_messages"]
    assert [(x["id"], x["read_count"]) for x in feed] == [(m["id"], 0)]


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


def test_sending_a_draft_checks_its_saved_recipients_again(group: Group) -> None:
    from datetime import timedelta

    from server.accounts.models import UserAccount
    from server.participants.models import Participant

    who = ["relative", "provider", "owner"]
    d = group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Utkast", "recipient_ids": [group.pids[x] for x in who], "send": False},
    )
    # Since the draft was saved: the provider left the plan, the relative's consent ran out.
    group.ok("coordinator", "DELETE", f"/participants/{group.pids['provider']}")
    with group.h.ctx.db.writing() as db:
        relative = db.get_one(Participant, group.pids["relative"])
        relative.consent_expires = group.h.clock.now().date() - timedelta(days=1)
    r = group.call("coordinator", "PATCH", f"/messages/{d['id']}", {"version": 1, "send": True})
    assert error(r) == (422, "validation_error")
    details = r.json()["error"]["details"]
    assert "Mona Mor" in details["fields"]["recipient_ids"]
    assert "Lise Lege" in details["fields"]["recipient_ids"]
    assert details["not_allowed"] == [group.pids["relative"], group.pids["provider"]]
    # Nothing was sent and the draft is as it was.
    assert group.ok("owner", "GET", "/messages")["items"] == []
    assert group.ok("coordinator", "GET", f"/messages/{d['id']}")["version"] == 1
    # The writer decides: sending to those still allowed works.
    sent = group.ok(
        "coordinator",
        "PATCH",
        f"/messages/{d['id']}",
        {"version": 1, "send": True, "recipient_ids": [group.pids["owner"]]},
    )
    assert [x["participant_id"] for x in sent["recipients"]] == [group.pids["owner"]]

    # A recipient whose login has been deactivated cannot be sent to either.
    d2 = group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Nytt", "recipient_ids": [group.pids["owner"]], "send": False},
    )
    with group.h.ctx.db.writing() as db:
        owner = db.scalars(select(UserAccount).where(UserAccount.username == "eier")).one()
        owner.active = False
    r = group.call("coordinator", "PATCH", f"/messages/{d2['id']}", {"version": 1, "send": True})
    assert error(r) == (422, "validation_error")
    assert r.json()["error"]["details"]["not_allowed"] == [group.pids["owner"]]


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


def test_the_sent_and_draft_folders_sort_by_recipient_and_every_other_column(
    group: Group,
) -> None:
    group.send("coordinator", ["relative"], "Bbb")  # Mor
    later(group.h, minutes=1)
    group.send(
        "coordinator", ["provider", "owner"], "Aaa", kind="minutes", category="Skole"
    )  # Lege first: the first recipient as chosen, not the alphabet
    later(group.h, minutes=1)
    ccc = group.send("coordinator", ["owner"], "Ccc", kind="note", category="Arbeid")
    group.ok("owner", "GET", f"/messages/{ccc['id']}")  # read by its one recipient
    expected = {
        "date": ["Bbb", "Aaa", "Ccc"],
        "subject": ["Aaa", "Bbb", "Ccc"],
        "recipient": ["Ccc", "Aaa", "Bbb"],  # Eiersen, Lege, Mor
        "kind": ["Bbb", "Aaa", "Ccc"],
        "category": ["Ccc", "Aaa", "Bbb"],
        "read": ["Aaa", "Bbb", "Ccc"],  # none read (newest first), then one
    }

    def subjects(folder: str, sort: str, order: str) -> list[str]:
        page = group.ok("coordinator", "GET", "/messages", folder=folder, sort=sort, order=order)
        return [m["subject"] for m in page["items"]]

    for sort, asc in expected.items():
        assert subjects("sent", sort, "asc") == asc, sort
        assert subjects("sent", sort, "desc") != asc, sort
    assert subjects("sent", "recipient", "desc") == ["Bbb", "Aaa", "Ccc"]
    # Every message has the same sender: that sort leaves them newest first either way.
    assert subjects("sent", "sender", "asc") == subjects("sent", "sender", "desc")

    group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Til ingen ennå", "recipient_ids": [], "send": False},
    )
    later(group.h, minutes=1)
    group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Til Mor", "recipient_ids": [group.pids["relative"]], "send": False},
    )
    group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Til Eiersen", "recipient_ids": [group.pids["owner"]], "send": False},
    )
    # A draft without recipients comes last both ways.
    assert subjects("drafts", "recipient", "asc") == ["Til Eiersen", "Til Mor", "Til ingen ennå"]
    assert subjects("drafts", "recipient", "desc") == ["Til Mor", "Til Eiersen", "Til ingen ennå"]


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
    from server.plans.models import Plan

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


def test_search_covers_all_my_folders_within_the_plan(group: Group) -> None:
    group.send("relative", ["coordinator"], "Skoleskyss", "mottatt")
    later(group.h, minutes=1)
    group.send("coordinator", ["provider"], "Om skolen", "sendt")
    later(group.h, minutes=1)
    group.ok(
        "coordinator",
        "POST",
        "/messages",
        {"subject": "Utkast", "body": "skole i utkast", "recipient_ids": [], "send": False},
    )
    group.send("provider", ["relative"], "Skole for andre", "ikke til meg")  # not mine
    group.send("relative", ["coordinator"], "Annet", "ikke treff")
    found = group.ok("coordinator", "GET", "/messages", q="skole", all_folders="true")
    got = [(m["subject"], m["folder"]) for m in found["items"]]
    assert got == [("Utkast", "drafts"), ("Om skolen", "sent"), ("Skoleskyss", "inbox")]
    assert found["total"] == 3
    older_first = group.ok(
        "coordinator", "GET", "/messages", q="skole", all_folders="true", order="asc"
    )
    assert [m["subject"] for m in older_first["items"]] == ["Skoleskyss", "Om skolen", "Utkast"]
    second = group.ok(
        "coordinator", "GET", "/messages", q="skole", all_folders="true", page=2, page_size=2
    )
    assert [m["subject"] for m in second["items"]] == ["Skoleskyss"]
    # One folder still means one folder.
    inbox = group.ok("coordinator", "GET", "/messages", q="skole")
    assert [m["subject"] for m in inbox["items"]] == ["Skoleskyss"]
