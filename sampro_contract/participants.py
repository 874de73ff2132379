"""A plan's participants (deltakere): their role, rights per area and consent."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Channel, Model, PlanRole, Request
from sampro_contract.people import Person, PersonCreate


class Access(StrEnum):
    NONE = "none"
    READ = "read"
    WRITE = "write"


class Rights(Request):
    """A participant's rights in one plan (rettigheter)."""

    goals: Access = Access.NONE
    activities: Access = Access.NONE
    life_work: Access = Access.NONE
    life_housing: Access = Access.NONE
    life_leisure: Access = Access.NONE
    life_health: Access = Access.NONE
    life_social: Access = Access.NONE
    life_economy: Access = Access.NONE
    documents: Access = Access.NONE
    professional_plans: Access = Access.NONE
    log: bool = False
    print: bool = False
    edit_presentation: bool = False


class Participant(Model):
    id: int
    person: Person
    role: PlanRole
    rights: Rights
    consent_expires: date | None
    consent_valid: bool
    responsibility: str
    has_account: bool
    channel: Channel | None
    version: int
    # Set when this call created an account: was its temporary password delivered?
    temporary_password_sent: bool | None = None


class ParticipantCreate(Request):
    person_id: int | None = None  # an existing person in the plan's unit
    person: PersonCreate | None = None  # or a new one
    create_account: bool = False  # with person: create an account, temp password delivered
    username: str | None = Field(default=None, max_length=200)
    channel: Channel = Channel.SMS
    role: PlanRole
    rights: Rights | None = None  # defaults per role
    consent_expires: date
    responsibility: str = Field(default="", max_length=500)


class ParticipantUpdate(Request):
    version: int
    role: PlanRole | None = None
    rights: Rights | None = None
    consent_expires: date | None = None
    responsibility: str | None = Field(default=None, max_length=500)


class ParticipantRef(Model):
    """A participant as others see them in messages and the calendar."""

    participant_id: int
    name: str
    role: PlanRole


# The routes, for reference (all under API_PREFIX):
#   GET  /plans/{id}/participants -> list[Participant];  POST ParticipantCreate
#   PATCH/DELETE /plans/{id}/participants/{pid}
#   GET  /plans/{id}/persons?q -> list[Person]  (candidates in the plan's unit)
