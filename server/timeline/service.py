"""The timeline (tidslinje): a plan's events and calendar entries, newest first, paged
by a cursor, showing only what the reader's rights show."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, time

from sqlalchemy import ColumnElement, Time, and_, exists, func, literal, or_
from sqlalchemy.orm import InstrumentedAttribute

from sampro_contract import Timeline, TimelineItem, TimelineKind
from server.access.scope import PlanScope
from server.calendar.models import CalendarEvent
from server.deps import Authenticated
from server.errors import validation
from server.log import service as audit
from server.messages.models import Message, MessageRecipient
from server.participants.names import names_of
from server.timeline.models import PlanEvent
from server.timeline.sources import SOURCES

FUTURE_ITEMS = 50
# An item's place in the timeline, newest first: (at, source, id). Plan events and
# calendar entries with the same time are told apart by the source, then by their id,
# so a cursor made of the three never skips nor repeats an item.
CALENDAR_SOURCE, EVENT_SOURCE = 0, 1
Key = tuple[datetime, int, int]
MAX_ID = 2**31 - 1  # above every id: ids are INTEGER (int4 on PostgreSQL, which refuses more)
MIDNIGHT = literal(time(0), Time())


def _calendar_at(e: CalendarEvent) -> datetime:
    # Wall-clock date and time, shown as such; tagged UTC only to sort beside instants.
    return datetime.combine(e.start_date, e.start_time or time(0), tzinfo=UTC)


def encode_cursor(key: Key) -> str:
    at, source, ident = key
    raw = f"{at.astimezone(UTC).isoformat()}|{source}|{ident}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at_text, source, ident = raw.split("|")
        at = datetime.fromisoformat(at_text)
        key = (at.astimezone(UTC), int(source), int(ident))
        if at.tzinfo is None or key[1] not in (0, 1) or not 0 <= key[2] < MAX_ID:
            raise ValueError(cursor)
    except ValueError as exc:  # also bad base64 and bad UTF-8
        raise validation(
            "cursor", "is not a cursor given by this timeline", type="bad_cursor"
        ) from exc
    return key


def _older(
    at_lt: ColumnElement[bool],
    at_eq: ColumnElement[bool],
    source: int,
    ident: InstrumentedAttribute[int],
    bound: Key,
) -> ColumnElement[bool]:
    """In SQL: (at, source, id) < bound, for rows of one source."""
    _, b_source, b_id = bound
    if source < b_source:
        return or_(at_lt, at_eq)
    if source > b_source:
        return at_lt
    return or_(at_lt, and_(at_eq, ident < b_id))


def _event_older(bound: Key) -> ColumnElement[bool]:
    at = bound[0]
    return _older(
        PlanEvent.created_at < at, PlanEvent.created_at == at, EVENT_SOURCE, PlanEvent.id, bound
    )


def _calendar_time() -> ColumnElement[time]:
    return func.coalesce(CalendarEvent.start_time, MIDNIGHT)


def _calendar_older(bound: Key) -> ColumnElement[bool]:
    at = bound[0].astimezone(UTC)
    d, tm = at.date(), at.time().replace(tzinfo=None)
    lt = or_(
        CalendarEvent.start_date < d, and_(CalendarEvent.start_date == d, _calendar_time() < tm)
    )
    eq = and_(CalendarEvent.start_date == d, _calendar_time() == tm)
    return _older(lt, eq, CALENDAR_SOURCE, CalendarEvent.id, bound)


def timeline_page(
    scope: PlanScope,
    a: Authenticated,
    cursor: str | None,
    before: datetime | None,
    limit: int,
) -> Timeline:
    """One page of the timeline, newest first, only what my rights show; on the first
    page the coming calendar entries on top. The reading is logged."""
    me = scope.participant.id
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    bound: Key | None = decode_cursor(cursor) if cursor else None
    if bound is None and before is not None:
        bound = (before, -1, 0)  # strictly older than `before`, whatever the kind
    first_page = bound is None
    now_key: Key = (a.now, CALENDAR_SOURCE, MAX_ID)  # calendar entries up to now are past
    last_login = a.user.previous_login_at
    # Correlated to the plan event rows, which the scope has already chosen.
    mine = or_(
        exists().where(
            MessageRecipient.message_id == PlanEvent.object_id,
            MessageRecipient.participant_id == me,
        ),
        exists().where(Message.id == PlanEvent.object_id, Message.sender_participant_id == me),
    )
    shown = [
        and_(PlanEvent.object_type == t, s.alive()) if s.alive else PlanEvent.object_type == t
        for t, s in SOURCES.items()
        if s.visible_to(scope)
    ]
    stmt = scope.select(PlanEvent).where(
        or_(*shown, and_(PlanEvent.object_type == "message", mine))
    )
    if bound is not None:
        stmt = stmt.where(_event_older(bound))
    events = list(
        scope.db.scalars(
            stmt.order_by(PlanEvent.created_at.desc(), PlanEvent.id.desc()).limit(limit + 1)
        ).all()
    )
    cal = scope.select(CalendarEvent)
    past_stmt = cal.where(_calendar_older(now_key))
    if bound is not None:
        past_stmt = past_stmt.where(_calendar_older(bound))
    past_cal = list(
        scope.db.scalars(
            past_stmt.order_by(
                CalendarEvent.start_date.desc(), _calendar_time().desc(), CalendarEvent.id.desc()
            ).limit(limit + 1)
        ).all()
    )
    future_cal: list[CalendarEvent] = []
    if first_page:
        future_cal = list(
            scope.db.scalars(
                cal.where(~_calendar_older(now_key))
                .order_by(CalendarEvent.start_date, _calendar_time(), CalendarEvent.id)
                .limit(FUTURE_ITEMS)
            ).all()
        )
    refs = names_of(
        scope,
        {e.actor_participant_id for e in events if e.actor_participant_id}
        | {e.created_by_participant_id for e in past_cal + future_cal}
        | {e.object_id for e in events if e.object_type == "participant"},
    )
    subjects = dict(
        scope.db.execute(
            scope.select(Message)
            .with_only_columns(Message.id, Message.subject)
            .where(Message.id.in_([e.object_id for e in events if e.object_type == "message"]))
        ).all()
    )
    titles: dict[str, dict[int, str]] = {"message": subjects}
    places: dict[str, dict[int, tuple[int | None, int | None]]] = {}
    for object_type, source in SOURCES.items():
        ids = [e.object_id for e in events if e.object_type == object_type]
        if source.titles is not None:
            titles[object_type] = source.titles(scope, ids) if ids else {}
        if source.places is not None:
            places[object_type] = source.places(scope, ids) if ids else {}
    titles["participant"] = {pid: ref.name for pid, ref in refs.items()}

    def is_new(at: datetime) -> bool:
        return last_login is not None and at > last_login

    past: list[tuple[Key, TimelineItem]] = []
    for e in events:
        found = SOURCES.get(e.object_type)
        kind = TimelineKind.MESSAGE if e.object_type == "message" else TimelineKind.OTHER
        if found is not None and e.object_type != "message":
            kind = found.kind
        actor = refs.get(e.actor_participant_id) if e.actor_participant_id else None
        goal_id, activity_id = places.get(e.object_type, {}).get(e.object_id, (None, None))
        item = TimelineItem(
            kind=kind,
            object_type=e.object_type,
            object_id=e.object_id,
            at=e.created_at,
            all_day=False,
            title=titles.get(e.object_type, {}).get(e.object_id, ""),
            by=actor.name if actor else None,
            new=is_new(e.created_at),
            future=False,
            goal_id=goal_id,
            activity_id=activity_id,
        )
        past.append(((e.created_at, EVENT_SOURCE, e.id), item))

    def calendar_item(c: CalendarEvent, future: bool) -> TimelineItem:
        author = refs.get(c.created_by_participant_id)
        return TimelineItem(
            kind=TimelineKind.CALENDAR,
            object_type="calendar_event",
            object_id=c.id,
            at=_calendar_at(c),
            all_day=c.start_time is None,
            title=c.title,
            by=author.name if author else None,
            new=is_new(c.created_at),
            # Wall-clock against the server's UTC: off by the zone at most, today.
            future=future,
        )

    past += [((_calendar_at(c), CALENDAR_SOURCE, c.id), calendar_item(c, False)) for c in past_cal]
    past.sort(key=lambda kv: kv[0], reverse=True)
    has_more = len(past) > limit
    page = past[:limit]
    future = [calendar_item(c, True) for c in reversed(future_cal)]
    audit.record_in_plan(scope, a, "read", "timeline")
    scope.db.commit()
    return Timeline(
        items=future + [item for _, item in page],
        last_login=last_login,
        now=a.now,
        has_more=has_more,
        next_cursor=encode_cursor(page[-1][0]) if has_more else None,
    )
