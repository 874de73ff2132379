"""Life areas (Kartlegging / livsområder), professional plans (Fagplaner) and the plan's
completeness against the regulation's list (for the coordinator)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response
from sqlalchemy import func, or_, select

from sampro_contract import (
    Completeness,
    CompletenessItem,
    LifeArea,
    LifeAreaEntry,
    LifeAreaUpdate,
    PlanRole,
    ProfessionalPlanCreate,
    ProfessionalPlanList,
    ProfessionalPlanUpdate,
)
from sampro_contract import ProfessionalPlan as ProfessionalPlanOut
from server.access.policy import Area, Need, life_area
from server.access.scope import PlanScope, check_version, open_plan
from server.deps import Auth, WriteDb
from server.errors import ApiError, forbidden, validation
from server.goals.models import Activity, Goal
from server.goals.queries import mark_content_changed as changed
from server.goals.queries import participant_names
from server.life_areas.models import LifeAreaText
from server.log import service as audit
from server.participants.models import Participant
from server.professional_plans.models import ProfessionalPlan

router = APIRouter(prefix="/plans/{plan_id}", tags=["life areas and professional plans"])


# --- life areas ---------------------------------------------------------------------------


def _entry(
    scope: PlanScope, area: LifeArea, row: LifeAreaText | None, names: dict[int, str]
) -> LifeAreaEntry:
    can_write = scope.can(life_area(area), Need.WRITE)
    if row is None:
        return LifeAreaEntry(
            area=area,
            description="",
            date=None,
            status="",
            updated_at=None,
            updated_by=None,
            can_write=can_write,
            version=0,
        )
    by = row.updated_by_participant_id
    return LifeAreaEntry(
        area=area,
        description=row.description,
        date=row.area_date,
        status=row.status,
        updated_at=row.updated_at,
        updated_by=names.get(by) if by else None,
        can_write=can_write,
        version=row.version,
    )


def _row(scope: PlanScope, area: LifeArea) -> LifeAreaText | None:
    return scope.db.scalars(
        scope.select(LifeAreaText).where(LifeAreaText.area == area.value)
    ).one_or_none()


@router.get("/life-areas")
def list_life_areas(plan_id: int, a: Auth, db: WriteDb) -> list[LifeAreaEntry]:
    """The life areas the caller may read, in their fixed order; hidden ones are left out."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    visible = [x for x in LifeArea if scope.can(life_area(x), Need.READ)]
    if not visible:
        raise forbidden()
    rows = {r.area: r for r in db.scalars(scope.select(LifeAreaText)).all()}
    names = participant_names(scope)
    for x in visible:  # one log row per area, so the log hides each as its right says
        audit.record_in_plan(scope, a, "read", life_area(x).value)
    db.commit()
    return [_entry(scope, x, rows.get(x.value), names) for x in visible]


@router.get("/life-areas/{area}")
def get_life_area(plan_id: int, area: LifeArea, a: Auth, db: WriteDb) -> LifeAreaEntry:
    scope = open_plan(db, a.user, plan_id, life_area(area), Need.READ, a.now.date())
    entry = _entry(scope, area, _row(scope, area), participant_names(scope))
    audit.record_in_plan(scope, a, "read", life_area(area).value)
    db.commit()
    return entry


@router.put("/life-areas/{area}")
def put_life_area(
    plan_id: int, area: LifeArea, body: LifeAreaUpdate, a: Auth, db: WriteDb
) -> LifeAreaEntry:
    """Replace the area's description, date and status. The log keeps each version."""
    scope = open_plan(db, a.user, plan_id, life_area(area), Need.WRITE, a.now.date())
    row = _row(scope, area)
    check_version(row.version if row else 0, body.version)
    if row is None:
        row = LifeAreaText(plan_id=plan_id, area=area.value, version=0)
        db.add(row)
    row.description = body.description
    row.area_date = body.date
    row.status = body.status
    row.updated_by_participant_id = scope.participant.id
    row.updated_at = a.now
    row.version += 1
    db.flush()
    changed(scope, a.now)
    # The whole text goes into the log: there is no other history of a life area.
    audit.record_in_plan(
        scope,
        a,
        "update",
        life_area(area).value,
        row.id,
        {
            "description": body.description,
            "date": body.date.isoformat() if body.date else None,
            "status": body.status,
        },
    )
    db.commit()
    return _entry(scope, area, row, participant_names(scope))


# --- professional plans -------------------------------------------------------------------


def _plan_out(p: ProfessionalPlan) -> ProfessionalPlanOut:
    return ProfessionalPlanOut.model_validate(p)


@router.get("/professional-plans")
def list_professional_plans(plan_id: int, a: Auth, db: WriteDb) -> ProfessionalPlanList:
    scope = open_plan(db, a.user, plan_id, Area.PROFESSIONAL_PLANS, Need.READ, a.now.date())
    rows = db.scalars(
        scope.select(ProfessionalPlan).order_by(
            func.lower(ProfessionalPlan.name), ProfessionalPlan.id
        )
    ).all()
    audit.record_in_plan(scope, a, "read", "professional_plan")
    db.commit()
    return ProfessionalPlanList(
        items=[_plan_out(p) for p in rows],
        can_write=scope.can(Area.PROFESSIONAL_PLANS, Need.WRITE),
    )


