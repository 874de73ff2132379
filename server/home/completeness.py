"""The plan's completeness (§ 19): which of the regulation's items (a-h) the plan does not
yet cover, for the coordinator on the home page, and its route.

§ 19 i (other needed cooperation) cannot be told from the plan's data: not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import func, or_

from sampro_contract import Completeness, CompletenessItem, PlanRole
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth, Authenticated
from server.errors import ApiError
from server.goals.models import Activity, Goal
from server.life_areas.models import LifeAreaText
from server.log import service as audit
from server.participants.models import Participant
from server.plans.models import Plan

# The owner's consent is flagged this long before it runs out (§ 19 h).
CONSENT_WARNING_DAYS = 30


@dataclass(frozen=True)
class _Counts:
    """What the items are judged from, counted in the plan's data."""

    goals: int  # active goals
    activities: int  # under active goals
    with_responsible: int
    with_how: int  # a "when" or a description
    described_areas: int
    live: list[Participant]  # not removed


def _counts(scope: PlanScope) -> _Counts:
    db = scope.db
    active = scope.select(Goal).with_only_columns(Goal.id).where(Goal.in_history.is_(False))
    goals = db.scalar(active.with_only_columns(func.count())) or 0
    activities = db.execute(
        scope.select(Activity)
        .with_only_columns(
            func.count(),
            func.count(Activity.responsible_participant_id),
            # § 19 f, how a measure is carried out: its "when" or its description says so.
            func.count().filter(
                or_(func.trim(Activity.when) != "", func.trim(Activity.description) != "")
            ),
        )
        .where(Activity.goal_id.in_(active))
    ).one()
    described = (
        db.scalar(
            scope.select(LifeAreaText)
            .with_only_columns(func.count())
            .where(LifeAreaText.description != "")
        )
        or 0
    )
    live = db.scalars(scope.select(Participant).where(Participant.removed_at.is_(None))).all()
    return _Counts(
        goals=goals,
        activities=int(activities[0]),
        with_responsible=int(activities[1]),
        with_how=int(activities[2]),
        described_areas=described,
        live=list(live),
    )


def items(plan: Plan, c: _Counts, today: date) -> list[CompletenessItem]:
    """Each item of § 19 a-h, covered or not, with what to do about it."""
    roles = [p.role for p in c.live]
    others = [p for p in c.live if p.role in (PlanRole.RELATIVE, PlanRole.PROVIDER)]
    contributing = [p for p in c.live if p.role != PlanRole.OWNER and p.responsibility.strip()]
    owner = next((p for p in c.live if p.role == PlanRole.OWNER), None)
    consent = owner.consent_expires if owner else None
    n_activities = c.activities
    return [
        CompletenessItem(
            key="goals",
            covered=c.goals > 0,
            message="No goals yet (the owner's goals, § 19 a)",
            fix_in="goals",
        ),
        CompletenessItem(
            key="needs",
            covered=c.described_areas > 0,
            message="No life area describes the owner's situation and needs (§ 19 a)",
            fix_in="life_areas",
        ),
        CompletenessItem(
            key="participants",
            covered=bool(others),
            message="No relatives or service providers take part yet (§ 19 b)",
            fix_in="participants",
        ),
        CompletenessItem(
            key="coordinator",
            covered=PlanRole.COORDINATOR in roles,
            message="The plan has no coordinator (§ 19 c)",
            fix_in="participants",
        ),
        CompletenessItem(
            key="contributions",
            covered=bool(contributing),
            message="No participant's contribution (responsibility) is written down (§ 19 d)",
            fix_in="participants",
        ),
        CompletenessItem(
            key="measures",
            covered=n_activities > 0 and c.with_responsible == n_activities,
            message=(
                "No activities (measures) yet (§ 19 e)"
                if n_activities == 0
                else f"{n_activities - c.with_responsible} activities have no responsible "
                "participant (§ 19 e)"
            ),
            fix_in="goals",
        ),
        CompletenessItem(
            key="carried_out",
            covered=n_activities > 0 and c.with_how == n_activities,
            message=(
                "No activities yet, so nothing says how the measures will be carried out (§ 19 f)"
                if n_activities == 0
                else f"{n_activities - c.with_how} activities say neither when nor how they "
                "will be carried out: write a 'when' or a description (§ 19 f)"
            ),
            fix_in="goals",
        ),
        CompletenessItem(
            key="period",
            covered=plan.start_date is not None and plan.end_date is not None,
            message="No plan period: set a start date and an end (revision) date (§ 19 g)",
            fix_in="home",
        ),
        CompletenessItem(
            # A plan past its end date is due for revision (§ 19 g): the date is only
            # judged when there is one; a missing period is the item above.
            key="revision",
            covered=plan.end_date is None or plan.end_date >= today,
            message=(
                f"The plan period ended {plan.end_date.isoformat()}: revise the plan and set "
                "a new end date (§ 19 g)"
                if plan.end_date is not None
                else "The plan period has not ended"
            ),
            fix_in="home",
        ),
        CompletenessItem(
            key="consent",
            covered=consent is not None and consent >= today + timedelta(days=CONSENT_WARNING_DAYS),
            message=(
                "The owner has given no consent (§ 19 h)"
                if consent is None
                else f"The owner's consent runs out {consent.isoformat()} (§ 19 h)"
            ),
            fix_in="participants",
        ),
    ]


def completeness(scope: PlanScope, a: Authenticated) -> Completeness:
    if not scope.is_coordinator:  # pragma: no cover - Area.ADMIN already says so
        raise ApiError(403, "forbidden", "Only the coordinator")
    result = Completeness(items=items(scope.plan, _counts(scope), a.now.date()))
    audit.record_in_plan(scope, a, "read", "completeness")
    scope.db.commit()
    return result


# --- route --------------------------------------------------------------------------------

# Under the tag it has always had in the API (the OpenAPI document keeps it).
router = APIRouter(prefix="/plans/{plan_id}", tags=["life areas and professional plans"])

CompletenessRead = Annotated[PlanScope, Depends(plan_scope(Area.ADMIN, Need.READ))]


@router.get("/completeness")
def plan_completeness(scope: CompletenessRead, a: Auth) -> Completeness:
    """Which of the regulation's items (§ 19 a-h) the plan does not yet cover: the coordinator.

    § 19 i (other needed cooperation) cannot be told from the plan's data: not listed."""
    return completeness(scope, a)
