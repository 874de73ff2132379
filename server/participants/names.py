"""Participants as others in the plan see them: name and role (for senders, authors, actors)."""

from __future__ import annotations

from collections.abc import Iterable

from sampro_contract import ParticipantRef, PlanRole
from server.access.scope import PlanScope
from server.accounts.models import Person
from server.participants.models import Participant


def names_of(scope: PlanScope, participant_ids: Iterable[int]) -> dict[int, ParticipantRef]:
    """The plan's participants by id, as others see them (name and role)."""
    ids = set(participant_ids)
    if not ids:
        return {}
    rows = scope.db.execute(
        scope.select(Participant)
        .with_only_columns(Participant.id, Participant.role, Person.first_name, Person.last_name)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.id.in_(ids))
    ).all()
    return {
        pid: ParticipantRef(participant_id=pid, name=f"{first} {last}", role=PlanRole(role))
        for pid, role, first, last in rows
    }


def participant_names(scope: PlanScope) -> dict[int, str]:
    """Every participant of the plan (removed ones too: old comments name them) by id."""
    rows = scope.db.execute(
        scope.select(Participant)
        .with_only_columns(Participant.id, Person.first_name, Person.last_name)
        .join(Person, Person.id == Participant.person_id)
    ).all()
    return {pid: f"{first} {last}" for pid, first, last in rows}


def unknown(participant_id: int) -> ParticipantRef:
    """A participant whose name is not found (shown as "?")."""
    return ParticipantRef(participant_id=participant_id, name="?", role=PlanRole.PROVIDER)
