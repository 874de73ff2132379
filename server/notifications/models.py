"""Deliveries of codes and temporary passwords, and the notifications outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class Delivery(Base):
    """A message sent out by SMS or e-mail: a code, a temporary password, a notification."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(String(40))
    destination_masked: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


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
