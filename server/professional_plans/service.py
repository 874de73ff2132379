"""Professional plans (fagplaner): the owner's other plans that the group needs to know of
(name, responsible service, contact, key points), under the professional plans right."""

from __future__ import annotations

from sqlalchemy import func

from sampro_contract import ProfessionalPlan as ProfessionalPlanOut
from sampro_contract import ProfessionalPlanCreate, ProfessionalPlanList, ProfessionalPlanUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, check_version
from server.deps import Authenticated
from server.errors import validation
from server.goals.queries import mark_content_changed
from server.log import service as audit
from server.professional_plans.models import ProfessionalPlan


def _out(p: ProfessionalPlan) -> ProfessionalPlanOut:
    return ProfessionalPlanOut.model_validate(p)


def _get(scope: PlanScope, professional_plan_id: int) -> ProfessionalPlan:
    return scope.get(ProfessionalPlan, professional_plan_id, "No such professional plan")


def list_all(scope: PlanScope, a: Authenticated) -> ProfessionalPlanList:
    """The plan's professional plans by name."""
    rows = scope.db.scalars(
        scope.select(ProfessionalPlan).order_by(
            func.lower(ProfessionalPlan.name), ProfessionalPlan.id
        )
    ).all()
    audit.record_in_plan(scope, a, "read", "professional_plan")
    scope.db.commit()
    return ProfessionalPlanList(
        items=[_out(p) for p in rows],
        can_write=scope.can(Area.PROFESSIONAL_PLANS, Need.WRITE),
    )


def create(scope: PlanScope, a: Authenticated, body: ProfessionalPlanCreate) -> ProfessionalPlanOut:
    if not body.name.strip():
        raise validation("name", "must not be blank", type="blank")
    p = ProfessionalPlan(
        plan_id=scope.plan_id,
        name=body.name.strip(),
        responsible_service=body.responsible_service,
        contact=body.contact,
        key_points=body.key_points,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    scope.db.add(p)
    scope.db.flush()
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "create", "professional_plan", p.id, {"name": p.name})
    scope.db.commit()
    return _out(p)


def update(
    scope: PlanScope, a: Authenticated, professional_plan_id: int, body: ProfessionalPlanUpdate
) -> ProfessionalPlanOut:
    p = _get(scope, professional_plan_id)
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
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "update", "professional_plan", p.id, {"fields": sorted(fields)})
    scope.db.commit()
    return _out(p)


def delete(scope: PlanScope, a: Authenticated, professional_plan_id: int) -> None:
    p = _get(scope, professional_plan_id)
    name = p.name
    scope.db.delete(p)
    mark_content_changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "professional_plan", professional_plan_id, {"name": name}
    )
    scope.db.commit()
