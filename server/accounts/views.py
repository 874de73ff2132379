"""Turning database rows into the contract's response models."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sampro_contract import (
    Channel,
    SystemRole,
    UnitRef,
    UnitRole,
    UserInfo,
)
from server.accounts.models import UnitMembership, UserAccount


def account_fields(user: UserAccount) -> dict[str, Any]:
    """What both a user's own info and an account summary say of the account."""
    return {
        "id": user.id,
        "username": user.username,
        "first_name": user.person.first_name,
        "last_name": user.person.last_name,
        "system_role": SystemRole(user.system_role),
        "channel": Channel(user.channel),
    }


def user_info(db: Session, user: UserAccount) -> UserInfo:
    memberships = db.scalars(select(UnitMembership).where(UnitMembership.user_id == user.id)).all()
    return UserInfo(
        **account_fields(user),
        must_change_password=user.must_change_password,
        last_login_at=user.previous_login_at,
        units=[UnitRef(id=m.unit_id, name=m.unit.name, role=UnitRole(m.role)) for m in memberships],
    )
