"""Messages and their recipients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class Message(Base):
    """A plan-internal message, note or minutes (melding, notat, referat)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_sender", "sender_participant_id", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    sender_participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    kind: Mapped[str] = mapped_column(String(20), default="message")
    category: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]  # None while a draft
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)
    # Last saved (a draft) or sent; None only for rows made before it existed.
    updated_at: Mapped[datetime | None]
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))


class MessageRecipient(Base):
    """One recipient of a message, with the read receipt (when they first opened it)."""

    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("message_id", "participant_id"),
        Index("ix_message_recipients_unread", "participant_id", "read_at"),
        Index("ix_message_recipients_inbox", "participant_id", "sent_at", "message_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    read_at: Mapped[datetime | None]
    # The message's sent_at, copied when it is sent: the inbox is read newest first
    # straight from an index (participant, sent_at) instead of sorting all messages.
    sent_at: Mapped[datetime | None]
