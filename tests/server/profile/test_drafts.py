"""/me/drafts: a form's unsent text kept at session expiry. Plan text goes only under a
plan the user takes part in, and every save is logged (never the text)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from server.log.models import AuditLog
from server.participants.models import Participant
from server.profile.models import Draft
from tests.server.plan_group import (
    Group,
    group_fixture,  # noqa: F401 - the `group` fixture
)
from tests.server.support import API, bearer, error


def put_draft(g: Group, who: str, key: str, body: Any) -> httpx.Response:
    return g.h.client.put(f"{API}/me/drafts/{key}", headers=bearer(g.tokens[who]), json=body)


def test_a_draft_under_a_plan_needs_taking_part_in_it(group: Group) -> None:
    text = {"subject": "Hemmelig", "body": "Sensitiv tekst"}
    body = {"kind": "message", "plan_id": group.plan, "payload": text}
    assert error(put_draft(group, "outsider", "plan-x", body)) == (404, "not_found")
    missing = {**body, "plan_id": group.plan + 999}
    assert error(put_draft(group, "relative", "plan-y", missing)) == (404, "not_found")
    with group.h.ctx.db.read_session() as db:
        assert db.scalars(select(Draft)).all() == []

    r = put_draft(group, "relative", "plan-ok", body)
    assert r.status_code == 200, r.text
    own = {"kind": "note", "plan_id": None, "payload": {"text": "mitt"}}
    assert put_draft(group, "outsider", "own", own).status_code == 200


def test_a_draft_under_a_plan_whose_consent_expired_is_refused(group: Group) -> None:
    with group.h.ctx.db.writing() as db:
        p = db.get_one(Participant, group.pids["relative"])
        p.consent_expires = date.today() - timedelta(days=400)
    body = {"kind": "message", "plan_id": group.plan, "payload": {"body": "x"}}
    assert error(put_draft(group, "relative", "k", body)) == (403, "consent_expired")


def test_every_save_is_logged_without_the_text(group: Group) -> None:
    body = {"kind": "message", "plan_id": group.plan, "payload": {"body": "Sensitiv tekst"}}
    for _ in range(2):
        assert put_draft(group, "relative", "plan-1-message-new", body).status_code == 200
    put_draft(group, "outsider", "own", {"kind": "note", "payload": {"body": "Sensitiv tekst"}})
    with group.h.ctx.db.read_session() as db:
        rows = db.scalars(select(AuditLog).where(AuditLog.action == "draft_saved")).all()
        logged = [(r.username, r.plan_id, r.object_type, r.object_id) for r in rows]
        assert logged == [
            ("mor", group.plan, "draft", "plan-1-message-new"),
            ("mor", group.plan, "draft", "plan-1-message-new"),
            ("utenfor", None, "draft", "own"),
        ]
        assert all("Sensitiv" not in repr(r.detail) for r in rows)
