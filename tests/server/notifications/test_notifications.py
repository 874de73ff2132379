"""Notifications (varslinger): preferences respected, no plan content ever, bursts folded,
failures retried, every attempt recorded. E-mail goes to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from server.accounts.models import Person, UserAccount
from server.notifications.models import Delivery, Notification
from server.notifications.worker import Notifier
from tests.conftest import free_port
from tests.server.conftest import Org
from tests.server.plan_group import Group, later, make_group
from tests.server.support import Inbox

FOLD = 60
QUIET = 600


@pytest.fixture
def smtp_group(make_org: Callable[..., Org], smtp: tuple[int, Inbox]) -> tuple[Group, Inbox]:
    port, inbox = smtp
    org = make_org(
        email=f"smtp://127.0.0.1:{port}",
        notify_fold_seconds=FOLD,
        notify_quiet_seconds=QUIET,
        notify_interval_seconds=0,
    )
    return make_group(org, provider="sms"), inbox  # codes by SMS (the file sink)


def contact(g: Group, username: str) -> tuple[str, str]:
    with g.h.ctx.db.read_session() as db:
        user = db.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        person = db.get_one(Person, user.person_id)
        return person.mobile or "", person.email or ""


def notifications_sms(g: Group) -> list[dict[str, Any]]:
    return [m for m in g.h.sent("sms") if "engangskode" not in m["body"].lower()]


def mails(inbox: Inbox) -> list[tuple[str, str, str]]:
    out = []
    for rcpts, msg in inbox.messages:
        body = msg.get_payload(decode=True)
        assert isinstance(body, bytes)
        out.append((rcpts[0], str(msg["Subject"]), body.decode()))
    return [m for m in out if "engangskode" not in m[2].lower()]


def run(g: Group) -> Any:
    return Notifier(g.h.ctx).run_once()


def test_preferences_are_respected_per_person_kind_and_channel(
    smtp_group: tuple[Group, Inbox],
) -> None:
    g, inbox = smtp_group
    g.ok("relative", "PUT", "/notifications", {"new_message": ["sms", "email"]})
    g.ok("provider", "PUT", "/notifications", {"new_message": [], "new_calendar_entry": ["email"]})
    # The owner keeps the default: new messages by the login channel (SMS).
    g.send("coordinator", ["relative", "provider", "owner"], "Innkalling", "Møte tirsdag")
    later(g.h, seconds=FOLD)
    result = run(g)
    assert result.sent == 3
    mother_sms, mother_mail = contact(g, "mor")
    owner_sms, _ = contact(g, "eier")
    _, doctor_mail = contact(g, "lege")
    assert sorted(m["to"] for m in notifications_sms(g)) == sorted([mother_sms, owner_sms])
    assert [m[0] for m in mails(inbox)] == [mother_mail]

    # A calendar entry: only the provider asked to hear of those; the author is not told.
    g.ok("relative", "POST", "/events", {"title": "Timeavtale", "start_date": "2030-01-02"})
    later(g.h, seconds=FOLD)
    assert run(g).sent == 1
    assert [m[0] for m in mails(inbox)] == [mother_mail, doctor_mail]


ALL_KINDS = (
    "new_message",
    "new_goal_or_activity",
    "new_comment",
    "new_calendar_entry",
    "new_participant",
)


def test_no_plan_content_in_any_notification(smtp_group: tuple[Group, Inbox]) -> None:
    g, inbox = smtp_group
    for who in ("relative", "provider", "owner", "coordinator"):
        g.ok(who, "PUT", "/notifications", {k: ["sms", "email"] for k in ALL_KINDS})
    today = g.h.clock.today().isoformat()
    # Every kind of event, each carrying words that must never leave the plan.
    g.send("coordinator", ["relative", "provider", "owner"], "Diagnose Zq81", "Innhold Wx93")
    g.ok(
        "relative",
        "POST",
        "/events",
        {"title": "Time hos Yp55", "start_date": "2030-01-02", "place": "Avdeling Vk27"},
    )
    g.ok(
        "coordinator",
        "POST",
        "/participants",
        {
            "person": {
                "first_name": "Tormod",
                "last_name": "Qjelsen",
                "email": "tormod.qjelsen@example.invalid",
                "workplace": "Rusteam Bx61",
                "position": "Terapeut Cu72",
            },
            "role": "provider",
            "consent_expires": "2031-01-01",
            "responsibility": "Oppfølging Rk44",
        },
    )
    goal = g.ok(
        "coordinator",
        "POST",
        "/goals",
        {"title": "Mål Gh12", "registered_on": today, "description": "Beskrivelse Jn34"},
    )
    activity = g.ok(
        "coordinator",
        "POST",
        "/activities",
        {"goal_id": goal["id"], "title": "Aktivitet Lm56", "date": today, "when": "Tirsdag Dv83"},
    )
    g.ok("provider", "POST", "/comments", {"goal_id": goal["id"], "body": "Kommentar Pt78"})
    g.ok("owner", "POST", "/comments", {"activity_id": activity["id"], "body": "Svar Ns29"})
    later(g.h, seconds=FOLD)
    run(g)
    texts = [m["subject"] + " " + m["body"] for m in notifications_sms(g)]
    texts += [subject + " " + body for _, subject, body in mails(inbox)]
    assert len(texts) == 8  # four people, two channels each, everything folded into one
    secrets = (
        *("Zq81", "Wx93", "Yp55", "Vk27"),  # message, calendar entry
        *("Tormod", "Qjelsen", "Bx61", "Cu72", "Rk44"),  # the new participant
        *("Gh12", "Jn34", "Lm56", "Dv83", "Pt78", "Ns29"),  # goal, activity, comments
        *("Hjertesak", "Ola", "Eiersen", "Mona", "Kåre", "Lise"),  # plan name, people
    )
    for text in texts:
        for secret in secrets:
            assert secret not in text, (secret, text)
        assert f"plan nr. {g.plan}" in text
    # The events did reach everyone (so the check above had something to look at).
    assert all("nye" in text for text in texts)


def test_support_sees_the_notification_deliveries_of_an_account(
    smtp_group: tuple[Group, Inbox],
) -> None:
    from tests.server.support import API, add_user, bearer, login

    g, inbox = smtp_group
    g.ok("relative", "PUT", "/notifications", {"new_message": ["sms", "email"]})
    g.send("coordinator", ["relative"], "Diagnose Zq81", "Innhold Wx93")
    later(g.h, seconds=FOLD)
    assert run(g).sent == 2
    assert [to for to, _, _ in mails(inbox)] == [contact(g, "mor")[1]]  # it did go out
    with g.h.ctx.db.read_session() as db:
        unit_id, mother = db.execute(
            select(Person.unit_id, UserAccount.id)
            .join(UserAccount, UserAccount.person_id == Person.id)
            .where(UserAccount.username == "mor")
        ).one()
    add_user(g.h, "brukerstotte", unit_id, system_role="support", channel="sms")
    token = login(g.h, "brukerstotte")
    r = g.h.client.get(f"{API}/admin/users/{mother}", headers=bearer(token))
    assert r.status_code == 200, r.text
    notes = [d for d in r.json()["deliveries"] if d["purpose"] == "notification"]
    assert sorted((d["channel"], d["status"]) for d in notes) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    mobile, email = contact(g, "mor")
    for d in notes:  # masked: support sees where it went, not the whole address
        assert d["destination"] not in (mobile, email) and d["destination"]
    assert "Zq81" not in r.text and "Wx93" not in r.text
    # Support reads no plan content.
    r = g.h.client.get(f"{API}/plans/{g.plan}/messages", headers=bearer(token))
    assert r.status_code == 404


def test_a_burst_is_folded_into_one_notification(smtp_group: tuple[Group, Inbox]) -> None:
    g, inbox = smtp_group
    g.ok(
        "relative",
        "PUT",
        "/notifications",
        {"new_message": ["email"], "new_calendar_entry": ["email"]},
    )
    for i in range(40):
        g.send("coordinator", ["relative"], f"Melding {i}")
        if i % 10 == 0:
            run(g)  # passes during the burst fold in, send nothing yet
    assert mails(inbox) == []
    later(g.h, seconds=FOLD)
    assert run(g).sent == 1
    [(_, _, body)] = mails(inbox)
    assert "40 nye" in body
    # More events soon after wait for the quiet period, then come as one.
    for i in range(3):
        g.ok("coordinator", "POST", "/events", {"title": f"Møte {i}", "start_date": "2030-02-01"})
    later(g.h, seconds=FOLD)
    assert run(g).sent == 0
    later(g.h, seconds=QUIET)
    assert run(g).sent == 1
    assert "3 nye" in mails(inbox)[-1][2]
    assert run(g).sent == 0  # nothing twice


def test_a_failed_delivery_is_recorded_and_retried(make_org: Callable[..., Org]) -> None:
    dead = free_port()  # nothing listens here
    org = make_org(
        email=f"smtp://127.0.0.1:{dead}",
        notify_fold_seconds=0,
        notify_interval_seconds=0,
        smtp_timeout_seconds=2,
    )
    g = make_group(org, provider="sms")
    g.ok("relative", "PUT", "/notifications", {"new_message": ["email"]})
    g.send("coordinator", ["relative"], "Hei")
    result = run(g)
    assert (result.sent, result.failed) == (0, 1)
    with g.h.ctx.db.read_session() as db:
        note = db.scalars(select(Notification)).one()
        assert (note.status, note.attempts) == ("pending", 1)
        first_retry = note.due_at
        failed = db.scalars(select(Delivery).where(Delivery.purpose == "notification")).all()
        assert [d.status for d in failed] == ["failed"]
    assert run(g).failed == 0  # not yet due again
    # The mail server comes back; the retry goes out.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=dead)
    controller.start()
    try:
        g.h.clock._now = first_retry
        assert run(g).sent == 1
    finally:
        controller.stop()
    assert len(mails(inbox)) == 1
    with g.h.ctx.db.read_session() as db:
        statuses = [
            d.status
            for d in db.scalars(
                select(Delivery).where(Delivery.purpose == "notification").order_by(Delivery.id)
            )
        ]
        assert statuses == ["failed", "sent"]
        assert db.scalars(select(Notification)).one().status == "sent"


def test_a_person_without_the_right_hears_nothing_of_goals(smtp_group: tuple[Group, Inbox]) -> None:
    from sampro_contract import Access, Rights
    from server.participants.models import Participant
    from server.timeline.events import EventKind, raise_event

    g, inbox = smtp_group
    for who in ("relative", "provider"):
        g.ok(who, "PUT", "/notifications", {"new_goal_or_activity": ["email"]})
    with g.h.ctx.db.writing() as db:
        db.get_one(Participant, g.pids["relative"]).rights = Rights(goals=Access.NONE).model_dump(
            mode="json"
        )
        raise_event(
            db,
            g.plan,
            EventKind.NEW_GOAL_OR_ACTIVITY,
            "goal",
            1,
            g.pids["coordinator"],
            g.h.clock.now(),
        )
    later(g.h, seconds=FOLD)
    run(g)
    assert [m[0] for m in mails(inbox)] == [contact(g, "lege")[1]]


def test_expired_consent_or_a_closed_plan_means_no_notification(
    smtp_group: tuple[Group, Inbox],
) -> None:
    from datetime import timedelta

    from server.participants.models import Participant
    from server.plans.models import Plan

    g, inbox = smtp_group
    g.ok("relative", "PUT", "/notifications", {"new_message": ["email"]})
    g.send("coordinator", ["relative"], "Hei")
    with g.h.ctx.db.writing() as db:
        db.get_one(Participant, g.pids["relative"]).consent_expires = g.h.clock.today() - timedelta(
            days=1
        )
    later(g.h, seconds=FOLD)
    run(g)
    assert mails(inbox) == []
    with g.h.ctx.db.writing() as db:
        db.get_one(Participant, g.pids["relative"]).consent_expires = None
        db.get_one(Plan, g.plan).closed_at = g.h.clock.now()
    g.ok("relative", "GET", "/messages")  # still readable
    run(g)
    assert mails(inbox) == []


def test_the_background_worker_sends_without_anyone_asking(make_org: Callable[..., Org]) -> None:
    import time

    org = make_org(notify_fold_seconds=0, notify_interval_seconds=0.05)
    g = make_group(org)
    g.send("coordinator", ["owner"], "Hei")
    notifier = Notifier(g.h.ctx)
    notifier.start()
    try:
        deadline = time.monotonic() + 10
        while not notifications_sms(g) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        notifier.stop()
    assert [m["to"] for m in notifications_sms(g)] == [contact(g, "eier")[0]]
