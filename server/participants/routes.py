"""Participants (deltakere): list, add, change role/rights/consent, remove; person search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from sampro_contract import Access, Channel, ParticipantCreate, ParticipantUpdate, PlanRole, Rights
from sampro_contract import Participant as ParticipantOut
from sampro_contract import Person as PersonOut
from server.access.policy import Area, Need, consent_valid, default_rights, rights_of
from server.access.scope import PlanScope, check_version, open_plan
from server.accounts.models import Person, UnitMembership, UserAccount
from server.accounts.people import create_person, give_account
from server.auth.service import PendingDelivery, new_temporary_password
from server.deps import Auth, Ctx, WriteDb
from server.errors import ApiError, validation
from server.log import service as audit
from server.participants.models import Participant
from server.timeline.events import EventKind, raise_event

router = APIRouter(prefix="/plans/{plan_id}", tags=["participants"])


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


def check_rights(rights: Rights) -> None:
    """Activities are shown and reached under their goals: reading them needs the goals."""
    if rights.activities != Access.NONE and rights.goals == Access.NONE:
        raise validation(
            "rights.activities",
            "activities are seen under their goals: give the goals right (read) as well",
            type="activities_need_goals",
        )


def participant_out(scope: PlanScope, p: Participant) -> ParticipantOut:
    account = p.person.account
    return ParticipantOut(
        id=p.id,
        person=PersonOut.model_validate(p.person),
        role=PlanRole(p.role),
        rights=rights_of(p),
        consent_expires=p.consent_expires,
        consent_valid=consent_valid(p, scope.today),
        responsibility=p.responsibility,
        has_account=account is not None,
        channel=Channel(account.channel) if account else None,
        version=p.version,
    )


def _live(scope: PlanScope) -> list[Participant]:
    return list(
        scope.db.scalars(
            scope.select(Participant)
            .where(Participant.removed_at.is_(None))
            .order_by(Participant.role, Participant.id)
        ).all()
    )


@router.get("/participants")
def list_participants(plan_id: int, a: Auth, db: WriteDb) -> list[ParticipantOut]:
    scope = open_plan(db, a.user, plan_id, Area.PARTICIPANTS, Need.READ, a.now.date())
    audit.record_in_plan(scope, a, "read", "participants")
    db.commit()
    return [participant_out(scope, p) for p in _live(scope)]


@router.get("/persons")
def search_persons(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    q: Annotated[str, Query(max_length=100)] = "",
) -> list[PersonOut]:
    """Persons of the plan's unit (or members of it) to add as participants (the coordinator)."""
    scope = open_plan(db, a.user, plan_id, Area.PARTICIPANTS, Need.WRITE, a.now.date())
    stmt = select(Person).where(of_unit(scope.plan.unit_id))
    for term in q.lower().split()[:4]:
        stmt = stmt.where(
            or_(Person.first_name_lc.startswith(term), Person.last_name_lc.startswith(term))
        )
    people = db.scalars(stmt.order_by(Person.last_name_lc, Person.first_name_lc).limit(50)).all()
    return [PersonOut.model_validate(p) for p in people]


@router.post("/participants", status_code=201)
def add_participant(
    plan_id: int, body: ParticipantCreate, ctx: Ctx, a: Auth, db: WriteDb
) -> ParticipantOut:
    """Add an existing person of the unit, or a new person (with an account if asked)."""
    # A new account's password is hashed before the write transaction begins and sent
    # after it commits, so neither holds the database's write lock.
    temp = new_temporary_password(ctx) if body.create_account else None
    scope = open_plan(db, a.user, plan_id, Area.PARTICIPANTS, Need.WRITE, a.now.date())
    if body.role == PlanRole.OWNER:
        raise validation(
            "role",
            "the plan already has its owner; choose relative or provider",
            type="relative_or_provider",
        )
    if body.person_id is not None:
        person = person_of_unit(db, body.person_id, scope.plan.unit_id)
        if person is None:
            raise validation(
                "person_id", "no such person in the plan's unit", type="no_such_person"
            )
        already = db.scalars(
            scope.select(Participant).where(
                Participant.person_id == person.id, Participant.removed_at.is_(None)
            )
        ).first()
        if already:
            raise ApiError(409, "already_participant", "This person already takes part")
    elif body.person is not None:
        person = create_person(db, scope.plan.unit_id, body.person, a.now)
    else:
        raise validation("person", "give person_id or person", type="one_of_two")
    pending: PendingDelivery | None = None
    if temp is not None and person.account is None:
        _, pending = give_account(db, temp, person, body.username, body.channel, a.now)
        db.refresh(person)
    rights = body.rights or default_rights(body.role)
    check_rights(rights)
    p = Participant(
        plan_id=plan_id,
        person_id=person.id,
        role=body.role.value,
        consent_expires=body.consent_expires,
        responsibility=body.responsibility,
        rights=rights.model_dump(mode="json"),
        created_at=a.now,
    )
    db.add(p)
    scope.plan.content_changed_at = a.now
    db.flush()
    raise_event(
        db, plan_id, EventKind.NEW_PARTICIPANT, "participant", p.id, scope.participant.id, a.now
    )
    audit.record_in_plan(
        scope,
        a,
        "participant_added",
        "participant",
        p.id,
        {"role": p.role, "rights": p.rights, "consent_expires": str(p.consent_expires)},
    )
    db.commit()
    sent = pending.send(ctx, a.now) if pending is not None else None
    db.refresh(p)
    return participant_out(scope, p).model_copy(update={"temporary_password_sent": sent})


