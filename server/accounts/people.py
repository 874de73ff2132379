"""People and accounts: creating persons, giving them accounts, unit roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sampro_contract import Channel, PersonCreate, UnitRole
from server.accounts.models import Person, UnitMembership, UserAccount
from server.auth.service import PendingDelivery, TemporaryPassword, set_temporary_password
from server.errors import ApiError, validation


def unit_role(db: Session, user: UserAccount, unit_id: int) -> UnitRole | None:
    role = db.scalar(
        select(UnitMembership.role).where(
            UnitMembership.user_id == user.id, UnitMembership.unit_id == unit_id
        )
    )
    return UnitRole(role) if role else None


def of_unit(unit_id: int) -> ColumnElement[bool]:
    """Persons of a unit: those registered in it, and those whose account is a member of
    it (a teacher of the school also working with the coordinating unit)."""
    return or_(
        Person.unit_id == unit_id,
        Person.id.in_(
            select(UserAccount.person_id)
            .join(UnitMembership, UnitMembership.user_id == UserAccount.id)
            .where(UnitMembership.unit_id == unit_id)
        ),
    )


def person_of_unit(db: Session, person_id: int, unit_id: int) -> Person | None:
    """The person, if they belong to the unit (see `of_unit`)."""
    return db.scalars(select(Person).where(Person.id == person_id, of_unit(unit_id))).first()


def create_person(db: Session, unit_id: int, data: PersonCreate, now: datetime) -> Person:
    person = Person(
        unit_id=unit_id,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        first_name_lc=data.first_name.strip().lower(),
        last_name_lc=data.last_name.strip().lower(),
        birth_date=data.birth_date,
        email=(data.email or "").strip() or None,
        mobile=(data.mobile or "").strip() or None,
        phone=(data.phone or "").strip() or None,
        address=data.address,
        workplace=data.workplace,
        position=data.position,
        created_at=now,
    )
    db.add(person)
    db.flush()
    return person


def _username_for(db: Session, person: Person) -> str:
    base = (person.email or f"{person.first_name}.{person.last_name}").strip().lower()
    base = "".join(c for c in base if c.isalnum() or c in "._@-") or "bruker"
    candidate, n = base, 1
    while db.scalar(select(UserAccount.id).where(UserAccount.username == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def username_taken(name: str) -> ApiError:
    return ApiError(
        409,
        "username_taken",
        f"The username {name} is taken; choose another",
        {"fields": {"username": "taken"}, "types": {"username": "username_taken"}},
    )


def give_account(
    db: Session,
    temp: TemporaryPassword,
    person: Person,
    username: str | None,
    channel: Channel,
    now: datetime,
    *,
    system_role: str = "user",
) -> tuple[UserAccount, PendingDelivery]:
    """An account with a temporary password (hashed before the transaction began); the
    caller sends the returned message to the person by SMS or e-mail after the commit."""
    if person.account is not None:
        raise validation("person", "already has an account", type="has_account")
    if channel == Channel.SMS and not person.mobile:
        raise validation("mobile", "needed for codes by SMS", type="needs_mobile")
    if channel == Channel.EMAIL and not person.email:
        raise validation("email", "needed for codes by e-mail", type="needs_email")
    if channel == Channel.TOTP:
        raise validation(
            "channel",
            "an authenticator is enrolled by the user; choose sms or email",
            type="sms_or_email",
        )
    name = (username or "").strip().lower() or _username_for(db, person)
    if db.scalar(select(UserAccount.id).where(UserAccount.username == name)):
        raise username_taken(name)
    account = UserAccount(
        person_id=person.id,
        username=name,
        password_hash="!",
        must_change_password=True,
        channel=channel.value,
        system_role=system_role,
        created_at=now,
    )
    db.add(account)
    try:
        db.flush()
    except IntegrityError as exc:
        # Another request took the name (or gave the person an account) between the
        # check above and this insert: the database's unique rule decided.
        db.rollback()
        if db.scalar(select(UserAccount.id).where(UserAccount.username == name)):
            raise username_taken(name) from exc
        raise validation("person", "already has an account", type="has_account") from exc
    db.refresh(account)
    pending = set_temporary_password(account, temp, "new_account")
    db.add(UnitMembership(user_id=account.id, unit_id=person.unit_id, role=UnitRole.MEMBER.value))
    return account, pending
