"""Units, persons and their accounts, and who belongs to which unit in which role."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base


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
