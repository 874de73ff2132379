"""The plan's home feed: the next events, the latest messages to me, who has visited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func

from sampro_contract import HomeFeed, MessageFolder, PlanRole, Visit
from server.access.scope import PlanScope
from server.accounts.models import UserAccount
from server.calendar.service import coming_events, events_out
from server.deps import Authenticated
from server.log import service as audit
from server.log.models import AuditLog
from server.messages.folders import MESSAGE_ITEMS, list_items
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant

HOME_EVENTS = 5
HOME_MESSAGES = 5
NO_PREVIOUS_VISIT_DAYS = 14


def my_last_visit(scope: PlanScope, session_started: datetime) -> datetime | None:
    """My latest visit to the plan's home before this session (from the log)."""
    return scope.db.scalar(
        scope.select(AuditLog)
        .with_only_columns(func.max(AuditLog.at))
        .where(
            AuditLog.user_id == scope.user.id,
            AuditLog.action == "read",
            AuditLog.object_type == "home",
            AuditLog.at < session_started,
        )
    )


def visitors_since(scope: PlanScope, since: datetime) -> list[Visit]:
    rows = scope.db.execute(
        scope.select(AuditLog)
        .with_only_columns(AuditLog.user_id, func.max(AuditLog.at))
        .where(
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


def unread_messages(scope: PlanScope) -> int:
    """Sent messages to me that I have not opened."""
    count = scope.db.scalar(
        scope.select(MessageRecipient)
        .with_only_columns(func.count(MessageRecipient.id))
        .join(Message, Message.id == MessageRecipient.message_id)
        .where(
            MessageRecipient.participant_id == scope.participant.id,
            MessageRecipient.read_at.is_(None),
            Message.sent_at.is_not(None),
        )
    )
    return count or 0


def home_feed(scope: PlanScope, a: Authenticated) -> HomeFeed:
    """The feed since my last visit before this session (or the last two weeks); logged."""
    today = a.now.date()
    events = events_out(scope, coming_events(scope, today, HOME_EVENTS))
    items, _ = list_items(scope, MessageFolder.INBOX, limit=HOME_MESSAGES)
    messages = MESSAGE_ITEMS.validate_python(items)
    unread = unread_messages(scope)
    last_visit = my_last_visit(scope, a.session.created_at)
    since = last_visit or a.now - timedelta(days=NO_PREVIOUS_VISIT_DAYS)
    audit.record_in_plan(scope, a, "read", "home_feed")
    scope.db.commit()
    return HomeFeed(
        next_events=events,
        latest_messages=messages,
        unread_messages=unread,
        my_last_visit=last_visit,
        visitors=visitors_since(scope, since),
    )
