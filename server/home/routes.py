"""The plan's home feed (next events, latest messages to me, who has visited), the
timeline (tidslinje) and my notification choices (varslinger) in a plan."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Time, and_, exists, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from sampro_contract import (
    HomeFeed,
    MessageFolder,
    NotificationPrefs,
    PlanRole,
    Timeline,
    TimelineItem,
    TimelineKind,
    Visit,
)
from server.access.policy import Area, Need
from server.access.scope import PlanScope, open_plan
from server.accounts.models import UserAccount
from server.calendar.models import CalendarEvent
from server.calendar.routes import coming_events
from server.collab import effective_prefs, events_out, names_of
from server.deps import Auth, WriteDb
from server.errors import ApiError, validation
from server.log import service as audit
from server.log.models import AuditLog
from server.messages.models import Message, MessageRecipient
from server.messages.routes import MESSAGE_ITEMS, list_items
from server.participants.models import Participant
from server.timeline.models import PlanEvent
from server.timeline.service import SOURCES

router = APIRouter(prefix="/plans/{plan_id}", tags=["together"])

HOME_EVENTS = 5
HOME_MESSAGES = 5
NO_PREVIOUS_VISIT_DAYS = 14


def my_last_visit(scope: PlanScope, session_started: datetime) -> datetime | None:
    """My latest visit to the plan's home before this session (from the log)."""
    return scope.db.scalar(
        select(func.max(AuditLog.at)).where(
            AuditLog.plan_id == scope.plan_id,
            AuditLog.user_id == scope.user.id,
            AuditLog.action == "read",
            AuditLog.object_type == "home",
            AuditLog.at < session_started,
        )
    )


def visitors_since(scope: PlanScope, since: datetime) -> list[Visit]:
    rows = scope.db.execute(
        select(AuditLog.user_id, func.max(AuditLog.at))
        .where(
            AuditLog.plan_id == scope.plan_id,
            AuditLog.at > since,
            AuditLog.action == "read",
            AuditLog.object_type == "home",
            AuditLog.user_id.is_not(None),
            AuditLog.user_id != scope.user.id,
        )
        .group_by(AuditLog.user_id)
    ).all()
    last = {uid: at for uid, at in rows}
    if not last:
        return []
    people = scope.db.execute(
        scope.select(Participant)
        .add_columns(UserAccount.id)
        .join(UserAccount, UserAccount.person_id == Participant.person_id)
        .where(UserAccount.id.in_(last))
    ).all()
    visits = {
        uid: Visit(
            name=f"{p.person.first_name} {p.person.last_name}",
            role=PlanRole(p.role),
            last_visit=last[uid],
        )
        for p, uid in people
    }
    return sorted(visits.values(), key=lambda v: v.last_visit, reverse=True)


@router.get("/home-feed")
def home_feed(plan_id: int, a: Auth, db: WriteDb) -> HomeFeed:
    """For the home page: the next events, the latest messages to me, who has visited."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    today = a.now.date()
    events = events_out(scope, coming_events(scope, today, HOME_EVENTS))
    items, _ = list_items(scope, MessageFolder.INBOX, limit=HOME_MESSAGES)
    messages = MESSAGE_ITEMS.validate_python(items)
    unread = db.scalar(
        select(func.count(MessageRecipient.id))
        .join(Message, Message.id == MessageRecipient.message_id)
        .where(
            MessageRecipient.participant_id == scope.participant.id,
            MessageRecipient.read_at.is_(None),
            Message.sent_at.is_not(None),
        )
    )
    last_visit = my_last_visit(scope, a.session.created_at)
    since = last_visit or a.now - timedelta(days=NO_PREVIOUS_VISIT_DAYS)
    audit.record_in_plan(scope, a, "read", "home_feed")
    db.commit()
    return HomeFeed(
        next_events=events,
        latest_messages=messages,
        unread_messages=unread or 0,
        my_last_visit=last_visit,
        visitors=visitors_since(scope, since),
    )


# --- timeline ------------------------------------------------------------------------

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


@router.get("/timeline")
def timeline(
    plan_id: int,
    a: Auth,
    db: WriteDb,
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
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    me = scope.participant.id
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    bound: Key | None = decode_cursor(cursor) if cursor else None
    if bound is None and before is not None:
        bound = (before, -1, 0)  # strictly older than `before`, whatever the kind
    first_page = bound is None
    now_key: Key = (a.now, CALENDAR_SOURCE, MAX_ID)  # calendar entries up to now are past
    last_login = a.user.previous_login_at
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
        db.scalars(
            stmt.order_by(PlanEvent.created_at.desc(), PlanEvent.id.desc()).limit(limit + 1)
        ).all()
    )
    cal = scope.select(CalendarEvent)
    past_stmt = cal.where(_calendar_older(now_key))
    if bound is not None:
        past_stmt = past_stmt.where(_calendar_older(bound))
    past_cal = list(
        db.scalars(
            past_stmt.order_by(
                CalendarEvent.start_date.desc(), _calendar_time().desc(), CalendarEvent.id.desc()
            ).limit(limit + 1)
        ).all()
    )
    future_cal: list[CalendarEvent] = []
    if first_page:
        future_cal = list(
            db.scalars(
                cal.where(~_calendar_older(now_key))
                .order_by(CalendarEvent.start_date, _calendar_time(), CalendarEvent.id)
                .limit(FUTURE_ITEMS)
            ).all()
        )
    refs = names_of(
        db,
        {e.actor_participant_id for e in events if e.actor_participant_id}
        | {e.created_by_participant_id for e in past_cal + future_cal}
        | {e.object_id for e in events if e.object_type == "participant"},
    )
    subjects = dict(
        db.execute(
            select(Message.id, Message.subject).where(
                Message.id.in_([e.object_id for e in events if e.object_type == "message"])
            )
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
    db.commit()
    return Timeline(
        items=future + [item for _, item in page],
        last_login=last_login,
        now=a.now,
        has_more=has_more,
        next_cursor=encode_cursor(page[-1][0]) if has_more else None,
    )


# --- my notification choices -----------------------------------------------------------


@router.get("/notifications")
def my_notifications(plan_id: int, a: Auth, db: WriteDb) -> NotificationPrefs:
    """How I want to hear of new things in this plan (my participant card)."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    return effective_prefs(scope.participant, a.user)


@router.put("/notifications")
def set_my_notifications(
    plan_id: int, body: NotificationPrefs, a: Auth, db: WriteDb
) -> NotificationPrefs:
    """Everyone sets their own, per plan: for each kind, SMS and/or e-mail (or neither)."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    if scope.plan.closed_at is not None:
        raise ApiError(409, "plan_closed", "The plan is closed; it can only be read")
    clean = NotificationPrefs.model_validate(
        {k: sorted(set(v)) for k, v in body.model_dump(mode="json").items()}
    )
    scope.participant.notifications = clean.model_dump(mode="json")
    scope.participant.version += 1
    audit.record_in_plan(
        scope,
        a,
        "notifications_changed",
        "participant",
        scope.participant.id,
        clean.model_dump(mode="json"),
    )
    db.commit()
    return clean
