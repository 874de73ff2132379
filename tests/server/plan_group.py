"""A plan group for the working-together tests: a coordinator, the owner, a relative
and a provider (all with accounts), and someone outside the plan, all logged in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from sampro_contract import PlanRole
from server.participants.models import Participant
from tests.conftest import Harness
from tests.server.conftest import Org
from tests.server.support import API, add_participant, add_plan, add_user, bearer, login


@dataclass
class Group:
    h: Harness
    plan: int
    tokens: dict[str, str]  # coordinator, owner, relative, provider, outsider
    pids: dict[str, int]  # participant ids by the same names

    def call(
        self, who: str, method: str, path: str, body: Any = None, **params: Any
    ) -> httpx.Response:
        return self.h.client.request(
            method,
            f"{API}/plans/{self.plan}{path}",
            headers=bearer(self.tokens[who]),
            json=body,
            params=params or None,
        )

    def ok(self, who: str, method: str, path: str, body: Any = None, **params: Any) -> Any:
        r = self.call(who, method, path, body, **params)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    def send(
        self, who: str, to: list[str], subject: str = "Møte", body: str = "Tekst", **kw: Any
    ) -> Any:
        payload = {"subject": subject, "body": body, "recipient_ids": [self.pids[x] for x in to]}
        payload.update(kw)
        return self.ok(who, "POST", "/messages", payload)


def make_group(org: Org, **who_channels: str) -> Group:
    h = org.h
    unit = org.unit_id
    channel = {"coordinator": "sms", "owner": "sms", "relative": "sms", "provider": "email"}
    channel.update(who_channels)
    users = {
        "coordinator": add_user(
            h,
            "koordinator",
            unit,
            unit_role="coordinator",
            first="Kåre",
            last="Koordinator",
            channel=channel["coordinator"],
        ),
        "owner": add_user(h, "eier", unit, first="Ola", last="Eiersen", channel=channel["owner"]),
        "relative": add_user(h, "mor", unit, first="Mona", last="Mor", channel=channel["relative"]),
        "provider": add_user(
            h, "lege", unit, first="Lise", last="Lege", channel=channel["provider"]
        ),
        "outsider": add_user(h, "utenfor", unit, first="Ute", last="Nfor"),
    }
    plan = add_plan(h, unit, users["owner"].person_id, short_name="IP Hjertesak")
    pids = {
        "coordinator": add_participant(
            h, plan, users["coordinator"].person_id, PlanRole.COORDINATOR
        ),
        "relative": add_participant(h, plan, users["relative"].person_id, PlanRole.RELATIVE),
        "provider": add_participant(h, plan, users["provider"].person_id, PlanRole.PROVIDER),
    }
    with h.ctx.db.read_session() as db:
        pids["owner"] = db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan, Participant.role == PlanRole.OWNER.value
            )
        ).one()
    tokens = {name: login(h, u.username) for name, u in users.items()}
    return Group(h, plan, tokens, pids)


@pytest.fixture
def group_factory(org: Org) -> Callable[..., Group]:
    return lambda **kw: make_group(org, **kw)


@pytest.fixture(name="group")
def group_fixture(org: Org) -> Group:
    return make_group(org)


def later(h: Harness, **kw: float) -> None:
    h.clock.advance(timedelta(**kw).total_seconds())
