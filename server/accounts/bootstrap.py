"""Creating the first system administrator in a new database."""

from __future__ import annotations

from sqlalchemy import select

from sampro_contract import SystemRole, UnitRole
from server.accounts.models import Person, Unit, UnitMembership, UserAccount
from server.config import Settings
from server.context import ServerContext
from server.log import service as audit
from server.log.service import Actor
from server.security import PROBLEM_TEXT


class AdminExists(Exception):
    pass


def create_admin(
    settings: Settings, username: str, email: str, password: str, *, unit_name: str
) -> int:
    ctx = ServerContext.from_settings(settings)
    try:
        problems = ctx.passwords.problems(password, username=username)
        if problems:
            raise ValueError("password: " + "; ".join(PROBLEM_TEXT[p] for p in problems))
        if "@" not in email:
            raise ValueError("email: not an e-mail address")
        now = ctx.clock.now()
        with ctx.db.writing() as db:
            if db.scalar(
                select(UserAccount.id).where(UserAccount.system_role == SystemRole.SYSADMIN.value)
            ):
                raise AdminExists("a system administrator already exists in this database")
            unit = db.scalars(select(Unit).where(Unit.parent_id.is_(None))).first()
            if unit is None:
                unit = Unit(name=unit_name, created_at=now)
                db.add(unit)
                db.flush()
            person = Person(
                unit_id=unit.id,
                first_name="System",
                last_name="Administrator",
                first_name_lc="system",
                last_name_lc="administrator",
                email=email,
                created_at=now,
            )
            db.add(person)
            db.flush()
            user = UserAccount(
                person_id=person.id,
                username=username.strip().lower(),
                password_hash=ctx.passwords.hash(password),
                must_change_password=False,
                channel="email",
                system_role=SystemRole.SYSADMIN.value,
                created_at=now,
            )
            db.add(user)
            db.flush()
            db.add(UnitMembership(user_id=user.id, unit_id=unit.id, role=UnitRole.ADMIN.value))
            audit.record(
                db,
                now,
                Actor(None, "cli", None),
                "admin_created",
                object_type="user",
                object_id=user.id,
            )
            return user.id
    finally:
        ctx.db.dispose()
