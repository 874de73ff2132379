"""The log (logg): who did what, when, in which role, to which plan and object; written in
the caller's transaction, read page by page within the reader's rights."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, event, func, insert, or_, select
from sqlalchemy.orm import Session

from server.access.policy import Area, Need
from server.errors import validation
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


# Which area a logged object belongs to; entries about an area one may not read are hidden.
OBJECT_AREAS: dict[str, Area] = {
    "goal": Area.GOALS,
    "activity": Area.ACTIVITIES,
    "goal_comment": Area.GOALS,  # comments count as what they are on
    "activity_comment": Area.ACTIVITIES,
    "completeness": Area.ADMIN,  # the coordinator's view of what the plan lacks
    "document": Area.DOCUMENTS,
    "professional_plan": Area.PROFESSIONAL_PLANS,
    "life_work": Area.LIFE_WORK,
    "life_housing": Area.LIFE_HOUSING,
    "life_leisure": Area.LIFE_LEISURE,
    "life_health": Area.LIFE_HEALTH,
    "life_social": Area.LIFE_SOCIAL,
    "life_economy": Area.LIFE_ECONOMY,
}


def hidden_object_types(scope: PlanScope) -> list[str]:
    return [t for t, area in OBJECT_AREAS.items() if not scope.can(area, Need.READ)]


def plan_log_page(
    scope: PlanScope, page: int, page_size: int, before_id: int | None
) -> tuple[list[AuditLog], int]:
    """One page of the plan's log, newest first, without entries about areas the reader
    may not read; and how many entries there are in all."""
    db = scope.db
    stmt = scope.select(AuditLog)
    hidden = hidden_object_types(scope)
    if hidden:
        stmt = stmt.where(or_(AuditLog.object_type.is_(None), AuditLog.object_type.not_in(hidden)))
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    offset = (page - 1) * page_size
    if before_id is not None:
        cursor = db.execute(
            scope.select(AuditLog)
            .with_only_columns(AuditLog.at, AuditLog.id)
            .where(AuditLog.id == before_id)
        ).one_or_none()
        if cursor is None:
            raise validation("before_id", "not an entry of this plan's log", type="bad_cursor")
        at, last = cursor
        stmt = stmt.where(or_(AuditLog.at < at, and_(AuditLog.at == at, AuditLog.id < last)))
        offset = 0
    rows = db.scalars(
        stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(page_size).offset(offset)
    ).all()
    return list(rows), total
