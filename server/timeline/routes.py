"""The plan's timeline (tidslinje): what happened and what is coming, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sampro_contract import Timeline
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.timeline.service import timeline_page

# The tag is the one the published API document has always used for this route.
router = APIRouter(prefix="/plans/{plan_id}", tags=["together"])

# Shown from the home's read right; each item only where the reader's rights show it.
HomeRead = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ))]


@router.get("/timeline")
def timeline(
    scope: HomeRead,
    a: Auth,
    cursor: Annotated[
        str | None, Query(max_length=200, description="Where the last page ended (next_cursor)")
    ] = None,
    before: Annotated[
        datetime | None, Query(description="Older than this (paging; prefer cursor)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Timeline:
    """The plan's events newest first, only what my rights show; future entries on top.
    Past items are ordered by (time, kind, id); a page ends where `next_cursor` says."""
    return timeline_page(scope, a, cursor, before, limit)
