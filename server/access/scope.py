"""The plan scope: a plan as one participant may see it, opened by the route's signature.

Every route under `/plans/{plan_id}` takes its scope as a FastAPI dependency that names
the area and the need (`Depends(plan_scope(Area.GOALS, Need.WRITE))`), so no handler can
forget the check; and every query of plan content starts from the scope (`scope.select`,
`scope.get`), so an id from another plan is simply not found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Path, Request
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sampro_contract import PlanRole, Rights, UnitRole
from server.access.policy import (
    Area,
    Need,
    administers_while_expired,
    allowed,
    consent_valid,
    rights_of,
)
from server.accounts.models import UserAccount
from server.accounts.people import unit_role
from server.deps import Auth, WriteDb
from server.errors import ApiError, forbidden, not_found, version_conflict
from server.participants.models import Participant
from server.plans.models import Plan


class HasPlanId(Protocol):
    plan_id: Any


M = TypeVar("M")


@dataclass
class PlanScope:
    """A plan as one participant may see it. Queries of plan content go through here."""

    db: Session
    user: UserAccount
    plan: Plan
    participant: Participant
    today: date

    @property
    def plan_id(self) -> int:
        return self.plan.id

    @property
    def role(self) -> str:
        return self.participant.role

    @property
    def is_coordinator(self) -> bool:
        return self.participant.role == PlanRole.COORDINATOR

    @property
    def rights(self) -> Rights:
        return rights_of(self.participant)

    def can(self, area: Area, need: Need = Need.READ) -> bool:
        return allowed(self.participant, area, need) and (
            need == Need.READ or self.plan.closed_at is None
        )

    def require(self, area: Area, need: Need) -> None:
        if not allowed(self.participant, area, need):
            raise forbidden()
        if need == Need.WRITE and self.plan.closed_at is not None:
            raise ApiError(409, "plan_closed", "The plan is closed; it can only be read")

    def select(self, model: type[M]) -> Select[M]:
        """SELECT model WHERE model.plan_id = this plan."""
        column: InstrumentedAttribute[int] = model.plan_id  # type: ignore[attr-defined]
        return select(model).where(column == self.plan.id)

    def get(self, model: type[M], object_id: int, what: str = "Not found") -> M:
        """One row of this plan by id; another plan's id is simply not found."""
        row = self.db.scalars(
            self.select(model).where(model.id == object_id)  # type: ignore[attr-defined]
        ).one_or_none()
        if row is None:
            raise not_found(what)
        return row


def my_participation(db: Session, user: UserAccount, plan_id: int) -> Participant | None:
    return db.scalars(
        select(Participant).where(
            Participant.plan_id == plan_id,
            Participant.person_id == user.person_id,
            Participant.removed_at.is_(None),
        )
    ).first()


def open_plan(
    db: Session,
    user: UserAccount,
    plan_id: int,
    area: Area,
    need: Need,
    today: date,
    *,
    lock: bool = False,
) -> PlanScope:
    """The one door into a plan's content.

    `lock=True` takes the plan's write lock for a write that the read right allows
    (editing or deleting one's own comment), so its version check cannot interleave.
    """
    participant = my_participation(db, user, plan_id)
    if participant is None:
        raise not_found("No such plan")
    if not consent_valid(participant, today) and not administers_while_expired(participant, area):
        raise ApiError(
            403,
            "consent_expired",
            "Your consent for this plan has expired; ask the coordinator to renew it",
        )
    # A write locks the plan's row (PostgreSQL; SQLite's immediate transaction already
    # holds the write lock), so that writes to one plan take turns: a version read and
    # checked here cannot be overwritten by a concurrent writer that read the same one.
    locking = lock or need == Need.WRITE
    plan = db.get(
        Plan,
        plan_id,
        with_for_update={"of": Plan} if locking else None,
        populate_existing=locking,
    )
    if plan is None:
        raise not_found("No such plan")
    scope = PlanScope(db, user, plan, participant, today)
    scope.require(area, need)
    return scope


def check_version(current: int, sent: int) -> None:
    if current != sent:
        raise version_conflict()


AreaOf = Area | Callable[[Request], Area]

# The path's plan id as the routes declared it before the scope was a dependency (no
# description), so the OpenAPI document names it exactly as before. A route with a second
# path id declares `plan_id: PlanId` itself as well: FastAPI lists a route's own path
# parameters before its dependencies', and the document keeps `plan_id` first.
PlanId = Annotated[int, Path()]


def plan_scope(area: AreaOf, need: Need, *, lock: bool = False) -> Callable[..., PlanScope]:
    """The dependency that opens `/plans/{plan_id}` for `area` and `need` (or 404/403/409).

    `area` may be a function of the request where the path names it (a life area).
    `lock=True` takes the plan's write lock for a write that the read right allows.
    """

    def dependency(request: Request, plan_id: PlanId, a: Auth, db: WriteDb) -> PlanScope:
        wanted = area(request) if callable(area) and not isinstance(area, Area) else area
        return open_plan(db, a.user, plan_id, wanted, need, a.now.date(), lock=lock)

    dependency.plan_area = area  # type: ignore[attr-defined]  # read by the structural test
    dependency.plan_need = need  # type: ignore[attr-defined]
    return dependency


@dataclass
class UnitAdminPlan:
    """A plan as a local administrator of its unit reaches it, participant or not."""

    db: Session
    plan: Plan


def unit_admin_plan(plan_id: PlanId, a: Auth, db: WriteDb) -> UnitAdminPlan:
    """The dependency for reopening a closed plan, the one plan route that is not the
    participants': a local administrator of the plan's unit reaches it without taking part
    in it (and reads none of its content). Anyone else: 404, as for a plan one is not part
    of, so its existence is not revealed."""
    plan = db.get(Plan, plan_id)
    if plan is None or unit_role(db, a.user, plan.unit_id) != UnitRole.ADMIN:
        raise not_found("No such plan")
    return UnitAdminPlan(db, plan)
