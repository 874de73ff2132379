"""The access matrix for working together (messages, calendar, home feed, timeline,
notification choices): the same people as the main matrix (`TABLE` in
test_access_matrix.py) x every route of this part, allowed (and did it) or refused with
the exact code (and changed nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from sampro_contract import PlanRole
from server.accounts.models import UserAccount
from server.calendar.models import CalendarEvent
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant
from tests.server.access.test_matrix_plans import (
    OUTCOMES,
    TABLE,
    Case,
    Row,
    World,
    make_case,
)
from tests.server.support import API, bearer, error

ROUTES = [
    "GET messages",
    "POST message",
    "GET message",
    "PATCH draft",
    "PATCH draft (stale version)",
    "DELETE draft",
    "GET recipients",
    "GET events",
    "POST event",
    "GET event",
    "PATCH event",
    "PATCH event (stale version)",
    "DELETE event",
    "GET home-feed",
    "GET timeline",
    "GET notifications",
    "PUT notifications",
]

# Messages and the calendar are open to every participant with valid consent; a calendar
# entry (made here by another provider) is changed by its author and the coordinator.
COORD_OPEN = "A A A A V A A  A A A A V A  A A A A"
MEMBER_OPEN = "A A A A V A A  A A A F F F  A A A A"
CLOSED = "A X A X X X A  A X A X X X  A A A X"
CONSENT = "C C C C C C C  C C C C C C  C C C C"
NONE = "N N N N N N N  N N N N N N  N N N N"

#        messages: list send read draft stale delete recipients | calendar: list add get edit
#        stale delete | home-feed timeline notifications (get, put)
EXPECT = {
    "coordinator": COORD_OPEN,
    "coordinator, closed plan": CLOSED,
    "coordinator, consent expired": CONSENT,
    "coordinator, consent expired, closed": CONSENT,
    "coordinator, consent ends today": COORD_OPEN,
    "owner": MEMBER_OPEN,
    "owner, closed plan": CLOSED,
    "owner, consent expired": CONSENT,
    "relative, default rights": MEMBER_OPEN,
    "relative with the log right": MEMBER_OPEN,
    "relative, closed plan": CLOSED,
    "provider, default rights": MEMBER_OPEN,
    "provider, edits presentation": MEMBER_OPEN,
    "provider, edits presentation, closed": CLOSED,
    "provider with every right (not coordinator)": MEMBER_OPEN,
    "provider, consent ends today": MEMBER_OPEN,
    "provider, consent expired": CONSENT,
    "provider, consent expired, closed": CONSENT,
    "removed participant": NONE,
    "removed coordinator": NONE,
    "user not taking part": NONE,
    "support, not taking part": NONE,
    "system administrator, not taking part": NONE,
    "local administrator of the unit": NONE,
    "local administrator, closed plan": NONE,
}


def test_every_row_of_the_main_table_has_expectations_here() -> None:
    assert set(EXPECT) == {r.name for r in TABLE}
    for name, letters in EXPECT.items():
        assert len(letters.replace(" ", "")) == len(ROUTES), name


@dataclass
class CollabCase:
    base: Case
    me: int | None  # the caller's participant id, when they take part
    message: int  # sent by the plan's provider to the caller (or the coordinator)
    draft: int  # the caller's draft (or the provider's, for those not taking part)
    event: int  # made by the provider
    coordinator: int


def _participant(w: World, plan: int, person: int) -> int | None:
    with w.h.ctx.db.read_session() as db:
        return db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan, Participant.person_id == person
            )
        ).first()


def make_collab_case(w: World, r: Row) -> CollabCase:
    base = make_case(w, r)
    h = w.h
    now = h.clock.now()
    me = _participant(w, base.plan, w.member_person) if r.who == "member" else None
    coordinator = _participant(w, base.plan, w.coordinator_person) or me
    assert coordinator is not None
    to = me or coordinator
    with h.ctx.db.writing() as db:
        # The provider can log in, so others may write to them.
        provider = db.get_one(Participant, base.target)
        db.add(
            UserAccount(
                person_id=provider.person_id,
                username=f"yter{base.plan}",
                password_hash="-",
                must_change_password=False,
                created_at=now,
            )
        )
        message = Message(
            plan_id=base.plan,
            sender_participant_id=base.target,
            subject="Til deg",
            body="Innhold",
            sent_at=now,
            created_at=now,
            updated_at=now,
        )
        draft = Message(
            plan_id=base.plan,
            sender_participant_id=me or base.target,
            subject="Kladd",
            body="Uferdig",
            created_at=now,
            updated_at=now,
            version=3,
        )
        db.add_all([message, draft])
        db.flush()
        db.add(
            MessageRecipient(
                message_id=message.id, participant_id=to, plan_id=base.plan, sent_at=now
            )
        )
        event = CalendarEvent(
            plan_id=base.plan,
            title="Møte",
            start_date=now.date() + timedelta(days=3),
            end_date=now.date() + timedelta(days=3),
            created_by_participant_id=base.target,
            created_at=now,
            updated_at=now,
            version=3,
        )
        db.add(event)
        db.flush()
        return CollabCase(base, me, message.id, draft.id, event.id, coordinator)


def snapshot(w: World, c: CollabCase) -> Any:
    with w.h.ctx.db.read_session() as db:
        plan = c.base.plan
        messages = db.execute(
            select(Message.id, Message.subject, Message.body, Message.sent_at, Message.version)
            .where(Message.plan_id == plan)
            .order_by(Message.id)
        ).all()
        receipts = db.execute(
            select(MessageRecipient.id, MessageRecipient.participant_id, MessageRecipient.read_at)
            .where(MessageRecipient.plan_id == plan)
            .order_by(MessageRecipient.id)
        ).all()
        events = db.execute(
            select(CalendarEvent.id, CalendarEvent.title, CalendarEvent.version)
            .where(CalendarEvent.plan_id == plan)
            .order_by(CalendarEvent.id)
        ).all()
        prefs = db.execute(
            select(Participant.id, Participant.notifications).where(Participant.plan_id == plan)
        ).all()
        return (
            [tuple(x) for x in messages],
            [tuple(x) for x in receipts],
            [tuple(x) for x in events],
            sorted((i, repr(p)) for i, p in prefs),
        )


def _call(w: World, token: str, method: str, path: str, body: Any = None) -> Any:
    return w.h.client.request(method, f"{API}{path}", headers=bearer(token), json=body)


def _day(w: World, days: int) -> str:
    return (w.h.clock.today() + timedelta(days=days)).isoformat()


Call = Callable[[World, CollabCase, str], Any]
P = "/plans/{}"

CALLS: dict[str, Call] = {
    "GET messages": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/messages"),
    "POST message": lambda w, c, t: _call(
        w,
        t,
        "POST",
        f"/plans/{c.base.plan}/messages",
        {"subject": "Ny", "body": "Tekst", "recipient_ids": [c.base.target]},
    ),
    "GET message": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/messages/{c.message}"),
    "PATCH draft": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.base.plan}/messages/{c.draft}", {"version": 3, "body": "Ny"}
    ),
    "PATCH draft (stale version)": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.base.plan}/messages/{c.draft}", {"version": 2, "body": "Gml"}
    ),
    "DELETE draft": lambda w, c, t: _call(
        w, t, "DELETE", f"/plans/{c.base.plan}/messages/{c.draft}"
    ),
    "GET recipients": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/recipients"),
    "GET events": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/events"),
    "POST event": lambda w, c, t: _call(
        w, t, "POST", f"/plans/{c.base.plan}/events", {"title": "Nytt", "start_date": _day(w, 5)}
    ),
    "GET event": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/events/{c.event}"),
    "PATCH event": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.base.plan}/events/{c.event}", {"version": 3, "title": "Endret"}
    ),
    "PATCH event (stale version)": lambda w, c, t: _call(
        w, t, "PATCH", f"/plans/{c.base.plan}/events/{c.event}", {"version": 2, "title": "Gml"}
    ),
    "DELETE event": lambda w, c, t: _call(w, t, "DELETE", f"/plans/{c.base.plan}/events/{c.event}"),
    "GET home-feed": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/home-feed"),
    "GET timeline": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/timeline"),
    "GET notifications": lambda w, c, t: _call(w, t, "GET", f"/plans/{c.base.plan}/notifications"),
    "PUT notifications": lambda w, c, t: _call(
        w, t, "PUT", f"/plans/{c.base.plan}/notifications", {"new_comment": ["email"]}
    ),
}

# The plan-scoped paths this module covers (for the main matrix's completeness test).
COVERED = {
    ("GET", f"{API}/plans/{{plan_id}}/messages"),
    ("POST", f"{API}/plans/{{plan_id}}/messages"),
    ("GET", f"{API}/plans/{{plan_id}}/messages/{{message_id}}"),
    ("PATCH", f"{API}/plans/{{plan_id}}/messages/{{message_id}}"),
    ("DELETE", f"{API}/plans/{{plan_id}}/messages/{{message_id}}"),
    ("GET", f"{API}/plans/{{plan_id}}/recipients"),
    ("GET", f"{API}/plans/{{plan_id}}/events"),
    ("POST", f"{API}/plans/{{plan_id}}/events"),
    ("GET", f"{API}/plans/{{plan_id}}/events/{{event_id}}"),
    ("PATCH", f"{API}/plans/{{plan_id}}/events/{{event_id}}"),
    ("DELETE", f"{API}/plans/{{plan_id}}/events/{{event_id}}"),
    ("GET", f"{API}/plans/{{plan_id}}/home-feed"),
    ("GET", f"{API}/plans/{{plan_id}}/timeline"),
    ("GET", f"{API}/plans/{{plan_id}}/notifications"),
    ("PUT", f"{API}/plans/{{plan_id}}/notifications"),
}


def check_allowed(w: World, c: CollabCase, route: str, r: Any, before: Any) -> None:
    after = snapshot(w, c)
    messages, receipts, events, prefs = after
    by_msg = {m[0]: m for m in messages}
    by_event = {e[0]: e for e in events}
    assert r.status_code < 300, r.text
    if route == "GET messages":
        assert c.message in {m["id"] for m in r.json()["items"]}
    elif route == "POST message":
        assert r.status_code == 201
        new = by_msg[r.json()["id"]]
        assert new[1:3] == ("Ny", "Tekst") and new[3] is not None
    elif route == "GET message":
        assert r.json()["body"] == "Innhold"
        assert [x[2] for x in receipts if x[1] == c.me] == [w.h.clock.now()]
        return  # the read receipt is the one change
    elif route == "PATCH draft":
        assert by_msg[c.draft][2] == "Ny" and by_msg[c.draft][4] == 4
    elif route == "DELETE draft":
        assert r.status_code == 204 and c.draft not in by_msg
    elif route == "GET recipients":
        assert c.base.target in {x["participant_id"] for x in r.json()}
    elif route == "GET events":
        assert c.event in {e["id"] for e in r.json()}
    elif route == "POST event":
        assert r.status_code == 201 and by_event[r.json()["id"]][1] == "Nytt"
    elif route == "GET event":
        assert r.json()["title"] == "Møte"
    elif route == "PATCH event":
        assert by_event[c.event][1:] == ("Endret", 4)
    elif route == "DELETE event":
        assert r.status_code == 204 and c.event not in by_event
    elif route == "GET home-feed":
        assert c.event in {e["id"] for e in r.json()["next_events"]}
    elif route == "GET timeline":
        assert c.event in {i["object_id"] for i in r.json()["items"] if i["kind"] == "calendar"}
    elif route == "GET notifications":
        assert "new_message" in r.json()
    elif route == "PUT notifications":
        assert r.json()["new_comment"] == ["email"]
        assert any("new_comment': ['email']" in p for i, p in prefs if i == c.me)
    else:  # pragma: no cover
        raise AssertionError(route)
    if route.startswith("GET"):
        assert after == before


CASES = [
    pytest.param(r, route, EXPECT[r.name].replace(" ", "")[i], id=f"{r.name} | {route}")
    for r in TABLE
    for i, route in enumerate(ROUTES)
]


@pytest.mark.parametrize(("r", "route", "letter"), CASES)
def test_access(world: World, r: Row, route: str, letter: str) -> None:
    case = make_collab_case(world, r)
    before = snapshot(world, case)
    response = CALLS[route](world, case, world.tokens[r.who])
    status, code = OUTCOMES[letter]
    if letter == "A":
        check_allowed(world, case, route, response, before)
    else:
        assert error(response) == (status, code), response.text
        assert snapshot(world, case) == before  # nothing changed, nothing marked read


def test_nothing_of_plan_b_through_plan_a(world: World) -> None:
    """Plan B's message and calendar entry, addressed through plan A's routes."""
    mine = make_collab_case(world, TABLE[0])  # the caller coordinates plan A
    other = make_collab_case(world, TABLE[0])
    with world.h.ctx.db.writing() as db:  # plan B's coordinator is not the caller
        for p in db.scalars(
            select(Participant).where(
                Participant.plan_id == other.base.plan,
                Participant.role == PlanRole.COORDINATOR.value,
            )
        ):
            p.removed_at = world.h.clock.now()
    before = snapshot(world, other)
    token = world.tokens["member"]
    a = mine.base.plan
    for method, path, body in [
        ("GET", f"/plans/{a}/messages/{other.message}", None),
        ("PATCH", f"/plans/{a}/messages/{other.draft}", {"version": 3, "body": "x"}),
        ("DELETE", f"/plans/{a}/messages/{other.draft}", None),
        ("GET", f"/plans/{a}/events/{other.event}", None),
        ("PATCH", f"/plans/{a}/events/{other.event}", {"version": 3, "title": "x"}),
        ("DELETE", f"/plans/{a}/events/{other.event}", None),
    ]:
        assert error(_call(world, token, method, path, body)) == (404, "not_found"), path
    r = _call(
        world,
        token,
        "POST",
        f"/plans/{a}/messages",
        {"subject": "x", "recipient_ids": [other.base.target]},
    )
    assert error(r) == (422, "validation_error")
    r = _call(
        world,
        token,
        "POST",
        f"/plans/{a}/messages",
        {"subject": "x", "recipient_ids": [mine.base.target], "reply_to_id": other.message},
    )
    assert error(r) == (404, "not_found")
    assert snapshot(world, other) == before
