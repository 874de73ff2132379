"""The HTTP routes of a plan's professional plans (Fagplaner)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from sampro_contract import ProfessionalPlan as ProfessionalPlanOut
from sampro_contract import ProfessionalPlanCreate, ProfessionalPlanList, ProfessionalPlanUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.professional_plans import service

# The API's one tag for life areas and professional plans (the OpenAPI document keeps it).
router = APIRouter(prefix="/plans/{plan_id}", tags=["life areas and professional plans"])

# Routes with a path parameter of their own also take `plan_id` first, unused: the OpenAPI
# document lists a route's own path parameters before its dependencies', and this keeps
# them in the document's order (plan_id, then the object's id).
ProfessionalPlansRead = Annotated[
    PlanScope, Depends(plan_scope(Area.PROFESSIONAL_PLANS, Need.READ))
]
ProfessionalPlansWrite = Annotated[
    PlanScope, Depends(plan_scope(Area.PROFESSIONAL_PLANS, Need.WRITE))
]


@router.get("/professional-plans")
def list_professional_plans(scope: ProfessionalPlansRead, a: Auth) -> ProfessionalPlanList:
    return service.list_all(scope, a)


@router.post("/professional-plans", status_code=201)
def create_professional_plan(
    scope: ProfessionalPlansWrite, body: ProfessionalPlanCreate, a: Auth
) -> ProfessionalPlanOut:
    return service.create(scope, a, body)


@router.patch("/professional-plans/{professional_plan_id}")
def update_professional_plan(
    plan_id: int,
    scope: ProfessionalPlansWrite,
    professional_plan_id: int,
    body: ProfessionalPlanUpdate,
    a: Auth,
) -> ProfessionalPlanOut:
    return service.update(scope, a, professional_plan_id, body)


@router.delete("/professional-plans/{professional_plan_id}", status_code=204)
def delete_professional_plan(
    plan_id: int, scope: ProfessionalPlansWrite, professional_plan_id: int, a: Auth
) -> Response:
    service.delete(scope, a, professional_plan_id)
    return Response(status_code=204)
