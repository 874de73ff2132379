"""Plans, their archives, and the change stamp the plan-list cache checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Person
from server.db import Base


class Plan(Base):
    """An individual plan (individuell plan) or one of its kin (IOP, IUP, stafettlogg)."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    type: Mapped[str] = mapped_column(String(4))
    short_name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    presentation: Mapped[str] = mapped_column(Text, default="")
    status_text: Mapped[str] = mapped_column(Text, default="")
    status_updated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_archived_at: Mapped[datetime | None]
    content_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[Person] = relationship(lazy="joined")


class PlanArchive(Base):
    """A snapshot of a plan's whole content at one time (arkivering)."""

    __tablename__ = "plan_archives"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"))
    created_at: Mapped[datetime]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class ChangeStamp(Base):
    """One row whose counter the database itself raises on every committed change to the
    tables the plan list reads (plans, participants, persons, message_recipients).

    Triggers keep it (migration 0006), so no code path, process or hand-written SQL can
    change those tables without the plan-list cache seeing it (`server/plans/cache.py`).
    """

    __tablename__ = "change_stamp"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
