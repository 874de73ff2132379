"""The log (logg): who did what, when, in which role, to which plan and object."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from server.log.models import AuditLog

if TYPE_CHECKING:
    from server.access.scope import PlanScope
    from server.deps import Authenticated


class Actor:
    """Who is acting: a user (maybe in a plan role) or nobody yet (a login attempt)."""

    __slots__ = ("role", "user_id", "username")

    def __init__(self, user_id: int | None, username: str | None, role: str | None) -> None:
        self.user_id = user_id
        self.username = username
        self.role = role


def record(
    db: Session,
    at: datetime,
    actor: Actor,
    action: str,
    *,
    plan_id: int | None = None,
    object_type: str | None = None,
    object_id: object = None,
    role: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one row in the caller's transaction, so the log and the change commit together."""
    db.execute(
        insert(AuditLog).values(
            at=at,
            user_id=actor.user_id,
            username=actor.username,
            role=role or actor.role,
            plan_id=plan_id,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            action=action,
            detail=detail,
        )
    )


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_change(*_args: Any) -> None:
    # The database triggers are the real guard; this catches it earlier in our own code.
    raise RuntimeError("audit log rows are only ever added")


def record_in_plan(
    scope: PlanScope,
    a: Authenticated,
    action: str,
    object_type: str,
    object_id: object = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One row about a plan's content, by the caller in their role in that plan."""
    record(
        scope.db,
        a.now,
        a.actor,
        action,
        plan_id=scope.plan_id,
        object_type=object_type,
        object_id=object_id,
        role=scope.role,
        detail=detail,
    )
