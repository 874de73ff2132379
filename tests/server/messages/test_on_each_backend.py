"""Working together once per backend (SQLite, and PostgreSQL when configured): folders
and every sort, calendar, home feed, timeline, and notification workers side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable

from server.notifications.worker import Notifier
from tests.server.conftest import Org
from tests.server.plan_group import later, make_group


def test_messages_calendar_timeline_on_each_backend(
    make_org: Callable[..., Org], db_url: str
) -> None:
    g = make_group(make_org(db_url))
    for i in range(3):
        g.send("relative", ["coordinator", "provider"], f"Emne {i}", kind="note", category="Helse")
        later(g.h, seconds=1)
    d = g.ok("coordinator", "POST", "/messages", {"subject": "Utkast til emne", "send": False})
    for folder in ("inbox", "sent", "drafts"):
        for sort in ("date", "subject", "sender", "kind", "category", "read"):
            for order in ("asc", "desc"):
                page = g.ok(
                    "relative" if folder == "sent" else "coordinator",
                    "GET",
                    "/messages",
                    folder=folder,
                    sort=sort,
                    order=order,
                    q="e",
                )
                assert page["total"] == (1 if folder == "drafts" else 3), (folder, sort)
    first = g.ok("coordinator", "GET", "/messages")["items"][0]
    assert g.ok("coordinator", "GET", f"/messages/{first['id']}")["read_at"] is not None
    assert (
        g.ok(
            "coordinator",
            "PATCH",
            f"/messages/{d['id']}",
            {"version": 1, "recipient_ids": [g.pids["owner"]], "send": True},
        )["draft"]
        is False
    )
    g.ok(
        "owner",
        "POST",
        "/events",
        {"title": "Møte", "start_date": "2030-05-01", "start_time": "09:00"},
    )
    assert [
        e["title"]
        for e in g.ok("owner", "GET", "/events", from_date="2030-05-01", to_date="2030-05-31")
    ] == ["Møte"]
    assert g.ok("coordinator", "GET", "/home-feed")["unread_messages"] == 2
    assert len(g.ok("provider", "GET", "/timeline")["items"]) == 4  # 3 messages + 1 entry


def test_two_notifiers_at_once_send_each_notification_once(
    make_org: Callable[..., Org], db_url: str
) -> None:
    g = make_group(make_org(db_url, notify_fold_seconds=0, notify_interval_seconds=0))
    for who in ("relative", "provider", "owner"):
        g.ok(who, "PUT", "/notifications", {"new_message": ["sms"]})
    for i in range(10):
        g.send("coordinator", ["relative", "provider", "owner"], f"Hei {i}")
    results = []

    def run() -> None:
        results.append(Notifier(g.h.ctx).run_once())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Notifier(g.h.ctx).run_once()  # whatever a skipped fold left
    sms = [m for m in g.h.sent("sms") if "plan nr." in m["body"]]
    assert len(sms) == 3, sms  # one per person, the ten messages folded
    assert sum(r.events for r in results) <= 10
