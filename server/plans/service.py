"""Plans: creating a plan, its home (the header and the owner's presentation), editing it,
archiving, closing and reopening it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sampro_contract import (
    Created,
    MyAccess,
    PlanCreate,
    PlanHome,
    PlanRole,
    PlanType,
    PlanUpdate,
    UnitRole,
)
from sampro_contract import Person as PersonOut
from server.access.policy import consent_valid, default_rights, rights_of
from server.access.scope import PlanScope, UnitAdminPlan, check_version
from server.accounts.models import UserAccount
from server.accounts.people import create_person, give_account, person_of_unit, unit_role
from server.auth.service import new_temporary_password
from server.context import ServerContext
from server.deps import Authenticated
from server.errors import ApiError, forbidden, validation
from server.log import service as audit
from server.participants.models import Participant
from server.plans.models import Plan, PlanArchive


def plan_home(scope: PlanScope) -> PlanHome:
    plan, me = scope.plan, scope.participant
    # A coordinator whose consent has run out opens the plan only to renew consents: the
    # header, not the owner's presentation and status (see `administers_while_expired`).
    valid = consent_valid(me, scope.today)
    owner_p = scope.db.scalars(
        scope.select(Participant).where(
            Participant.role == PlanRole.OWNER.value, Participant.removed_at.is_(None)
        )
    ).first()
    owner = plan.owner
    return PlanHome(
        id=plan.id,
        unit_id=plan.unit_id,
        type=PlanType(plan.type),
        short_name=plan.short_name,
        owner=PersonOut.model_validate(owner),
        start_date=plan.start_date,
        end_date=plan.end_date,
        owner_consent_expires=owner_p.consent_expires if owner_p else None,
        presentation=plan.presentation if valid else "",
        status_text=plan.status_text if valid else "",
        status_updated_at=plan.status_updated_at if valid else None,
        closed=plan.closed_at is not None,
        closed_at=plan.closed_at,
        last_archived=plan.last_archived_at,
        version=plan.version,
        me=MyAccess(
            participant_id=me.id,
            role=PlanRole(me.role),
            rights=rights_of(me),
            consent_expires=me.consent_expires,
            is_coordinator=scope.is_coordinator,
            consent_valid=valid,
        ),
    )


def _creatable_in(db: Session, user: UserAccount, unit_id: int) -> str:
    role = unit_role(db, user, unit_id)
    if role not in (UnitRole.COORDINATOR, UnitRole.ADMIN):
        raise forbidden("Only coordinators and local administrators of the unit create plans")
    return role


def create_plan(ctx: ServerContext, a: Authenticated, db: Session, body: PlanCreate) -> Created:
    """A new plan with its owner (an existing or a new person) and coordinator."""
    now = a.now
    # The owner's account: password hashed before the write transaction, sent after it.
    new_account = body.owner is not None and body.owner_channel is not None
    temp = new_temporary_password(ctx) if new_account else None
    role = _creatable_in(db, a.user, body.unit_id)
    if body.start_date and body.end_date and body.end_date < body.start_date:
        raise validation("end_date", "must be on or after start_date", type="end_before_start")
    coordinator = a.user
    if body.coordinator_user_id is not None and body.coordinator_user_id != a.user.id:
        if role != UnitRole.ADMIN:
            raise forbidden("Only a local administrator names another coordinator")
        other = db.get(UserAccount, body.coordinator_user_id)
        if other is None or unit_role(db, other, body.unit_id) is None:
            raise validation(
                "coordinator_user_id", "not a user of this unit", type="not_a_unit_user"
            )
        coordinator = other
    if body.owner_person_id is not None:
        # A person of the unit, or one whose account is a member of it.
        owner = person_of_unit(db, body.owner_person_id, body.unit_id)
        if owner is None:
            raise validation(
                "owner_person_id", "no such person in this unit", type="no_such_person"
            )
    elif body.owner is not None:
        owner = create_person(db, body.unit_id, body.owner, now)
    else:
        raise validation("owner", "give owner_person_id or owner", type="one_of_two")
    plan = Plan(
        unit_id=body.unit_id,
        owner_person_id=owner.id,
        type=body.type.value,
        short_name=body.short_name.strip(),
        start_date=body.start_date,
        end_date=body.end_date,
        content_changed_at=now,
        created_at=now,
    )
    db.add(plan)
    db.flush()
    db.add(
        Participant(
            plan_id=plan.id,
            person_id=owner.id,
            role=PlanRole.OWNER.value,
            consent_expires=body.owner_consent_expires,
            rights=default_rights(PlanRole.OWNER).model_dump(mode="json"),
            created_at=now,
        )
    )
    if coordinator.person_id != owner.id:
        db.add(
            Participant(
                plan_id=plan.id,
                person_id=coordinator.person_id,
                role=PlanRole.COORDINATOR.value,
                consent_expires=body.owner_consent_expires,
                responsibility="Koordinator",
                rights=default_rights(PlanRole.COORDINATOR).model_dump(mode="json"),
                created_at=now,
            )
        )
    audit.record(
        db,
        now,
        a.actor,
        "plan_created",
        plan_id=plan.id,
        object_type="plan",
        object_id=plan.id,
        detail={"type": plan.type},
    )
    db.flush()
    pending = None
    if temp is not None and body.owner_channel is not None:
        _, pending = give_account(db, temp, owner, None, body.owner_channel, now)
    db.commit()
    if pending is not None:
        pending.send(ctx, now)  # the delivery is recorded (sent or failed)
    return Created(id=plan.id)


def open_home(scope: PlanScope, a: Authenticated) -> PlanHome:
    """The plan's home as its screen opens (logged as a read of the home, or of the header
    alone for a coordinator whose consent has run out)."""
    valid = consent_valid(scope.participant, scope.today)
    audit.record_in_plan(scope, a, "read", "home" if valid else "plan_header")
    scope.db.commit()
    return plan_home(scope)


def update_plan(scope: PlanScope, a: Authenticated, body: PlanUpdate) -> PlanHome:
    """The presentation and status (the home's writers); the dates (the coordinator)."""
    plan = scope.plan
    new_dates = {
        name: value
        for name, value in (("start_date", body.start_date), ("end_date", body.end_date))
        if value is not None and value != getattr(plan, name)
    }
    if new_dates and not scope.is_coordinator:
        raise forbidden("Only the coordinator changes the plan's start and end dates")
    check_version(plan.version, body.version)
    start = new_dates.get("start_date", plan.start_date)
    end = new_dates.get("end_date", plan.end_date)
    if start is not None and end is not None and end < start:
        if "end_date" in new_dates:
            raise validation("end_date", "must be on or after start_date", type="end_before_start")
        raise validation("start_date", "must be on or before end_date", type="start_after_end")
    changed: list[str] = []
    detail: dict[str, Any] = {}
    for name, value in new_dates.items():
        detail[name] = {"from": _iso(getattr(plan, name)), "to": value.isoformat()}
        setattr(plan, name, value)
        changed.append(name)
    if body.presentation is not None and body.presentation != plan.presentation:
        plan.presentation = body.presentation
        changed.append("presentation")
    if body.status_text is not None and body.status_text != plan.status_text:
        plan.status_text = body.status_text
        plan.status_updated_at = a.now
        changed.append("status_text")
    if changed:
        plan.version += 1
        plan.content_changed_at = a.now
        audit.record_in_plan(scope, a, "update", "home", detail={"fields": changed, **detail})
    scope.db.commit()
    return plan_home(scope)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _snapshot(scope: PlanScope) -> dict[str, Any]:
    home = plan_home(scope).model_dump(mode="json")
    home.pop("me", None)
    participants = scope.db.scalars(
        scope.select(Participant).where(Participant.removed_at.is_(None))
    ).all()
    return {
        "home": home,
        "participants": [
            {
                "name": f"{p.person.first_name} {p.person.last_name}",
                "role": p.role,
                "responsibility": p.responsibility,
                "consent_expires": p.consent_expires.isoformat() if p.consent_expires else None,
            }
            for p in participants
        ],
    }


def archive_plan(scope: PlanScope, a: Authenticated) -> PlanHome:
    """Store a snapshot of the plan's whole content."""
    db = scope.db
    archive = PlanArchive(
        plan_id=scope.plan_id,
        created_by_user_id=a.user.id,
        created_at=a.now,
        snapshot=_snapshot(scope),
    )
    db.add(archive)
    scope.plan.last_archived_at = a.now
    scope.plan.version += 1
    db.flush()
    audit.record_in_plan(scope, a, "archive", "archive", archive.id)
    db.commit()
    return plan_home(scope)


def close_plan(scope: PlanScope, a: Authenticated) -> PlanHome:
    """Close the plan; only an archived plan closes."""
    if scope.plan.last_archived_at is None:
        raise ApiError(409, "not_archived", "Archive the plan before closing it")
    scope.plan.closed_at = a.now
    scope.plan.version += 1
    scope.plan.content_changed_at = a.now
    audit.record_in_plan(scope, a, "close", "plan", scope.plan_id)
    scope.db.commit()
    return plan_home(scope)


def reopen_plan(door: UnitAdminPlan, a: Authenticated) -> None:
    """Reopen a closed plan (its unit's local administrator, through `unit_admin_plan`)."""
    plan, db = door.plan, door.db
    if plan.closed_at is None:
        raise ApiError(409, "not_closed", "The plan is not closed")
    plan.closed_at = None
    plan.version += 1
    audit.record(
        db,
        a.now,
        a.actor,
        "reopen",
        plan_id=plan.id,
        object_type="plan",
        object_id=plan.id,
        role="local_admin",
    )
    db.commit()
