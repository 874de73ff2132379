"""Fictional demo data for `sampro-server demo-seed` and `sampro demo`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from server.plans.models import Plan
from server.timeline.events import EventKind
from server.timeline.models import PlanEvent


def past_event(
    db: Session,
    plan: Plan,
    kind: EventKind,
    object_type: str,
    object_id: int,
    actor: int,
    at: datetime,
    now: datetime,
) -> None:
    """A timeline event as the routes would have raised it, long since notified."""
    db.add(
        PlanEvent(
            plan_id=plan.id,
            kind=kind.value,
            object_type=object_type,
            object_id=object_id,
            actor_participant_id=actor,
            created_at=at,
            notified_at=now,  # history: nobody is notified of it now
        )
    )
