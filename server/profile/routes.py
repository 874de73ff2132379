"""The logged-in user's routes: profile, authenticator enrolment, drafts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from sampro_contract import Draft as DraftOut
from sampro_contract import DraftIn, TotpConfirm, TotpEnrolment, UserInfo
from server.accounts.views import user_info
from server.auth import service as auth
from server.deps import Auth, Ctx, ReadDb, WriteDb
from server.profile import service

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
    return [DraftOut.model_validate(r) for r in service.my_drafts(db, a)]


@router.get("/drafts/{key}")
def get_draft(a: Auth, db: ReadDb, key: DraftKey) -> DraftOut:
    return DraftOut.model_validate(service.my_draft(db, a, key))


@router.put("/drafts/{key}")
def save_draft(body: DraftIn, a: Auth, db: WriteDb, key: DraftKey) -> DraftOut:
    """Keep an open form's unsent text (for example when the session is about to expire)."""
    return DraftOut.model_validate(service.save_draft(db, a, key, body))


@router.delete("/drafts/{key}", status_code=204)
def delete_draft(a: Auth, db: WriteDb, key: DraftKey) -> Response:
    service.delete_draft(db, a, key)
    return Response(status_code=204)
