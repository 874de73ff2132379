"""Building test data straight through the models, and logging in through HTTP.

Data is written with the server's own models (fast, and independent of the routes under
test); every login and every check goes through the real app over HTTP.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
from sqlalchemy import select

from sampro_contract import PlanRole, Rights
from server.access.policy import default_rights
from server.accounts.models import Person, Unit, UnitMembership, UserAccount
from server.log.models import AuditLog
from server.participants.models import Participant
from server.plans.models import Plan
from tests.conftest import Harness

API = "/api/v1"
PASSWORD = "Fjord-Hytte42"  # meets every rule and is not on the common list


class Inbox:
    """An aiosmtpd handler that keeps what it receives (the `smtp` fixture's)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.arrived = threading.Event()

    @property
    def recipients(self) -> list[list[str]]:
        return [to for to, _ in self.messages]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        self.arrived.set()
        return "250 OK"


def new_user(
    unit_id: int,
    username: str = "hanne",
    *,
    first_name: str = "Hanne",
    email: str = "hanne@example.invalid",
    **person: Any,
) -> dict[str, Any]:
    """The body of POST /admin/users: a user who gets codes by e-mail."""
    return {
        "unit_id": unit_id,
        "username": username,
        "channel": "email",
        "person": {"first_name": first_name, "last_name": "Kvalvik", "email": email, **person},
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(r: httpx.Response) -> tuple[int, str]:
    """(status, error code) from a response in the error envelope."""
    body = r.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return r.status_code, str(body["error"]["code"])


@dataclass(frozen=True)
class UserRef:
    id: int
    person_id: int
    username: str


_counter = iter(range(1, 10**9))


def add_unit(h: Harness, name: str = "Koordinerende enhet", parent_id: int | None = None) -> int:
    with h.ctx.db.writing() as db:
        unit = Unit(name=name, parent_id=parent_id, created_at=h.clock.now())
        db.add(unit)
        db.flush()
        return unit.id


def add_person(
    h: Harness,
    unit_id: int,
    first: str = "Kari",
    last: str = "Nordmann",
    *,
    birth: date | None = None,
    mobile: str | None = None,
    email: str | None = None,
) -> int:
    n = next(_counter)
    with h.ctx.db.writing() as db:
        person = Person(
            unit_id=unit_id,
            first_name=first,
            last_name=last,
            first_name_lc=first.lower(),
            last_name_lc=last.lower(),
            birth_date=birth,
            mobile=mobile if mobile is not None else f"9{n:07d}",
            email=email if email is not None else f"person{n}@example.invalid",
            created_at=h.clock.now(),
        )
        db.add(person)
        db.flush()
        return person.id


_hashes: dict[tuple[int, str], str] = {}


def add_user(
    h: Harness,
    username: str,
    unit_id: int,
    *,
    channel: str = "sms",
    system_role: str = "user",
    unit_role: str = "member",
    must_change: bool = False,
    password: str = PASSWORD,
    first: str = "Test",
    last: str | None = None,
    mobile: str | None = None,
    email: str | None = None,
    last_login_at: datetime | None = None,
) -> UserRef:
    person_id = add_person(
        h, unit_id, first, last or username.capitalize(), mobile=mobile, email=email
    )
    key = (id(h.ctx), password)
    if key not in _hashes:
        _hashes[key] = h.ctx.passwords.hash(password)
    with h.ctx.db.writing() as db:
        user = UserAccount(
            person_id=person_id,
            username=username,
            password_hash=_hashes[key],
            must_change_password=must_change,
            channel=channel,
            system_role=system_role,
            created_at=h.clock.now(),
            last_login_at=last_login_at,
        )
        db.add(user)
        db.flush()
        db.add(UnitMembership(user_id=user.id, unit_id=unit_id, role=unit_role))
        return UserRef(user.id, person_id, username)


def add_plan(
    h: Harness,
    unit_id: int,
    owner_person_id: int,
    *,
    type: str = "IP",
    short_name: str = "IP habilitering",
    start: date | None = None,
    end: date | None = None,
    closed: bool = False,
    archived: bool = True,
    owner_consent: date | None = None,
    changed_at: datetime | None = None,
    presentation: str = "Om meg",
    version: int = 1,
) -> int:
    now = h.clock.now()
    with h.ctx.db.writing() as db:
        plan = Plan(
            unit_id=unit_id,
            owner_person_id=owner_person_id,
            type=type,
            short_name=short_name,
            start_date=start,
            end_date=end,
            presentation=presentation,
            last_archived_at=now - timedelta(days=1) if archived or closed else None,
            closed_at=now - timedelta(hours=1) if closed else None,
            content_changed_at=changed_at or now,
            created_at=now,
            version=version,
        )
        db.add(plan)
        db.flush()
        db.add(
            Participant(
                plan_id=plan.id,
                person_id=owner_person_id,
                role=PlanRole.OWNER.value,
                consent_expires=owner_consent or now.date() + timedelta(days=365),
                rights=default_rights(PlanRole.OWNER).model_dump(mode="json"),
                created_at=now,
            )
        )
        return plan.id


def add_participant(
    h: Harness,
    plan_id: int,
    person_id: int,
    role: PlanRole,
    *,
    consent: date | None = None,
    rights: Rights | None = None,
    removed: bool = False,
    version: int = 1,
) -> int:
    now = h.clock.now()
    with h.ctx.db.writing() as db:
        p = Participant(
            plan_id=plan_id,
            person_id=person_id,
            role=role.value,
            consent_expires=consent or now.date() + timedelta(days=365),
            rights=(rights or default_rights(role)).model_dump(mode="json"),
            removed_at=now if removed else None,
            created_at=now,
            version=version,
        )
        db.add(p)
        db.flush()
        return p.id


def owner_participant(h: Harness, plan_id: int) -> int:
    with h.ctx.db.read_session() as db:
        return db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan_id, Participant.role == PlanRole.OWNER.value
            )
        ).one()


def get_row(h: Harness, model: type[Any], row_id: Any) -> Any:
    with h.ctx.db.read_session() as db:
        return db.get(model, row_id)


def user_row(h: Harness, username: str) -> UserAccount:
    with h.ctx.db.read_session() as db:
        return db.scalars(select(UserAccount).where(UserAccount.username == username)).one()


def audit_rows(h: Harness, **where: Any) -> list[AuditLog]:
    with h.ctx.db.read_session() as db:
        stmt = select(AuditLog).order_by(AuditLog.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditLog, key) == value)
        return list(db.scalars(stmt).all())


# --- logging in through HTTP ------------------------------------------------------------


def start_login(h: Harness, username: str, password: str = PASSWORD) -> httpx.Response:
    return h.client.post(f"{API}/auth/login", json={"username": username, "password": password})


def verify(h: Harness, challenge_id: str, code: str) -> httpx.Response:
    return h.client.post(f"{API}/auth/verify", json={"challenge_id": challenge_id, "code": code})


def login_session(h: Harness, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """Both steps; the code is read from the channel's file sink. Returns the session."""
    r = start_login(h, username, password)
    assert r.status_code == 200, r.text
    challenge = r.json()
    r = verify(h, challenge["challenge_id"], h.last_code(challenge["channel"]))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def login(h: Harness, username: str, password: str = PASSWORD) -> str:
    return str(login_session(h, username, password)["token"])


def sent_to(h: Harness, channel: str, to: str) -> list[dict[str, Any]]:
    return [m for m in h.sent(channel) if m["to"] == to]


def temporary_password_in(body: str) -> str:
    marker = "passord: " if "Midlertidig passord: " in body else "passord er "
    return body.split(marker, 1)[1].split()[0].rstrip(".")
