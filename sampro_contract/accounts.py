"""Administration and support: units, user accounts and an account's status."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sampro_contract.common import Channel, Model, Request, SystemRole, UnitRole
from sampro_contract.people import PersonCreate


class Unit(Model):
    id: int
    name: str
    parent_id: int | None


class UserCreate(Request):
    unit_id: int
    unit_role: UnitRole = UnitRole.MEMBER
    username: str = Field(min_length=3, max_length=200)
    person: PersonCreate
    channel: Channel = Channel.SMS
    system_role: SystemRole = SystemRole.USER


class UserSummary(Model):
    id: int
    username: str
    first_name: str
    last_name: str
    system_role: SystemRole
    channel: Channel
    locked: bool
    active: bool
    # Set when this call created the account: was its temporary password delivered?
    temporary_password_sent: bool | None = None


class CodeDelivery(Model):
    id: int
    at: datetime
    channel: str
    purpose: str
    destination: str  # masked
    status: str
    error: str | None


class SessionSummary(Model):
    id: int
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime


class AccountStatus(Model):
    user: UserSummary
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    must_change_password: bool
    deliveries: list[CodeDelivery]
    sessions: list[SessionSummary]


# The routes, for reference (all under API_PREFIX):
#   GET  /admin/units;  GET/POST /admin/users;  GET /admin/users/{id} -> AccountStatus
#   POST /admin/users/{id}/unlock, /reset-password;  DELETE /admin/users/{id}/sessions
