"""What every resource shares: the base model, pages, errors and the shared enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

API_PREFIX = "/api/v1"


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Channel(StrEnum):
    """Where a user's one-time code goes (engangskode)."""

    SMS = "sms"
    EMAIL = "email"
    TOTP = "totp"


class SystemRole(StrEnum):
    USER = "user"
    LOCAL_ADMIN = "local_admin"
    SUPPORT = "support"
    SYSADMIN = "sysadmin"


class UnitRole(StrEnum):
    """A user's role in a unit (virksomhet/enhet)."""

    MEMBER = "member"
    COORDINATOR = "coordinator"  # may create plans in the unit and coordinate them
    ADMIN = "admin"  # local administrator of the unit


class PlanRole(StrEnum):
    OWNER = "owner"  # planeier
    COORDINATOR = "coordinator"  # koordinator
    RELATIVE = "relative"  # pårørende / foresatt
    PROVIDER = "provider"  # tjenesteyter


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class ErrorBody(Model):
    code: str
    message: str
    details: object | None = None


class ErrorEnvelope(Model):
    error: ErrorBody


T = TypeVar("T")


class Page(Model, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class Created(Model):
    id: int
