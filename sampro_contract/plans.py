"""Plans: the plan list, a new plan, a plan's home page, and its completeness (§ 19)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Channel, Model, PlanRole, Request
from sampro_contract.participants import Rights
from sampro_contract.people import Name, Person, PersonCreate


class PlanType(StrEnum):
    IP = "IP"  # individuell plan
    IOP = "IOP"  # individuell opplæringsplan
    IUP = "IUP"  # individuell utviklingsplan
    SL = "SL"  # stafettlogg


class PlanSort(StrEnum):
    OWNER = "owner"
    SHORT_NAME = "short_name"
    TYPE = "type"
    BIRTH_DATE = "birth_date"
    CHANGED = "changed"
    NEW_MESSAGES = "new_messages"
    CONSENT_DAYS = "consent_days"
    START_DATE = "start_date"
    END_DATE = "end_date"
    LAST_ARCHIVED = "last_archived"
    CLOSED = "closed"


class PlanListItem(Model):
    id: int
    owner_first_name: str
    owner_last_name: str
    short_name: str
    type: PlanType
    birth_date: date | None
    changed: bool  # changed since my last login (plan endret)
    new_messages: int  # unread messages to me (ny melding)
    consent_days: int | None  # days until the owner's consent expires (samtykke utgår)
    start_date: date | None
    end_date: date | None
    last_archived: datetime | None
    closed: bool
    my_role: PlanRole


class PlanCreate(Request):
    unit_id: int
    owner_person_id: int | None = None
    owner: PersonCreate | None = None  # a new person as owner, when no owner_person_id
    owner_channel: Channel | None = None  # with owner: give the owner an account too
    type: PlanType
    short_name: Name
    start_date: date | None = None
    end_date: date | None = None
    owner_consent_expires: date
    coordinator_user_id: int | None = None  # defaults to the caller


class MyAccess(Model):
    participant_id: int
    role: PlanRole
    rights: Rights
    consent_expires: date | None
    is_coordinator: bool
    # False only for a coordinator whose consent has run out: they may renew consents
    # under Deltakere and see nothing else of the plan until it is valid again.
    consent_valid: bool = True


class PlanHome(Model):
    id: int
    unit_id: int
    type: PlanType
    short_name: str
    owner: Person
    start_date: date | None
    end_date: date | None
    owner_consent_expires: date | None
    presentation: str
    status_text: str
    status_updated_at: datetime | None
    closed: bool
    closed_at: datetime | None
    last_archived: datetime | None
    version: int
    me: MyAccess


class PlanUpdate(Request):
    """Edit the owner's presentation (Om meg selv) and status; the coordinator also the plan's
    start and end (revision) dates. A field left out (or null) is not changed."""

    version: int
    presentation: str | None = Field(default=None, max_length=20000)
    status_text: str | None = Field(default=None, max_length=2000)
    start_date: date | None = None
    end_date: date | None = None


class CompletenessItem(Model):
    """One item the regulation asks an individual plan to hold (§ 19), covered or not."""

    key: str  # goals, contributions, responsible, participants, coordinator, period, ...
    covered: bool
    message: str  # what is missing, in English; the client shows its own text by key
    fix_in: str  # where it is fixed: "goals", "participants", "home", "life_areas"


class Completeness(Model):
    items: list[CompletenessItem]


# The routes, for reference (all under API_PREFIX):
#   GET  /plans ?q&first_name&last_name&include_closed&sort&order&page&page_size
#        -> Page[PlanListItem];  POST /plans PlanCreate -> PlanHome
#   GET  /plans/{id} -> PlanHome;  PATCH /plans/{id} PlanUpdate -> PlanHome
#   POST /plans/{id}/archive, /plans/{id}/close, /plans/{id}/reopen -> PlanHome
#   GET  /plans/{id}/completeness -> Completeness (the coordinator)
