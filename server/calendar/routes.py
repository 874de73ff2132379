"""The plan's calendar (kalender): the owner's shared calendar. Not under rights
management: every participant with valid consent sees every entry and may add one; the
author and the coordinator change or delete it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, or_

from sampro_contract import CalendarEvent as CalendarEventOut
from sampro_contract import CalendarEventIn, CalendarEventUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, check_version, open_plan
from server.calendar.models import CalendarEvent
from server.collab import events_out, like_pattern, may_edit_event
from server.deps import Auth, WriteDb
from server.errors import forbidden, validation
from server.log import service as audit
from server.timeline.events import EventKind, raise_event

router = APIRouter(prefix="/plans/{plan_id}", tags=["calendar"])

MAX_EVENTS = 5000
MAX_SPAN = timedelta(days=366)  # an entry lasts at most a year


def _check_span(e: CalendarEvent) -> None:
    """The entry's end after its start, and no more than a year after (new or changed)."""
    if e.start_time is None:
        e.end_time = None
    if e.end_date < e.start_date:
        raise validation("end_date", "must be on or after the start date", type="end_before_start")
    if (
        e.end_date == e.start_date
        and e.start_time is not None
        and e.end_time is not None
        and e.end_time < e.start_time
    ):
        raise validation(
            "end_time", "must be at or after the start time", type="end_time_before_start"
        )
    if e.end_date - e.start_date > MAX_SPAN:
        raise validation("end_date", "an entry lasts at most a year", type="longer_than_a_year")


def coming_events(scope: PlanScope, today: date, limit: int) -> list[CalendarEvent]:
    return list(
        scope.db.scalars(
            scope.select(CalendarEvent)
            .where(CalendarEvent.end_date >= today)
            .order_by(
                CalendarEvent.start_date, CalendarEvent.start_time.nulls_first(), CalendarEvent.id
            )
            .limit(limit)
        ).all()
    )


@router.get("/events")
def list_events(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    from_date: Annotated[date | None, Query(description="First day (default: today)")] = None,
    to_date: Annotated[date | None, Query(description="Last day (default: no end)")] = None,
    q: Annotated[str, Query(max_length=200, description="Text in title or place")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS)] = 1000,
) -> list[CalendarEventOut]:
    """Entries that touch the days from `from_date` to `to_date`, by start."""
    scope = open_plan(db, a.user, plan_id, Area.CALENDAR, Need.READ, a.now.date())
    first = from_date or a.now.date()
    # An entry lasts at most a year, so one touching `first` started at most MAX_SPAN
    # before it: that bound makes the (plan, start_date) index a short range rather than
    # every entry since the plan began.
    stmt = scope.select(CalendarEvent).where(
        CalendarEvent.end_date >= first, CalendarEvent.start_date >= first - MAX_SPAN
    )
    if to_date is not None:
        if to_date < first:
            raise validation("to_date", "must be on or after from_date", type="end_before_start")
        stmt = stmt.where(CalendarEvent.start_date <= to_date)
    if q.strip():
        pattern = like_pattern(q.strip())  # % and _ are searched for as themselves
        stmt = stmt.where(
            or_(
                func.lower(CalendarEvent.title).like(pattern, escape="\\"),
                func.lower(CalendarEvent.place).like(pattern, escape="\\"),
            )
        )
    rows = list(
        db.scalars(
            stmt.order_by(
                CalendarEvent.start_date, CalendarEvent.start_time.nulls_first(), CalendarEvent.id
            ).limit(limit)
        ).all()
    )
    audit.record_in_plan(
        scope,
        a,
        "read",
        "calendar",
        detail={"from": first.isoformat(), "to": to_date.isoformat() if to_date else None},
    )
    db.commit()
    return events_out(scope, rows)


@router.post("/events", status_code=201)
def create_event(plan_id: int, body: CalendarEventIn, a: Auth, db: WriteDb) -> CalendarEventOut:
    """A new entry: anyone in the plan group."""
    scope = open_plan(db, a.user, plan_id, Area.CALENDAR, Need.WRITE, a.now.date())
    e = CalendarEvent(
        plan_id=plan_id,
        title=body.title.strip(),
        start_date=body.start_date,
        start_time=body.start_time,
        end_date=body.end_date or body.start_date,
        end_time=body.end_time,
        place=body.place.strip(),
        description=body.description,
        created_by_participant_id=scope.participant.id,
        created_at=a.now,
        updated_at=a.now,
    )
    if not e.title:
        raise validation("title", "a title is needed", type="blank")
    _check_span(e)
    db.add(e)
    db.flush()
    scope.plan.content_changed_at = a.now
    raise_event(
        db,
        plan_id,
        EventKind.NEW_CALENDAR_ENTRY,
        "calendar_event",
        e.id,
        scope.participant.id,
        a.now,
    )
    audit.record_in_plan(scope, a, "create", "calendar_event", e.id)
    db.commit()
    return events_out(scope, [e])[0]


@router.get("/events/{event_id}")
def get_event(plan_id: int, event_id: int, a: Auth, db: WriteDb) -> CalendarEventOut:
    scope = open_plan(db, a.user, plan_id, Area.CALENDAR, Need.READ, a.now.date())
    e = scope.get(CalendarEvent, event_id, "No such calendar entry")
    audit.record_in_plan(scope, a, "read", "calendar_event", e.id)
    db.commit()
    return events_out(scope, [e])[0]


def _editable(scope: PlanScope, event_id: int) -> CalendarEvent:
    e = scope.get(CalendarEvent, event_id, "No such calendar entry")
    if not may_edit_event(scope, e):
        raise forbidden("Only the one who made the entry, or the coordinator, changes it")
    return e


@router.patch("/events/{event_id}")
def update_event(
    plan_id: int, event_id: int, body: CalendarEventUpdate, a: Auth, db: WriteDb
) -> CalendarEventOut:
    """Change an entry: its author or the coordinator."""
    scope = open_plan(db, a.user, plan_id, Area.CALENDAR, Need.WRITE, a.now.date())
    e = _editable(scope, event_id)
    check_version(e.version, body.version)
    fields = body.model_dump(exclude_unset=True, exclude={"version", "all_day"})
    if "title" in fields and (fields["title"] is None or not fields["title"].strip()):
        raise validation("title", "a title is needed", type="blank")
    for name, value in fields.items():
        if name in ("start_date", "title") and value is None:
            continue
        setattr(e, name, value.strip() if name in ("title", "place") and value else value)
    if body.all_day:
        e.start_time = e.end_time = None
    if fields.get("end_date") is None and ("end_date" in fields or e.end_date < e.start_date):
        e.end_date = e.start_date  # no end, or the start moved past the old end: one day
    _check_span(e)
    e.version += 1
    e.updated_at = a.now
    scope.plan.content_changed_at = a.now
    audit.record_in_plan(scope, a, "update", "calendar_event", e.id, {"fields": sorted(fields)})
    db.commit()
    return events_out(scope, [e])[0]


@router.delete("/events/{event_id}", status_code=204)
def delete_event(plan_id: int, event_id: int, a: Auth, db: WriteDb) -> Response:
    """Delete an entry: its author or the coordinator."""
    scope = open_plan(db, a.user, plan_id, Area.CALENDAR, Need.WRITE, a.now.date())
    e = _editable(scope, event_id)
    db.delete(e)
    scope.plan.content_changed_at = a.now
    audit.record_in_plan(scope, a, "delete", "calendar_event", event_id)
    db.commit()
    return Response(status_code=204)
