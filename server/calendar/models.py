"""Calendar entries of a plan."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


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
