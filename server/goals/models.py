"""Goals, their pictures, activities and comments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class Goal(Base):
    """A goal (mål) of the plan; `position` orders the active goals, the same for everyone."""

    __tablename__ = "goals"
    __table_args__ = (Index("ix_goals_plan_position", "plan_id", "in_history", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    title: Mapped[str] = mapped_column(String(300))
    registered_on: Mapped[date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    in_history: Mapped[bool] = mapped_column(default=False)  # historikk
    moved_to_history_at: Mapped[datetime | None]
    picture_type: Mapped[str | None] = mapped_column(String(20))  # the picture is apart
    created_by_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)


class GoalPicture(Base):
    """A goal's picture, kept apart so that listing goals never loads image bytes."""

    __tablename__ = "goal_pictures"
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Activity(Base):
    """An activity (aktivitet / tiltak) under a goal, ordered by `position` within it."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_goal_position", "goal_id", "position"),
        Index("ix_activities_plan", "plan_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    title: Mapped[str] = mapped_column(String(300))
    activity_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    when: Mapped[str] = mapped_column(String(300), default="")
    responsible_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)


class Comment(Base):
    """A comment (kommentar) on a goal or on an activity; `goal_id` is set for both kinds,
    so a goal's history move and deletion reach every comment under it."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_goal", "goal_id", "activity_id", "created_at"),
        Index("ix_comments_activity", "activity_id", "created_at"),
        Index("ix_comments_plan", "plan_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    author_participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
