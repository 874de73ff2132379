"""Participants' routes (deltakere): list, add, change role/rights/consent, remove; person
search. The rules are in `service.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sampro_contract import Participant as ParticipantOut
from sampro_contract import ParticipantCreate, ParticipantUpdate
from sampro_contract import Person as PersonOut
from server.access.policy import Area, Need
from server.access.scope import PlanId, PlanScope, plan_scope
from server.auth.service import TemporaryPassword, new_temporary_password
from server.deps import Auth, Ctx
from server.participants import service

router = APIRouter(prefix="/plans/{plan_id}", tags=["participants"])

ParticipantsRead = Annotated[PlanScope, Depends(plan_scope(Area.PARTICIPANTS, Need.READ))]
# The coordinator (also while their consent has expired: see `administers_while_expired`).
ParticipantsWrite = Annotated[PlanScope, Depends(plan_scope(Area.PARTICIPANTS, Need.WRITE))]


def temporary_password_if_asked(body: ParticipantCreate, ctx: Ctx) -> TemporaryPassword | None:
    """A new account's password, hashed before the plan's scope opens the write
    transaction (so the slow hash never holds the database's write lock): a dependency
    listed before the scope in the route's signature, which FastAPI runs first."""
    return new_temporary_password(ctx) if body.create_account else None


NewAccountPassword = Annotated[TemporaryPassword | None, Depends(temporary_password_if_asked)]


@router.get("/participants")
def list_participants(scope: ParticipantsRead, a: Auth) -> list[ParticipantOut]:
    return service.list_participants(scope, a)


@router.get("/persons")
def search_persons(
    scope: ParticipantsWrite, q: Annotated[str, Query(max_length=100)] = ""
) -> list[PersonOut]:
    """Persons of the plan's unit (or members of it) to add as participants (the coordinator)."""
    return service.search_persons(scope, q)


@router.post("/participants", status_code=201)
def add_participant(
    body: ParticipantCreate, temp: NewAccountPassword, scope: ParticipantsWrite, ctx: Ctx, a: Auth
) -> ParticipantOut:
    """Add an existing person of the unit, or a new person (with an account if asked)."""
    return service.add_participant(ctx, scope, a, body, temp)


# `plan_id` named here too: the OpenAPI document lists it before `participant_id` (PlanId).
@router.patch("/participants/{participant_id}")
def update_participant(
    plan_id: PlanId, participant_id: int, body: ParticipantUpdate, scope: ParticipantsWrite, a: Auth
) -> ParticipantOut:
    """Change role, rights, consent expiry or responsibility (the coordinator)."""
    return service.update_participant(scope, a, participant_id, body)


@router.delete("/participants/{participant_id}", status_code=204)
def remove_participant(
    plan_id: PlanId, participant_id: int, scope: ParticipantsWrite, a: Auth
) -> Response:
    """Remove from the plan group; the row stays (the log refers to it)."""
    service.remove_participant(scope, a, participant_id)
    return Response(status_code=204)
