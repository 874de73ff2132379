"""The HTTP routes of the life areas (Kartlegging / livsområder) of a plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from sampro_contract import LifeArea, LifeAreaEntry, LifeAreaUpdate
from server.access.policy import Area, Need, life_area
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.life_areas import service

# The API's one tag for life areas and professional plans (the OpenAPI document keeps it).
router = APIRouter(prefix="/plans/{plan_id}", tags=["life areas and professional plans"])

_LIFE_AREA = TypeAdapter(LifeArea)


def area_in_path(request: Request) -> Area:
    """The access area of the life area that the path names (`/life-areas/{area}`).

    The scope is opened before FastAPI validates the route's own parameters, so a name
    that is no life area is refused here, with the 422 that FastAPI's validation gives.
    """
    try:
        return life_area(_LIFE_AREA.validate_python(request.path_params["area"]))
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("path", "area", *err["loc"])} for err in exc.errors()]
        ) from None


# Routes with a path parameter of their own also take `plan_id` first, unused: the OpenAPI
# document lists a route's own path parameters before its dependencies', and this keeps
# them in the document's order (plan_id, then the object's id).

# The list shows each area the caller may read, so the plan is opened for the home page
# (everyone reads it) and the service picks the areas; one area is opened under its right.
AnyLifeAreaRead = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ))]
LifeAreaRead = Annotated[PlanScope, Depends(plan_scope(area_in_path, Need.READ))]
LifeAreaWrite = Annotated[PlanScope, Depends(plan_scope(area_in_path, Need.WRITE))]


@router.get("/life-areas")
def list_life_areas(scope: AnyLifeAreaRead, a: Auth) -> list[LifeAreaEntry]:
    """The life areas the caller may read, in their fixed order; hidden ones are left out."""
    return service.list_visible(scope, a)


@router.get("/life-areas/{area}")
def get_life_area(plan_id: int, scope: LifeAreaRead, area: LifeArea, a: Auth) -> LifeAreaEntry:
    return service.read(scope, a, area)


@router.put("/life-areas/{area}")
def put_life_area(
    plan_id: int, scope: LifeAreaWrite, area: LifeArea, body: LifeAreaUpdate, a: Auth
) -> LifeAreaEntry:
    """Replace the area's description, date and status. The log keeps each version."""
    return service.replace(scope, a, area, body)
