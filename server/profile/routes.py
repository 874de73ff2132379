"""The logged-in user: profile, authenticator enrolment, drafts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sampro_contract import Draft as DraftOut
from sampro_contract import DraftIn, TotpConfirm, TotpEnrolment, UserInfo
from server.access.policy import Area, Need
from server.access.scope import open_plan
from server.accounts.views import user_info
from server.auth import service as auth
from server.deps import Auth, Ctx, ReadDb, WriteDb
from server.errors import not_found
from server.log import service as audit
from server.profile.models import Draft

router = APIRouter(prefix="/me", tags=["me"])

DraftKey = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:._-]+$")]


@router.get("")
def me(a: Auth, db: ReadDb) -> UserInfo:
    return user_info(db, a.user)


@router.post("/totp")
def enrol_totp(ctx: Ctx, a: Auth) -> TotpEnrolment:
    """Start enrolling an authenticator app: the secret and an otpauth:// URI."""
    secret, uri = auth.enrol_totp(ctx, a.user.id)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/totp/confirm", status_code=204)
def confirm_totp(body: TotpConfirm, ctx: Ctx, a: Auth) -> Response:
    """Confirm with a first code; from then on codes come from the app."""
    auth.confirm_totp(ctx, a.user.id, body.code)
    return Response(status_code=204)


@router.get("/drafts")
def list_drafts(a: Auth, db: ReadDb) -> list[DraftOut]:
    rows = db.scalars(
        select(Draft).where(Draft.user_id == a.user.id).order_by(Draft.updated_at.desc())
    ).all()
    return [DraftOut.model_validate(r) for r in rows]


@router.get("/drafts/{key}")
def get_draft(a: Auth, db: ReadDb, key: DraftKey) -> DraftOut:
    row = db.scalars(select(Draft).where(Draft.user_id == a.user.id, Draft.key == key)).first()
    if row is None:
        raise not_found("No such draft")
    return DraftOut.model_validate(row)


def _draft_door(db: WriteDb, a: Auth, plan_id: int | None, key: str) -> None:
    """A draft holding a plan's text goes through the plan's door (404 for a plan I do
    not take part in), and every save is logged (the key, never the text)."""
    if plan_id is None:
        audit.record(db, a.now, a.actor, "draft_saved", object_type="draft", object_id=key)
        return
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    audit.record_in_plan(scope, a, "draft_saved", "draft", key)


@router.put("/drafts/{key}")
def save_draft(body: DraftIn, a: Auth, db: WriteDb, key: DraftKey) -> DraftOut:
    """Keep an open form's unsent text (for example when the session is about to expire)."""
    _draft_door(db, a, body.plan_id, key)
    # One statement, INSERT ... ON CONFLICT (user, key) DO UPDATE: the same draft saved
    # twice at once (two workers, a retry) updates one row instead of failing on the
    # unique rule. SQLite and PostgreSQL both speak it.
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else postgresql_insert
    stmt = insert(Draft).values(
        user_id=a.user.id,
        key=key,
        kind=body.kind,
        plan_id=body.plan_id,
        payload=body.payload,
        updated_at=a.now,
    )
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=[Draft.user_id, Draft.key],
            set_={
                "kind": stmt.excluded.kind,
                "plan_id": stmt.excluded.plan_id,
                "payload": stmt.excluded.payload,
                "updated_at": stmt.excluded.updated_at,
            },
        )
    )
    row = db.scalars(
        select(Draft)
        .where(Draft.user_id == a.user.id, Draft.key == key)
        .execution_options(populate_existing=True)
    ).one()
    db.commit()
    return DraftOut.model_validate(row)


@router.delete("/drafts/{key}", status_code=204)
def delete_draft(a: Auth, db: WriteDb, key: DraftKey) -> Response:
    row = db.scalars(select(Draft).where(Draft.user_id == a.user.id, Draft.key == key)).first()
    if row is None:
        raise not_found("No such draft")
    db.delete(row)
    db.commit()
    return Response(status_code=204)
