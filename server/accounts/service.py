"""Administration and support (the rules): who manages which accounts, units, users,
account status, unlock, reset, ending sessions, unit memberships."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sampro_contract import (
    AccountStatus,
    CodeDelivery,
    SessionSummary,
    SystemRole,
    UnitRole,
    UserCreate,
    UserSummary,
)
from sampro_contract import (
    Unit as UnitOut,
)
from server.accounts.models import Person, Unit, UnitMembership, UserAccount
from server.accounts.people import create_person, give_account
from server.accounts.views import account_fields
from server.auth.models import AuthSession
from server.auth.service import end_sessions, new_temporary_password, set_temporary_password
from server.context import ServerContext
from server.deps import Authenticated, session_expiry
from server.errors import ApiError, forbidden, not_found, validation
from server.log import service as audit
from server.notifications.models import Delivery

ACCOUNT_MANAGERS = {SystemRole.SUPPORT, SystemRole.SYSADMIN}


def admin_units(db: Session, user: UserAccount) -> list[int] | None:
    """Units whose accounts this user manages; None means all (support, system admin)."""
    if user.system_role in ACCOUNT_MANAGERS:
        return None
    return list(
        db.scalars(
            select(UnitMembership.unit_id).where(
                UnitMembership.user_id == user.id, UnitMembership.role == UnitRole.ADMIN.value
            )
        ).all()
    )


def require_manager(db: Session, user: UserAccount) -> list[int] | None:
    units = admin_units(db, user)
    if units is not None and not units:
        raise forbidden("Only administrators and support manage accounts")
    return units


def managed_user(db: Session, a: Authenticated, user_id: int) -> UserAccount:
    units = require_manager(db, a.user)
    target = db.get(UserAccount, user_id)
    if target is None:
        raise not_found("No such user")
    if units is not None:
        theirs = set(
            db.scalars(select(UnitMembership.unit_id).where(UnitMembership.user_id == target.id))
        )
        if not theirs & set(units):
            raise not_found("No such user")
    # Support and system administrators manage every account, so their own accounts are
    # managed by system administrators alone: a local administrator who could reset a
    # support account's password could act as support everywhere.
    if target.system_role in ACCOUNT_MANAGERS and a.user.system_role != SystemRole.SYSADMIN:
        raise forbidden("Only a system administrator manages support and administrator accounts")
    return target


def summary(user: UserAccount, now_locked: bool) -> UserSummary:
    return UserSummary(
        **account_fields(user),
        locked=now_locked,
        active=user.active,
    )


def list_units(db: Session, a: Authenticated) -> list[UnitOut]:
    if a.user.system_role in ACCOUNT_MANAGERS:
        rows = db.scalars(select(Unit).order_by(Unit.name)).all()
    else:
        rows = db.scalars(
            select(Unit)
            .join(UnitMembership, UnitMembership.unit_id == Unit.id)
            .where(UnitMembership.user_id == a.user.id)
            .order_by(Unit.name)
        ).all()
    return [UnitOut.model_validate(u) for u in rows]


def create_unit(db: Session, a: Authenticated, name: str, parent_id: int | None) -> UnitOut:
    if a.user.system_role != SystemRole.SYSADMIN:
        raise forbidden("Only a system administrator creates units")
    if parent_id is not None and db.get(Unit, parent_id) is None:
        raise validation("parent_id", "no such unit", type="no_such_unit")
    unit = Unit(name=name.strip(), parent_id=parent_id, created_at=a.now)
    db.add(unit)
    db.flush()
    audit.record(db, a.now, a.actor, "unit_created", object_type="unit", object_id=unit.id)
    db.commit()
    return UnitOut.model_validate(unit)


def search_users(
    db: Session, a: Authenticated, q: str, unit_id: int | None, limit: int
) -> list[UserSummary]:
    """Find accounts by username or name, within the units one manages."""
    units = require_manager(db, a.user)
    stmt = select(UserAccount).join(Person, Person.id == UserAccount.person_id)
    if units is not None or unit_id is not None:
        allowed: list[int] = (
            (units or [])
            if unit_id is None
            else [u for u in (units if units is not None else [unit_id]) if u == unit_id]
        )
        stmt = stmt.where(
            UserAccount.id.in_(
                select(UnitMembership.user_id).where(UnitMembership.unit_id.in_(allowed))
            )
        )
    for term in q.lower().split()[:4]:
        stmt = stmt.where(
            or_(
                UserAccount.username.startswith(term),
                Person.first_name_lc.startswith(term),
                Person.last_name_lc.startswith(term),
            )
        )
    rows = db.scalars(stmt.order_by(Person.last_name_lc, Person.first_name_lc).limit(limit)).all()
    audit.record(
        db,
        a.now,
        a.actor,
        "users_searched",
        object_type="user",
        detail={"q": q, "unit_id": unit_id},
    )
    db.commit()
    return [summary(u, u.locked_until is not None and u.locked_until > a.now) for u in rows]


def create_user(ctx: ServerContext, db: Session, a: Authenticated, body: UserCreate) -> UserSummary:
    """A person with an account in a unit; the temporary password goes by SMS or e-mail."""
    # Hashed before the write transaction begins (the first query below), sent after it
    # commits: neither a slow hash nor a slow mail server holds the database's write lock.
    temp = new_temporary_password(ctx)
    units = require_manager(db, a.user)
    if a.user.system_role == SystemRole.SUPPORT:
        raise forbidden("Support helps with accounts; administrators create them")
    if units is not None and body.unit_id not in units:
        raise forbidden("You administer other units")
    if db.get(Unit, body.unit_id) is None:
        raise validation("unit_id", "no such unit", type="no_such_unit")
    if body.system_role in (SystemRole.SUPPORT, SystemRole.SYSADMIN) and (
        a.user.system_role != SystemRole.SYSADMIN
    ):
        raise forbidden("Only a system administrator gives support or administrator roles")
    person = create_person(db, body.unit_id, body.person, a.now)
    role = SystemRole.LOCAL_ADMIN if body.unit_role == UnitRole.ADMIN else body.system_role
    account, pending = give_account(
        db, temp, person, body.username, body.channel, a.now, system_role=role.value
    )
    db.flush()
    membership = db.scalars(
        select(UnitMembership).where(UnitMembership.user_id == account.id)
    ).one()
    membership.role = body.unit_role.value
    audit.record(
        db,
        a.now,
        a.actor,
        "user_created",
        object_type="user",
        object_id=account.id,
        detail={
            "username": account.username,
            "unit_id": body.unit_id,
            "unit_role": body.unit_role.value,
        },
    )
    db.commit()
    sent = pending.send(ctx, a.now)
    return summary(account, False).model_copy(update={"temporary_password_sent": sent})


def account_status(
    ctx: ServerContext, db: Session, a: Authenticated, user_id: int
) -> AccountStatus:
    """What support needs with a caller on the line: lock, failures, codes, sessions."""
    target = managed_user(db, a, user_id)
    deliveries = db.scalars(
        select(Delivery)
        .where(Delivery.user_id == user_id)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(20)
    ).all()
    sessions = [
        s
        for s in db.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
            .order_by(AuthSession.created_at.desc())
        ).all()
        if session_expiry(ctx, s) > a.now
    ]
    locked = target.locked_until is not None and target.locked_until > a.now
    audit.record(db, a.now, a.actor, "account_viewed", object_type="user", object_id=user_id)
    db.commit()
    return AccountStatus(
        user=summary(target, locked),
        locked_until=target.locked_until if locked else None,
        failed_logins=target.failed_logins,
        last_login_at=target.last_login_at,
        must_change_password=target.must_change_password,
        deliveries=[
            CodeDelivery(
                id=d.id,
                at=d.created_at,
                channel=d.channel,
                purpose=d.purpose,
                destination=d.destination_masked,
                status=d.status,
                error=d.error,
            )
            for d in deliveries
        ],
        sessions=[
            SessionSummary(
                id=s.id,
                created_at=s.created_at,
                last_activity_at=s.last_activity_at,
                expires_at=session_expiry(ctx, s),
            )
            for s in sessions
        ],
    )


def unlock(db: Session, a: Authenticated, user_id: int) -> None:
    target = managed_user(db, a, user_id)
    target.locked_until = None
    target.failed_logins = 0
    audit.record(db, a.now, a.actor, "account_unlocked", object_type="user", object_id=user_id)
    db.commit()


def reset_password(ctx: ServerContext, db: Session, a: Authenticated, user_id: int) -> None:
    """A new temporary password, delivered to the user; their sessions end."""
    temp = new_temporary_password(ctx)  # before the write transaction (see create_user)
    target = managed_user(db, a, user_id)
    pending = set_temporary_password(target, temp, "password_reset")
    ended = end_sessions(db, user_id, a.now, "password_reset")
    target.locked_until = None
    target.failed_logins = 0
    audit.record(
        db,
        a.now,
        a.actor,
        "password_reset",
        object_type="user",
        object_id=user_id,
        detail={"channel": pending.channel, "sessions_ended": ended},
    )
    db.commit()
    # Sent after the commit; the delivery row (sent or failed) is what support sees.
    if not pending.send(ctx, a.now):
        raise ApiError(
            502,
            "delivery_failed",
            "The password was reset but could not be delivered; check the contact "
            "details and try again",
        )


def end_user_sessions(db: Session, a: Authenticated, user_id: int) -> None:
    managed_user(db, a, user_id)
    ended = end_sessions(db, user_id, a.now, "ended_by_support")
    audit.record(
        db,
        a.now,
        a.actor,
        "sessions_ended",
        object_type="user",
        object_id=user_id,
        detail={"count": ended},
    )
    db.commit()


def set_membership(
    db: Session, a: Authenticated, user_id: int, unit_id: int, role: UnitRole
) -> None:
    """Add a user to another unit (a person may work in several), or change their role there."""
    target = managed_user(db, a, user_id)
    units = admin_units(db, a.user)
    if a.user.system_role == SystemRole.SUPPORT or (units is not None and unit_id not in units):
        raise forbidden("Only an administrator of that unit adds users to it")
    if db.get(Unit, unit_id) is None:
        raise validation("unit_id", "no such unit", type="no_such_unit")
    membership = db.scalars(
        select(UnitMembership).where(
            UnitMembership.user_id == target.id, UnitMembership.unit_id == unit_id
        )
    ).first()
    if membership is None:
        db.add(UnitMembership(user_id=target.id, unit_id=unit_id, role=role.value))
    else:
        membership.role = role.value
    audit.record(
        db,
        a.now,
        a.actor,
        "membership_set",
        object_type="user",
        object_id=user_id,
        detail={"unit_id": unit_id, "role": role.value},
    )
    db.commit()
