"""The calendar's rules and queries: who may change an entry, spans, listing and changes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_

from sampro_contract import CalendarEvent as CalendarEventOut
from sampro_contract import CalendarEventIn, CalendarEventUpdate, ParticipantRef
from server.access.scope import PlanScope, check_version
from server.calendar.models import CalendarEvent
from server.deps import Authenticated
from server.errors import forbidden, validation
from server.log import service as audit
from server.participants.names import names_of, unknown
from server.search import like_pattern
from server.timeline.events import EventKind, raise_event

MAX_EVENTS = 5000
MAX_SPAN = timedelta(days=366)  # an entry lasts at most a year


def may_edit_event(scope: PlanScope, e: CalendarEvent) -> bool:
    """The author and the coordinator edit or delete an entry, while the plan is open."""
    if scope.plan.closed_at is not None:
        return False
    return e.created_by_participant_id == scope.participant.id or scope.is_coordinator


def event_out(
    scope: PlanScope, e: CalendarEvent, refs: dict[int, ParticipantRef]
) -> CalendarEventOut:
    return CalendarEventOut(
        id=e.id,
        title=e.title,
        start_date=e.start_date,
        start_time=e.start_time,
        end_date=e.end_date,
        end_time=e.end_time,
        all_day=e.start_time is None,
        place=e.place,
        description=e.description,
        created_by=refs.get(e.created_by_participant_id) or unknown(e.created_by_participant_id),
        created_at=e.created_at,
        can_edit=may_edit_event(scope, e),
        version=e.version,
    )


def events_out(scope: PlanScope, rows: list[CalendarEvent]) -> list[CalendarEventOut]:
    refs = names_of(scope, {e.created_by_participant_id for e in rows})
    return [event_out(scope, e, refs) for e in rows]


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


def list_events(
    scope: PlanScope,
    a: Authenticated,
    from_date: date | None,
    to_date: date | None,
    q: str,
    limit: int,
) -> list[CalendarEventOut]:
    """Entries that touch the days from `from_date` (default today) to `to_date`; logged."""
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
        scope.db.scalars(
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
    scope.db.commit()
    return events_out(scope, rows)


def create_event(scope: PlanScope, a: Authenticated, body: CalendarEventIn) -> CalendarEventOut:
    """A new entry by anyone in the plan group; raises the timeline's event; logged."""
    e = CalendarEvent(
        plan_id=scope.plan_id,
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
    scope.db.add(e)
    scope.db.flush()
    scope.plan.content_changed_at = a.now
    raise_event(
        scope.db,
        scope.plan_id,
        EventKind.NEW_CALENDAR_ENTRY,
        "calendar_event",
        e.id,
        scope.participant.id,
        a.now,
    )
    audit.record_in_plan(scope, a, "create", "calendar_event", e.id)
    scope.db.commit()
    return events_out(scope, [e])[0]


def read_event(scope: PlanScope, a: Authenticated, event_id: int) -> CalendarEventOut:
    e = scope.get(CalendarEvent, event_id, "No such calendar entry")
    audit.record_in_plan(scope, a, "read", "calendar_event", e.id)
    scope.db.commit()
    return events_out(scope, [e])[0]


def _editable(scope: PlanScope, event_id: int) -> CalendarEvent:
    e = scope.get(CalendarEvent, event_id, "No such calendar entry")
    if not may_edit_event(scope, e):
        raise forbidden("Only the one who made the entry, or the coordinator, changes it")
    return e


def update_event(
    scope: PlanScope, a: Authenticated, event_id: int, body: CalendarEventUpdate
) -> CalendarEventOut:
    """Change the fields sent (at the version read); an entry without an end lasts a day."""
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
    scope.db.commit()
    return events_out(scope, [e])[0]


def delete_event(scope: PlanScope, a: Authenticated, event_id: int) -> None:
    e = _editable(scope, event_id)
    scope.db.delete(e)
    scope.plan.content_changed_at = a.now
    audit.record_in_plan(scope, a, "delete", "calendar_event", event_id)
    scope.db.commit()
