"""Working together, shared by the messages, calendar, home-feed and timeline routes:
who people are in a plan, which messages one may see, notification preferences."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sampro_contract import (
    CalendarEvent as CalendarEventOut,
)
from sampro_contract import (
    NotificationPrefs,
    NotifyChannel,
    ParticipantRef,
    PlanRole,
)
from server.access.scope import PlanScope
from server.accounts.models import Person, UserAccount
from server.calendar.models import CalendarEvent
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant


def names_of(db: Session, participant_ids: Iterable[int]) -> dict[int, ParticipantRef]:
    """Participants by id, as others see them (name and role)."""
    ids = set(participant_ids)
    if not ids:
        return {}
    rows = db.execute(
        select(Participant.id, Participant.role, Person.first_name, Person.last_name)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.id.in_(ids))
    ).all()
    return {
        pid: ParticipantRef(participant_id=pid, name=f"{first} {last}", role=PlanRole(role))
        for pid, role, first, last in rows
    }


def unknown(participant_id: int) -> ParticipantRef:
    return ParticipantRef(participant_id=participant_id, name="?", role=PlanRole.PROVIDER)


def may_see_message(scope: PlanScope, m: Message) -> bool:
    """The sender sees their messages and drafts; recipients see sent messages only."""
    me = scope.participant.id
    if m.sender_participant_id == me:
        return True
    if m.sent_at is None:
        return False  # drafts are private to their author
    return (
        scope.db.scalar(
            select(MessageRecipient.id).where(
                MessageRecipient.message_id == m.id, MessageRecipient.participant_id == me
            )
        )
        is not None
    )


# --- notification preferences ----------------------------------------------------------


def default_channel(user: UserAccount) -> NotifyChannel:
    if user.channel in (NotifyChannel.SMS, NotifyChannel.EMAIL):
        return NotifyChannel(user.channel)
    return NotifyChannel.EMAIL if user.person.email else NotifyChannel.SMS


def effective_prefs(p: Participant, user: UserAccount | None) -> NotificationPrefs:
    """The stored choice, or until one is made: new messages to me on my login channel."""
    stored: dict[str, Any] = p.notifications or {}
    if stored:
        return NotificationPrefs.model_validate(stored)
    if user is None:
        return NotificationPrefs()
    return NotificationPrefs(new_message=[default_channel(user)])


# --- calendar ------------------------------------------------------------------------


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


def may_edit_event(scope: PlanScope, e: CalendarEvent) -> bool:
    """The author and the coordinator edit or delete an entry, while the plan is open."""
    if scope.plan.closed_at is not None:
        return False
    return e.created_by_participant_id == scope.participant.id or scope.is_coordinator


def events_out(scope: PlanScope, rows: list[CalendarEvent]) -> list[CalendarEventOut]:
    refs = names_of(scope.db, {e.created_by_participant_id for e in rows})
    return [event_out(scope, e, refs) for e in rows]


def like_pattern(q: str) -> str:
    """A LIKE pattern (with `escape="\\"`) finding `q` anywhere, lower case: `%` and `_`
    in what a person searches for are themselves, not wildcards."""
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
