"""The plan's calendar (kalender): the owner's shared calendar. Not under rights
management: every participant with valid consent sees every entry and may add one; the
author and the coordinator change or delete it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sampro_contract import CalendarEvent as CalendarEventOut
from sampro_contract import CalendarEventIn, CalendarEventUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.calendar import service
from server.calendar.service import MAX_EVENTS
from server.deps import Auth

router = APIRouter(prefix="/plans/{plan_id}", tags=["calendar"])

CalendarRead = Annotated[PlanScope, Depends(plan_scope(Area.CALENDAR, Need.READ))]
CalendarWrite = Annotated[PlanScope, Depends(plan_scope(Area.CALENDAR, Need.WRITE))]

# Routes with a second id in the path name `plan_id` first, as before the scope took it
# over: the API document lists the path's parameters in that order.


@router.get("/events")
def list_events(
    scope: CalendarRead,
    a: Auth,
    from_date: Annotated[date | None, Query(description="First day (default: today)")] = None,
    to_date: Annotated[date | None, Query(description="Last day (default: no end)")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in title or place")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = 1000,
) -> list[CalendarEventOut]:
    """Entries that touch the days from `from_date` to `to_date`, by start."""
    return service.list_events(scope, a, from_date, to_date, q, limit)


@router.post("/events", status_code=201)
def create_event(body: CalendarEventIn, scope: CalendarWrite, a: Auth) -> CalendarEventOut:
    """A new entry: anyone in the plan group."""
    return service.create_event(scope, a, body)


@router.get("/events/{event_id}")
def get_event(plan_id: int, event_id: int, scope: CalendarRead, a: Auth) -> CalendarEventOut:
    return service.read_event(scope, a, event_id)


@router.patch("/events/{event_id}")
def update_event(
    plan_id: int, event_id: int, body: CalendarEventUpdate, scope: CalendarWrite, a: Auth
) -> CalendarEventOut:
    """Change an entry: its author or the coordinator."""
    return service.update_event(scope, a, event_id, body)


@router.delete("/events/{event_id}", status_code=204)
def delete_event(plan_id: int, event_id: int, scope: CalendarWrite, a: Auth) -> Response:
    """Delete an entry: its author or the coordinator."""
    service.delete_event(scope, a, event_id)
    return Response(status_code=204)
