"""The owner's professional plans (fagplaner): what the group needs to know of them."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sampro_contract.common import Model, Request


class ProfessionalPlan(Model):
    """One of the owner's other plans (fagplan): the points the group needs to know."""

    id: int
    name: str
    responsible_service: str
    contact: str
    key_points: str
    updated_at: datetime
    version: int


class ProfessionalPlanList(Model):
    items: list[ProfessionalPlan]
    can_write: bool


class ProfessionalPlanCreate(Request):
    name: str = Field(min_length=1, max_length=300)
    responsible_service: str = Field(default="", max_length=300)
    contact: str = Field(default="", max_length=300)
    key_points: str = Field(default="", max_length=20000)


class ProfessionalPlanUpdate(Request):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=300)
    responsible_service: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)
    key_points: str | None = Field(default=None, max_length=20000)


# The routes, for reference (all under /plans/{plan_id}):
#   GET  /professional-plans -> ProfessionalPlanList;  POST;  PATCH/DELETE /{id}
