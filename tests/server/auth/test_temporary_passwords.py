"""Temporary passwords (new accounts, resets by support) are hashed before the route's
write transaction begins and sent after it commits: neither the slow hash nor a slow
mail server or SMS gateway may hold SQLite's write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from sampro_contract import PlanRole
from server.delivery import Outgoing, Sink
from server.notifications.models import Delivery
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    login,
    login_session,
    temporary_password_in,
    user_row,
)


def write_lock_free(h: Harness) -> bool:
    """Whether another connection could take SQLite's write lock right now."""
    path = h.ctx.settings.database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


class Probe:
    """Records, at each hash and each send, whether the write lock was free."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.at_hash: list[bool] = []
        self.at_send: list[bool] = []
        self.sent: list[Outgoing] = []
        hash_password = h.ctx.passwords.hash

        def hashing(password: str) -> str:
            self.at_hash.append(write_lock_free(h))
            return hash_password(password)

        h.ctx.passwords.hash = hashing  # type: ignore[method-assign]
        h.ctx.outbox.sms = self.sink(h.ctx.outbox.sms)
        h.ctx.outbox.email = self.sink(h.ctx.outbox.email)

    def sink(self, inner: Sink) -> Sink:
        probe = self

        class Watched:
            def send(self, msg: Outgoing, at: datetime) -> None:
                probe.at_send.append(write_lock_free(probe.h))
                probe.sent.append(msg)
                inner.send(msg, at)

        return Watched()

    def check(self) -> str:
        """Exactly one hash and one send, both with the lock free; the password sent."""
        assert self.at_hash == [True], self.at_hash
        assert self.at_send == [True], self.at_send
        [msg] = self.sent
        return temporary_password_in(msg.body)


def _consent(h: Harness) -> str:
    return (h.clock.today() + timedelta(days=90)).isoformat()


def _delivered(h: Harness, username: str, purpose: str) -> list[str]:
    user = user_row(h, username)
    with h.ctx.db.read_session() as db:
        return list(
            db.scalars(
                select(Delivery.status).where(
                    Delivery.user_id == user.id, Delivery.purpose == purpose
                )
            ).all()
        )


@pytest.fixture
def world(make_org: Callable[..., Org]) -> tuple[Harness, int, dict[str, str]]:
    org = make_org()
    h = org.h
    add_user(h, "lokaladmin", org.unit_id, system_role="local_admin", unit_role="admin")
    add_user(h, "support", org.unit_id, system_role="support", channel="email")
    add_user(h, "koord", org.unit_id, unit_role="coordinator")
    tokens = {n: login(h, n) for n in ("lokaladmin", "support", "koord")}
    return h, org.unit_id, tokens


def _post(h: Harness, token: str, path: str, body: Any = None) -> Any:
    return h.client.post(f"{API}{path}", json=body, headers=bearer(token))


def test_an_account_made_by_an_administrator(world: tuple[Harness, int, dict[str, str]]) -> None:
    h, unit, tokens = world
    probe = Probe(h)
    person = {"first_name": "Hanne", "last_name": "Kvalvik", "email": "hanne@x.invalid"}
    body = {"unit_id": unit, "username": "hanne", "channel": "email", "person": person}
    r = _post(h, tokens["lokaladmin"], "/admin/users", body)
    assert r.status_code == 201, r.text
    assert r.json()["temporary_password_sent"] is True
    temp = probe.check()
    assert _delivered(h, "hanne", "new_account") == ["sent"]
    assert login_session(h, "hanne", temp)["must_change_password"] is True


def test_a_reset_by_support(world: tuple[Harness, int, dict[str, str]]) -> None:
    h, _unit, tokens = world
    probe = Probe(h)
    kari = user_row(h, "kari")
    r = _post(h, tokens["support"], f"/admin/users/{kari.id}/reset-password")
    assert r.status_code == 204, r.text
    temp = probe.check()
    assert _delivered(h, "kari", "password_reset") == ["sent"]
    assert login_session(h, "kari", temp)["must_change_password"] is True


def test_a_participant_added_with_an_account(world: tuple[Harness, int, dict[str, str]]) -> None:
    h, unit, tokens = world
    plan = add_plan(h, unit, add_person(h, unit, "Emma", "Lien"))
    add_participant(h, plan, user_row(h, "koord").person_id, PlanRole.COORDINATOR)
    probe = Probe(h)
    body = {
        "person": {"first_name": "Marte", "last_name": "Solhaug", "mobile": "41234567"},
        "create_account": True,
        "username": "marte",
        "channel": "sms",
        "role": "relative",
        "consent_expires": _consent(h),
    }
    r = _post(h, tokens["koord"], f"/plans/{plan}/participants", body)
    assert r.status_code == 201, r.text
    assert r.json()["temporary_password_sent"] is True
    temp = probe.check()
    assert _delivered(h, "marte", "new_account") == ["sent"]
    assert login_session(h, "marte", temp)["must_change_password"] is True


def test_a_plan_owner_given_an_account(world: tuple[Harness, int, dict[str, str]]) -> None:
    h, unit, tokens = world
    probe = Probe(h)
    today = h.clock.today()
    body = {
        "unit_id": unit,
        "type": "IP",
        "short_name": "IP habilitering",
        "owner_consent_expires": (today + timedelta(days=365)).isoformat(),
        "owner": {"first_name": "Emma", "last_name": "Lien", "mobile": "41234568"},
        "owner_channel": "sms",
    }
    r = _post(h, tokens["koord"], "/plans", body)
    assert r.status_code == 201, r.text
    temp = probe.check()
    assert _delivered(h, "emma.lien", "new_account") == ["sent"]
    assert login_session(h, "emma.lien", temp)["must_change_password"] is True
