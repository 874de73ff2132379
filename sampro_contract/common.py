"""What every resource shares: the base model, pages, errors and the shared enums."""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

API_PREFIX = "/api/v1"


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


NUL_MESSAGE = "must not contain the NUL character"


def holds_nul(value: object) -> bool:
    """Whether `value` (text, or JSON-like lists and dicts of it, keys too) holds a NUL."""
    stack = [value]
    while stack:  # not recursive: a deeply nested payload cannot exhaust the stack
        item = stack.pop()
        if isinstance(item, str):
            if "\0" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class Request(Model):
    """A request body. Unknown fields are refused (422 naming them) rather than read and
    ignored, and no text may hold a NUL character: PostgreSQL cannot store one and SQLite
    would, so both refuse it, naming the field."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", NUL_MESSAGE)
        return value


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
