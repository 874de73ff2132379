"""Plan events: raised with each new thing in a plan, read by notifications and the timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from server.timeline.models import PlanEvent


class EventKind(StrEnum):
    """The notification kinds a participant can choose (varslinger)."""

    NEW_MESSAGE = "new_message"  # new message to me
    NEW_GOAL_OR_ACTIVITY = "new_goal_or_activity"
    NEW_COMMENT = "new_comment"
    NEW_CALENDAR_ENTRY = "new_calendar_entry"
    NEW_PARTICIPANT = "new_participant"


def raise_event(
    db: Session,
    plan_id: int,
    kind: EventKind,
    object_type: str,
    object_id: int,
    actor_participant_id: int | None,
    at: datetime,
) -> None:
    """Record the event in the caller's transaction, so it exists exactly when the change does."""
    db.add(
        PlanEvent(
            plan_id=plan_id,
            kind=kind.value,
            object_type=object_type,
            object_id=object_id,
            actor_participant_id=actor_participant_id,
            created_at=at,
        )
    )
