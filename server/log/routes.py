"""The plan's log (logg): for participants with the log right, within their other rights."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sampro_contract import LogEntry, Page
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.log import service as audit

router = APIRouter(prefix="/plans/{plan_id}", tags=["log"])

LogRead = Annotated[PlanScope, Depends(plan_scope(Area.LOG, Need.READ))]


@router.get("/log")
def plan_log(
    scope: LogRead,
    a: Auth,
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
    rows, total = audit.plan_log_page(scope, page, page_size, before_id)
    audit.record_in_plan(scope, a, "read", "log")
    scope.db.commit()
    return Page[LogEntry](
        items=[LogEntry.model_validate(r) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
    )
