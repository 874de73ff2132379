"""Participants (deltakere): who takes part in a plan, in which role, with which rights
and consent; adding, changing and removing them; finding persons of the unit to add."""

from __future__ import annotations

from sqlalchemy import or_, select

from sampro_contract import Access, Channel, ParticipantCreate, ParticipantUpdate, PlanRole, Rights
from sampro_contract import Participant as ParticipantOut
from sampro_contract import Person as PersonOut
from server.access.policy import consent_valid, default_rights, rights_of
from server.access.scope import PlanScope, check_version
from server.accounts.models import Person
from server.accounts.people import create_person, give_account, of_unit, person_of_unit
from server.auth.service import PendingDelivery, TemporaryPassword
from server.context import ServerContext
from server.deps import Authenticated
from server.errors import ApiError, validation
from server.log import service as audit
from server.participants.models import Participant
from server.timeline.events import EventKind, raise_event


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


def list_participants(scope: PlanScope, a: Authenticated) -> list[ParticipantOut]:
    audit.record_in_plan(scope, a, "read", "participants")
    scope.db.commit()
    return [participant_out(scope, p) for p in _live(scope)]


def search_persons(scope: PlanScope, q: str) -> list[PersonOut]:
    """Persons of the plan's unit (or members of it), matching up to four name prefixes."""
    stmt = select(Person).where(of_unit(scope.plan.unit_id))
    for term in q.lower().split()[:4]:
        stmt = stmt.where(
            or_(Person.first_name_lc.startswith(term), Person.last_name_lc.startswith(term))
        )
    people = scope.db.scalars(
        stmt.order_by(Person.last_name_lc, Person.first_name_lc).limit(50)
    ).all()
    return [PersonOut.model_validate(p) for p in people]


def add_participant(
    ctx: ServerContext,
    scope: PlanScope,
    a: Authenticated,
    body: ParticipantCreate,
    temp: TemporaryPassword | None,
) -> ParticipantOut:
    """Add an existing person of the unit, or a new person (with an account if `temp`, the
    password hashed before the transaction began); the password is sent after the commit."""
    db = scope.db
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
        plan_id=scope.plan_id,
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
        db,
        scope.plan_id,
        EventKind.NEW_PARTICIPANT,
        "participant",
        p.id,
        scope.participant.id,
        a.now,
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


def update_participant(
    scope: PlanScope, a: Authenticated, participant_id: int, body: ParticipantUpdate
) -> ParticipantOut:
    """Change role, rights, consent expiry or responsibility (the coordinator)."""
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
    scope.db.commit()
    return participant_out(scope, p)


def remove_participant(scope: PlanScope, a: Authenticated, participant_id: int) -> None:
    """Remove from the plan group; the row stays (the log refers to it)."""
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
    scope.db.commit()
