"""Plans' routes: the plan list (Liste planer), creating plans, the plan's home, archive,
close, reopen. The rules are in `service.py`, the list in `list_query.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sampro_contract import Created, Page, PlanCreate, PlanHome, PlanListItem, PlanUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, UnitAdminPlan, plan_scope, unit_admin_plan
from server.deps import Auth, Ctx, WriteDb
from server.plans import service
from server.plans.list_query import PlanListQuery, PlanListRoute

router = APIRouter(prefix="/plans", tags=["plans"])

# The plan as its screen opens: everyone in it (and a coordinator whose consent ran out).
PlanRead = Annotated[PlanScope, Depends(plan_scope(Area.PLAN, Need.READ))]
HomeWrite = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.WRITE))]
# Archive and close: the coordinator.
PlanAdmin = Annotated[PlanScope, Depends(plan_scope(Area.ADMIN, Need.WRITE))]
# Reopen: the unit's local administrator, who need not take part in the plan.
UnitAdmin = Annotated[UnitAdminPlan, Depends(unit_admin_plan)]


async def list_plans(query: Annotated[PlanListQuery, Query()]) -> Response:
    """Only my plans; search by first and last name; sort by any column; paged."""
    raise AssertionError("answered by PlanListRoute's handler")  # pragma: no cover


router.add_api_route(
    "",
    list_plans,
    methods=["GET"],
    response_model=Page[PlanListItem],
    route_class_override=PlanListRoute,
)


@router.post("", status_code=201)
def create_plan(body: PlanCreate, ctx: Ctx, a: Auth, db: WriteDb) -> Created:
    """A new plan with its owner (an existing or a new person) and coordinator."""
    return service.create_plan(ctx, a, db, body)


@router.get("/{plan_id}")
def get_plan(scope: PlanRead, a: Auth) -> PlanHome:
    """The plan's home: the owner's presentation and status, and my access."""
    return service.open_home(scope, a)


@router.patch("/{plan_id}")
def update_plan(body: PlanUpdate, scope: HomeWrite, a: Auth) -> PlanHome:
    """Edit the presentation (Om meg selv) and status: owner and coordinator. The plan's
    start and end (revision) dates: the coordinator only."""
    return service.update_plan(scope, a, body)


@router.post("/{plan_id}/archive")
def archive_plan(scope: PlanAdmin, a: Auth) -> PlanHome:
    """Store a snapshot of the plan's whole content (arkivering): the coordinator."""
    return service.archive_plan(scope, a)


@router.post("/{plan_id}/close")
def close_plan(scope: PlanAdmin, a: Auth) -> PlanHome:
    """Close (avslutte) the plan: the coordinator, after archiving it."""
    return service.close_plan(scope, a)


@router.post("/{plan_id}/reopen", status_code=204)
def reopen_plan(door: UnitAdmin, a: Auth) -> None:
    """Only a local administrator of the plan's unit reopens a closed plan."""
    service.reopen_plan(door, a)
