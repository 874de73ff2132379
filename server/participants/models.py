"""A plan's participants: role, rights, consent, responsibility."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import Person
from server.db import Base


class Participant(Base):
    """A member of the plan group (plandeltaker) with role, rights and consent (samtykke)."""

    __tablename__ = "participants"
    __table_args__ = (
        Index("ix_participants_person_plan", "person_id", "plan_id"),
        Index("ix_participants_plan_role", "plan_id", "role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    role: Mapped[str] = mapped_column(String(20))
    consent_expires: Mapped[date | None] = mapped_column(Date)
    responsibility: Mapped[str] = mapped_column(String(500), default="")
    rights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notifications: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    removed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship(lazy="joined")
