"""The database schema: SQLAlchemy 2 typed models. Alembic migrations are made from these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite has no zones), always handed back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Unit(Base):
    """A municipality (virksomhet) or one of its services (enhet)."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime]


class Person(Base):
    """A person, with or without a user account: plan owners, relatives, staff."""

    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Lower-cased copies for case-insensitive search that can use an index.
    first_name_lc: Mapped[str] = mapped_column(String(100), index=True)
    last_name_lc: Mapped[str] = mapped_column(String(100), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(200))
    mobile: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    workplace: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    account: Mapped[UserAccount | None] = relationship(back_populates="person", uselist=False)


class UserAccount(Base):
    """A login (brukerkonto) for a person."""

    __tablename__ = "user_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(300))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    system_role: Mapped[str] = mapped_column(String(20), default="user")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # "Forgot password" sends a temporary password that works beside the old one, so a
    # stranger who knows a username cannot lock its owner out by resetting it.
    reset_password_hash: Mapped[str | None] = mapped_column(String(300))
    reset_expires_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    previous_login_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship(back_populates="account", lazy="joined")
    memberships: Mapped[list[UnitMembership]] = relationship(back_populates="user")


class UnitMembership(Base):
    """A user's place in a unit: member, coordinator or local administrator."""

    __tablename__ = "unit_memberships"
    __table_args__ = (UniqueConstraint("user_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")

    user: Mapped[UserAccount] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship(lazy="joined")


class LoginChallenge(Base):
    """The second step of a login: a hashed one-time code, or a pending TOTP check."""

    __tablename__ = "login_challenges"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    code_hash: Mapped[str | None] = mapped_column(String(128))
    destination_hint: Mapped[str] = mapped_column(String(200), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    resends: Mapped[int] = mapped_column(default=0)
    used_reset_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuthSession(Base):
    """A logged-in session; only the token's hash is stored."""

    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    absolute_expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(40))


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


class PlanArchive(Base):
    """A snapshot of a plan's whole content at one time (arkivering)."""

    __tablename__ = "plan_archives"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"))
    created_at: Mapped[datetime]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditLog(Base):
    """The log (logg): only ever appended to; database triggers refuse updates and deletes."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_plan_at", "plan_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(40))
    plan_id: Mapped[int | None] = mapped_column(Integer)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Draft(Base):
    """Unsent form text kept for its author: saved when a session is about to expire."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_accounts.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # e.g. "plan:12:goal:new"
    plan_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]


class PlanEvent(Base):
    """Something new in a plan that participants may be notified of (varsling) and that
    the timeline shows: a goal, activity, comment, message, calendar entry or participant.

    Raised in the same transaction as the change; the notifier marks it `notified_at`.
    """

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_plan_at", "plan_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    kind: Mapped[str] = mapped_column(String(40))  # see server.events.EventKind
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    actor_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None] = mapped_column(index=True)


class ChangeStamp(Base):
    """One row whose counter the database itself raises on every committed change to the
    tables the plan list reads (plans, participants, persons, message_recipients).

    Triggers keep it (migration 0006), so no code path, process or hand-written SQL can
    change those tables without the plan-list cache seeing it (`server/listcache.py`).
    """

    __tablename__ = "change_stamp"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer, default=0)
