"""The plan's home feed (next events, latest messages to me, who has visited), the
timeline (tidslinje) and my notification choices (varslinger) in a plan."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import and_, exists, func, or_, select

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
from server import audit
from server.access import Area, Need, PlanScope, open_plan
from server.collab import effective_prefs, events_out, names_of
from server.deps import Auth, WriteDb
from server.errors import ApiError
from server.models import (
    AuditLog,
    Message,
    MessageRecipient,
    Participant,
    PlanEvent,
    UserAccount,
)
from server.models_collab import CalendarEvent
from server.routes.calendar import coming_events
from server.routes.messages import MESSAGE_ITEMS, list_items
from server.timeline import SOURCES

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


def _calendar_at(e: CalendarEvent) -> datetime:
    # Wall-clock date and time, shown as such; tagged UTC only to sort beside instants.
    return datetime.combine(e.start_date, e.start_time or time(0), tzinfo=UTC)


@router.get("/timeline")
def timeline(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    before: Annotated[datetime | None, Query(description="Older than this (paging)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Timeline:
    """The plan's events newest first, only what my rights show; future entries on top."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    me = scope.participant.id
    today = a.now.date()
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)
    last_login = a.user.previous_login_at
    visible_types = [t for t, s in SOURCES.items() if s.visible_to(scope)]
    mine = or_(
        exists().where(
            MessageRecipient.message_id == PlanEvent.object_id,
            MessageRecipient.participant_id == me,
        ),
        exists().where(Message.id == PlanEvent.object_id, Message.sender_participant_id == me),
    )
    stmt = scope.select(PlanEvent).where(
        or_(
            PlanEvent.object_type.in_(visible_types),
            and_(PlanEvent.object_type == "message", mine),
        )
    )
    if before is not None:
        stmt = stmt.where(PlanEvent.created_at < before)
    events = list(
        db.scalars(
            stmt.order_by(PlanEvent.created_at.desc(), PlanEvent.id.desc()).limit(limit + 1)
        ).all()
    )
    cal = scope.select(CalendarEvent)
    past_cal_stmt = cal.where(
        CalendarEvent.start_date < (before.date() + timedelta(days=1) if before else today)
    )
    past_cal = list(
        db.scalars(
            past_cal_stmt.order_by(CalendarEvent.start_date.desc(), CalendarEvent.id.desc()).limit(
                limit + 1
            )
        ).all()
    )
    future_cal: list[CalendarEvent] = []
    if before is None:
        future_cal = list(
            db.scalars(
                cal.where(CalendarEvent.start_date >= today)
                .order_by(CalendarEvent.start_date, CalendarEvent.id)
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
    for object_type, source in SOURCES.items():
        if source.titles is not None:
            ids = [e.object_id for e in events if e.object_type == object_type]
            titles[object_type] = source.titles(scope, ids) if ids else {}
    titles["participant"] = {pid: ref.name for pid, ref in refs.items()}

    def is_new(at: datetime) -> bool:
        return last_login is not None and at > last_login

    items: list[TimelineItem] = []
    for e in events:
        found = SOURCES.get(e.object_type)
        kind = TimelineKind.MESSAGE if e.object_type == "message" else TimelineKind.OTHER
        if found is not None and e.object_type != "message":
            kind = found.kind
        actor = refs.get(e.actor_participant_id) if e.actor_participant_id else None
        items.append(
            TimelineItem(
                kind=kind,
                object_type=e.object_type,
                object_id=e.object_id,
                at=e.created_at,
                all_day=False,
                title=titles.get(e.object_type, {}).get(e.object_id, ""),
                by=actor.name if actor else None,
                new=is_new(e.created_at),
                future=False,
            )
        )
    for c in past_cal + future_cal:
        at = _calendar_at(c)
        if before is not None and at >= before:
            continue
        author = refs.get(c.created_by_participant_id)
        items.append(
            TimelineItem(
                kind=TimelineKind.CALENDAR,
                object_type="calendar_event",
                object_id=c.id,
                at=at,
                all_day=c.start_time is None,
                title=c.title,
                by=author.name if author else None,
                new=is_new(c.created_at),
                # Wall-clock against the server's UTC: off by the zone at most, today.
                future=c.start_date > today or (c.start_time is not None and at > a.now),
            )
        )
    future = sorted((i for i in items if i.future), key=lambda i: i.at, reverse=True)
    past = sorted(
        (i for i in items if not i.future), key=lambda i: (i.at, i.object_id), reverse=True
    )
    has_more = len(past) > limit
    audit.record_in_plan(scope, a, "read", "timeline")
    db.commit()
    return Timeline(
        items=future + past[:limit], last_login=last_login, now=a.now, has_more=has_more
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
