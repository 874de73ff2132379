"""The plan's log (logg): for participants with the log right, within their other rights."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import and_, func, or_, select

from sampro_contract import LogEntry, Page
from server.access.policy import Area, Need
from server.access.scope import PlanScope, open_plan
from server.deps import Auth, WriteDb
from server.errors import validation
from server.log import service as audit
from server.log.models import AuditLog

router = APIRouter(prefix="/plans/{plan_id}", tags=["log"])

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


@router.get("/log")
def plan_log(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[
        int | None,
        Query(
            ge=1,
            description=(
                "Entries older than this one (the last of the previous page); the log grows "
                "while it is read, so this pages steadily where `page` would shift"
            ),
        ),
    ] = None,
) -> Page[LogEntry]:
    """Who did what in the plan, newest first."""
    scope = open_plan(db, a.user, plan_id, Area.LOG, Need.READ, a.now.date())
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
    audit.record_in_plan(scope, a, "read", "log")
    db.commit()
    return Page[LogEntry](
        items=[LogEntry.model_validate(r) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