@router.patch("/participants/{participant_id}")
def update_participant(
    plan_id: int, participant_id: int, body: ParticipantUpdate, a: Auth, db: WriteDb
) -> ParticipantOut:
    """Change role, rights, consent expiry or responsibility (the coordinator)."""
    scope = open_plan(db, a.user, plan_id, Area.PARTICIPANTS, Need.WRITE, a.now.date())
    p = scope.get(Participant, participant_id, "No such participant")
    if p.removed_at is not None:
        raise ApiError(404, "not_found", "No such participant")
    check_version(p.version, body.version)
    if body.role is not None and body.role != PlanRole(p.role):
        # The plan always has its owner and its coordinator: neither role is taken from
        # a row or given to one here (a coordinator demoting themselves would leave the
        # plan with no one to administer it).
        if PlanRole(p.role) == PlanRole.OWNER:
            raise validation("role", "the owner's role cannot be changed", type="owner_role_fixed")
        if PlanRole(p.role) == PlanRole.COORDINATOR:
            raise validation(
                "role", "the coordinator's role cannot be changed", type="coordinator_role_fixed"
            )
        if body.role in (PlanRole.OWNER, PlanRole.COORDINATOR):
            raise validation(
                "role",
                "a participant becomes relative or provider here",
                type="relative_or_provider",
            )
        p.role = body.role.value
    if body.rights is not None:
        check_rights(body.rights)
        p.rights = body.rights.model_dump(mode="json")
    followers: list[Participant] = []
    if body.consent_expires is not None and body.consent_expires != p.consent_expires:
        if p.role == PlanRole.OWNER:
            # The coordinator takes part on the owner's consent: renewed or withdrawn
            # with it (so renewing the owner's consent gives the coordinator back the
            # plan's content).
            followers = [c for c in _live(scope) if c.role == PlanRole.COORDINATOR and c.id != p.id]
        p.consent_expires = body.consent_expires
        for c in followers:
            c.consent_expires = body.consent_expires
            c.version += 1
    if body.responsibility is not None:
        p.responsibility = body.responsibility
    p.version += 1
    audit.record_in_plan(
        scope,
        a,
        "participant_changed",
        "participant",
        p.id,
        body.model_dump(mode="json", exclude_none=True),
    )
    for c in followers:
        audit.record_in_plan(
            scope,
            a,
            "participant_changed",
            "participant",
            c.id,
            {"consent_expires": str(c.consent_expires), "follows_owner": True},
        )
    db.commit()
    return participant_out(scope, p)


@router.delete("/participants/{participant_id}", status_code=204)
def remove_participant(plan_id: int, participant_id: int, a: Auth, db: WriteDb) -> Response:
    """Remove from the plan group; the row stays (the log refers to it)."""
    scope = open_plan(db, a.user, plan_id, Area.PARTICIPANTS, Need.WRITE, a.now.date())
    p = scope.get(Participant, participant_id, "No such participant")
    if p.removed_at is not None:
        raise ApiError(404, "not_found", "No such participant")
    if p.role == PlanRole.OWNER:
        raise validation(
            "participant_id", "the plan owner cannot be removed", type="owner_not_removable"
        )
    if p.id == scope.participant.id:
        raise validation(
            "participant_id", "a coordinator cannot remove themselves", type="cannot_remove_self"
        )
    p.removed_at = a.now
    p.version += 1
    audit.record_in_plan(scope, a, "participant_removed", "participant", p.id)
    db.commit()
    return Response(status_code=204)