@router.post("/professional-plans", status_code=201)
def create_professional_plan(
    plan_id: int, body: ProfessionalPlanCreate, a: Auth, db: WriteDb
) -> ProfessionalPlanOut:
    scope = open_plan(db, a.user, plan_id, Area.PROFESSIONAL_PLANS, Need.WRITE, a.now.date())
    if not body.name.strip():
        raise validation("name", "must not be blank", type="blank")
    p = ProfessionalPlan(
        plan_id=plan_id,
        name=body.name.strip(),
        responsible_service=body.responsible_service,
        contact=body.contact,
        key_points=body.key_points,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    db.add(p)
    db.flush()
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "create", "professional_plan", p.id, {"name": p.name})
    db.commit()
    return _plan_out(p)


@router.patch("/professional-plans/{professional_plan_id}")
def update_professional_plan(
    plan_id: int,
    professional_plan_id: int,
    body: ProfessionalPlanUpdate,
    a: Auth,
    db: WriteDb,
) -> ProfessionalPlanOut:
    scope = open_plan(db, a.user, plan_id, Area.PROFESSIONAL_PLANS, Need.WRITE, a.now.date())
    p = scope.get(ProfessionalPlan, professional_plan_id, "No such professional plan")
    check_version(p.version, body.version)
    fields = body.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in fields:
        if body.name is None or not body.name.strip():
            raise validation("name", "must not be blank", type="blank")
        fields["name"] = body.name.strip()
    for key, value in fields.items():
        if value is not None:
            setattr(p, key, value)
    p.version += 1
    p.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "update", "professional_plan", p.id, {"fields": sorted(fields)})
    db.commit()
    return _plan_out(p)


@router.delete("/professional-plans/{professional_plan_id}", status_code=204)
def delete_professional_plan(
    plan_id: int, professional_plan_id: int, a: Auth, db: WriteDb
) -> Response:
    scope = open_plan(db, a.user, plan_id, Area.PROFESSIONAL_PLANS, Need.WRITE, a.now.date())
    p = scope.get(ProfessionalPlan, professional_plan_id, "No such professional plan")
    name = p.name
    db.delete(p)
    changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "professional_plan", professional_plan_id, {"name": name}
    )
    db.commit()
    return Response(status_code=204)


# --- completeness -------------------------------------------------------------------------

CONSENT_WARNING_DAYS = 30


@router.get("/completeness")
def plan_completeness(plan_id: int, a: Auth, db: WriteDb) -> Completeness:
    """Which of the regulation's items (§ 19 a-h) the plan does not yet cover: the coordinator.

    § 19 i (other needed cooperation) cannot be told from the plan's data: not listed."""
    scope = open_plan(db, a.user, plan_id, Area.ADMIN, Need.READ, a.now.date())
    if not scope.is_coordinator:  # pragma: no cover - Area.ADMIN already says so
        raise ApiError(403, "forbidden", "Only the coordinator")
    today = a.now.date()
    active = select(Goal.id).where(Goal.plan_id == plan_id, Goal.in_history.is_(False))
    goals = db.scalar(select(func.count()).select_from(active.subquery())) or 0
    activities = db.execute(
        select(
            func.count(),
            func.count(Activity.responsible_participant_id),
            # § 19 f, how a measure is carried out: its "when" or its description says so.
            func.count().filter(
                or_(func.trim(Activity.when) != "", func.trim(Activity.description) != "")
            ),
        ).where(Activity.plan_id == plan_id, Activity.goal_id.in_(active))
    ).one()
    n_activities, with_responsible = int(activities[0]), int(activities[1])
    with_how = int(activities[2])
    described = (
        db.scalar(
            select(func.count()).where(
                LifeAreaText.plan_id == plan_id, LifeAreaText.description != ""
            )
        )
        or 0
    )
    live = db.scalars(scope.select(Participant).where(Participant.removed_at.is_(None))).all()
    roles = [p.role for p in live]
    others = [p for p in live if p.role in (PlanRole.RELATIVE, PlanRole.PROVIDER)]
    contributing = [p for p in live if p.role != PlanRole.OWNER and p.responsibility.strip()]
    owner = next((p for p in live if p.role == PlanRole.OWNER), None)
    consent = owner.consent_expires if owner else None
    plan = scope.plan
    items = [
        CompletenessItem(
            key="goals",
            covered=goals > 0,
            message="No goals yet (the owner's goals, § 19 a)",
            fix_in="goals",
        ),
        CompletenessItem(
            key="needs",
            covered=described > 0,
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
            covered=n_activities > 0 and with_responsible == n_activities,
            message=(
                "No activities (measures) yet (§ 19 e)"
                if n_activities == 0
                else f"{n_activities - with_responsible} activities have no responsible "
                "participant (§ 19 e)"
            ),
            fix_in="goals",
        ),
        CompletenessItem(
            key="carried_out",
            covered=n_activities > 0 and with_how == n_activities,
            message=(
                "No activities yet, so nothing says how the measures will be carried out (§ 19 f)"
                if n_activities == 0
                else f"{n_activities - with_how} activities say neither when nor how they "
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
    audit.record_in_plan(scope, a, "read", "completeness")
    db.commit()
    return Completeness(items=items)
