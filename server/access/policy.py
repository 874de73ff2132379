"""The access policy: for a user and a plan, what they may read and write.

Every plan-scoped route gets its plan through `open_plan`, called by the `plan_scope`
dependency in the route's signature (`server/access/scope.py`), and every query of plan
content through the returned `PlanScope`, so no route can forget a check and no id from
another plan can be reached (404, never 403, for plans one is not part of).

The order of the checks is the contract: not a participant -> 404 not_found; consent
expired or withdrawn -> 403 consent_expired (except the coordinator's participant
administration, see `administers_while_expired`); missing right -> 403 forbidden; a write to
a closed plan -> 409 plan_closed. Stale versions are checked by `check_version`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from sampro_contract import Access, LifeArea, PlanRole, Rights
from server.participants.models import Participant


class Area(StrEnum):
    """The parts of a plan that access is decided for."""

    HOME = "home"  # read: everyone; write: the edit-presentation right
    PLAN = "plan"  # the plan as its screen opens: the header (what the plan list shows) and home
    PARTICIPANTS = "participants"  # read: everyone; write: the coordinator
    CALENDAR = "calendar"  # everyone, both ways (not under rights management)
    MESSAGES = "messages"  # everyone, both ways
    GOALS = "goals"
    ACTIVITIES = "activities"
    DOCUMENTS = "documents"
    PROFESSIONAL_PLANS = "professional_plans"
    LOG = "log"  # read only, with the log right
    PRINT = "print"  # the print right
    ADMIN = "admin"  # close, archive: the coordinator
    LIFE_WORK = "life_work"
    LIFE_HOUSING = "life_housing"
    LIFE_LEISURE = "life_leisure"
    LIFE_HEALTH = "life_health"
    LIFE_SOCIAL = "life_social"
    LIFE_ECONOMY = "life_economy"


def life_area(area: LifeArea) -> Area:
    return Area(f"life_{area.value}")


class Need(StrEnum):
    READ = "read"
    WRITE = "write"


_GRADED = {
    Area.GOALS,
    Area.ACTIVITIES,
    Area.DOCUMENTS,
    Area.PROFESSIONAL_PLANS,
    Area.LIFE_WORK,
    Area.LIFE_HOUSING,
    Area.LIFE_LEISURE,
    Area.LIFE_HEALTH,
    Area.LIFE_SOCIAL,
    Area.LIFE_ECONOMY,
}

ALL_WRITE = Rights(
    goals=Access.WRITE,
    activities=Access.WRITE,
    life_work=Access.WRITE,
    life_housing=Access.WRITE,
    life_leisure=Access.WRITE,
    life_health=Access.WRITE,
    life_social=Access.WRITE,
    life_economy=Access.WRITE,
    documents=Access.WRITE,
    professional_plans=Access.WRITE,
    log=True,
    print=True,
    edit_presentation=True,
)


def default_rights(role: PlanRole) -> Rights:
    """What a new participant gets until the coordinator says otherwise."""
    if role in (PlanRole.OWNER, PlanRole.COORDINATOR):
        return ALL_WRITE.model_copy()
    if role == PlanRole.RELATIVE:
        return Rights(goals=Access.READ, activities=Access.READ, documents=Access.READ)
    return Rights(goals=Access.READ, activities=Access.WRITE, documents=Access.READ)


def rights_of(p: Participant) -> Rights:
    if p.role == PlanRole.COORDINATOR:
        return ALL_WRITE  # the coordinator administers the plan
    return Rights.model_validate(p.rights or {})


def consent_valid(p: Participant, today: date) -> bool:
    return p.consent_expires is None or p.consent_expires >= today


def administers_while_expired(p: Participant, area: Area) -> bool:
    """The one exception to "expired consent: 403 consent_expired for everything".

    The coordinator administers the plan, and the participant list is where consent is
    renewed; if an expired consent shut that too, a plan whose owner's consent ran out
    would be locked for everyone for ever. So a coordinator whose consent has expired
    still reads and changes the participants (renews consents, sets rights) and reads
    nothing else of the plan until their consent is valid again. To get there they open
    the plan (`Area.PLAN`), which then shows its header without the owner's presentation.
    """
    return p.role == PlanRole.COORDINATOR and area in (Area.PARTICIPANTS, Area.PLAN)


def listed(p: Any, today: Any) -> ColumnElement[bool]:
    """In SQL: the participant row `p` (the table or an alias of it) puts its plan in my
    plan list: it opens the plan (the rule of `my_participation` and `consent_valid`, for
    queries over many plans that cannot go through `open_plan` one at a time), or it is the
    coordinator's, who must find a plan whose consent has run out to renew it (see
    `administers_while_expired`)."""
    return and_(
        p.c.removed_at.is_(None),
        or_(
            p.c.consent_expires.is_(None),
            p.c.consent_expires >= today,
            p.c.role == PlanRole.COORDINATOR.value,
        ),
    )


def allowed(p: Participant, area: Area, need: Need) -> bool:
    """May this participant do `need` to `area`? (Consent and plan state apart.)"""
    rights = rights_of(p)
    coordinator = p.role == PlanRole.COORDINATOR
    if area in (Area.CALENDAR, Area.MESSAGES):
        return True
    if area == Area.PLAN:
        return need == Need.READ
    if area == Area.HOME:
        return need == Need.READ or rights.edit_presentation
    if area in (Area.PARTICIPANTS, Area.ADMIN):
        return coordinator or (area == Area.PARTICIPANTS and need == Need.READ)
    if area == Area.LOG:
        return need == Need.READ and rights.log
    if area == Area.PRINT:
        return rights.print
    level: Access = getattr(rights, area.value)
    return level == Access.WRITE or (need == Need.READ and level == Access.READ)
