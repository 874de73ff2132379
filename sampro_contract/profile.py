"""The caller's own profile (/me): an authenticator app's enrolment, and drafts."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sampro_contract.common import Model, Request


class TotpEnrolment(Model):
    secret: str
    otpauth_uri: str


class TotpConfirm(Request):
    code: str = Field(min_length=6, max_length=8)


class DraftIn(Request):
    """Unsent text of an open form, saved so nothing typed is lost at session expiry."""

    kind: str = Field(min_length=1, max_length=40)  # "message", "goal", ...
    plan_id: int | None = None
    payload: dict[str, object]


class Draft(Model):
    key: str
    kind: str
    plan_id: int | None
    payload: dict[str, object]
    updated_at: datetime


# The routes, for reference (all under API_PREFIX):
#   GET  /me -> UserInfo (sampro_contract.auth);  POST /me/totp -> TotpEnrolment
#   POST /me/totp/confirm TotpConfirm
#   GET  /me/drafts -> list[Draft];  PUT/GET/DELETE /me/drafts/{key}
