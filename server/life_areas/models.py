"""The text of each life area of a plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class LifeAreaText(Base):
    """The current text of one life area (livsområde); no history, the log keeps earlier ones."""

    __tablename__ = "life_areas"
    __table_args__ = (
        UniqueConstraint("plan_id", "area"),
        CheckConstraint(
            "area IN ('work', 'housing', 'leisure', 'health', 'social', 'economy')",
            name="ck_life_areas_area",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    area: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    area_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(300), default="")
    updated_by_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
