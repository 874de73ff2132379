"""Administration and support routes: units, users, account status, unlock, reset, end
sessions. The rules are in `service.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, field_validator

from sampro_contract import AccountStatus, UnitRole, UserCreate, UserSummary
from sampro_contract import Unit as UnitOut
from server.accounts import service
from server.deps import Auth, Ctx, ReadDb, WriteDb

router = APIRouter(prefix="/admin", tags=["admin"])


class UnitCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    parent_id: int | None = None

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:  # checked after stripping, as person names are
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


@router.get("/units")
def list_units(a: Auth, db: ReadDb) -> list[UnitOut]:
    return service.list_units(db, a)


@router.post("/units", status_code=201)
def create_unit(body: UnitCreate, a: Auth, db: WriteDb) -> UnitOut:
    return service.create_unit(db, a, body.name, body.parent_id)


@router.get("/users")
def search_users(
    a: Auth,
    db: WriteDb,
    q: Annotated[str, Query(max_length=200)] = "",
    unit_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[UserSummary]:
    """Find accounts by username or name, within the units one manages."""
    return service.search_users(db, a, q, unit_id, limit)


@router.post("/users", status_code=201)
def create_user(body: UserCreate, ctx: Ctx, a: Auth, db: WriteDb) -> UserSummary:
    """A person with an account in a unit; the temporary password goes by SMS or e-mail."""
    return service.create_user(ctx, db, a, body)


@router.get("/users/{user_id}")
def account_status(user_id: int, ctx: Ctx, a: Auth, db: WriteDb) -> AccountStatus:
    """What support needs with a caller on the line: lock, failures, codes, sessions."""
    return service.account_status(ctx, db, a, user_id)


@router.post("/users/{user_id}/unlock", status_code=204)
def unlock(user_id: int, a: Auth, db: WriteDb) -> Response:
    service.unlock(db, a, user_id)
    return Response(status_code=204)


@router.post("/users/{user_id}/reset-password", status_code=204)
def reset_password(user_id: int, ctx: Ctx, a: Auth, db: WriteDb) -> Response:
    """A new temporary password, delivered to the user; their sessions end."""
    service.reset_password(ctx, db, a, user_id)
    return Response(status_code=204)


@router.delete("/users/{user_id}/sessions", status_code=204)
def end_user_sessions(user_id: int, a: Auth, db: WriteDb) -> Response:
    service.end_user_sessions(db, a, user_id)
    return Response(status_code=204)


class MembershipIn(BaseModel):
    unit_id: int
    role: UnitRole = UnitRole.MEMBER


@router.put("/users/{user_id}/units", status_code=204)
def set_membership(user_id: int, body: MembershipIn, a: Auth, db: WriteDb) -> Response:
    """Add a user to another unit (a person may work in several), or change their role there."""
    service.set_membership(db, a, user_id, body.unit_id, body.role)
    return Response(status_code=204)
