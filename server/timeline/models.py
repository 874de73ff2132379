"""Plan events: one row for each new thing in a plan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class PlanEvent(Base):
    """Something new in a plan that participants may be notified of (varsling) and that
    the timeline shows: a goal, activity, comment, message, calendar entry or participant.

    Raised in the same transaction as the change; the notifier marks it `notified_at`.
    """

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_plan_at", "plan_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    kind: Mapped[str] = mapped_column(String(40))  # see server.timeline.events.EventKind
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    actor_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None] = mapped_column(index=True)
