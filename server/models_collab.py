"""Working together: the plan's calendar and the notifications outbox (varslinger).

Messages themselves are `Message`/`MessageRecipient` in `server.models` (the plan list
counts unread ones).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base


class CalendarEvent(Base):
    """An entry in the owner's shared calendar (kalender).

    Start and end are wall-clock dates and times where the plan is, not instants: a
    meeting at 09:00 stays at 09:00 whatever the server's zone. No start time: all day.
    """

    __tablename__ = "calendar_events"
    __table_args__ = (Index("ix_calendar_events_plan_dates", "plan_id", "start_date", "end_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_date: Mapped[date] = mapped_column(Date)
    end_time: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)


class Notification(Base):
    """One notification to send (or sent) to one user about one plan on one channel.

    Events are folded in while it waits (`event_count`), so a burst becomes one message.
    It carries no plan content: only the plan's id and how many new things there are.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "due_at"),
        Index("ix_notifications_fold", "user_id", "plan_id", "channel", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))  # pending | sending | sent | failed
    event_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]  # not before: the folding window, or the next retry
    claimed_until: Mapped[datetime | None]  # a worker is sending it until then
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
