"""Login and sessions (fixed contract): password, one-time code, session, password rules."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sampro_contract.common import Channel, Model, Request, SystemRole, UnitRole


class LoginRequest(Request):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class LoginChallenge(Model):
    challenge_id: str
    channel: Channel
    destination_hint: str
    expires_at: datetime


class VerifyRequest(Request):
    challenge_id: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=20)


class UnitRef(Model):
    id: int
    name: str
    role: UnitRole


class UserInfo(Model):
    id: int
    username: str
    first_name: str
    last_name: str
    system_role: SystemRole
    channel: Channel
    must_change_password: bool
    last_login_at: datetime | None = None
    units: list[UnitRef] = []


class SessionInfo(Model):
    token: str
    expires_at: datetime  # when the session ends if idle from now (or at the absolute cap)
    idle_timeout_seconds: int
    warning_seconds: int
    must_change_password: bool
    user: UserInfo


class SessionStatus(Model):
    user: UserInfo
    expires_at: datetime
    absolute_expires_at: datetime
    idle_timeout_seconds: int
    warning_seconds: int
    seconds_left: int
    must_change_password: bool


class PasswordChange(Request):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class ForgotRequest(Request):
    username: str = Field(max_length=200)


class PasswordPolicy(Model):
    min_length: int
    requires_lower: bool = True
    requires_upper: bool = True
    requires_digit: bool = True
    rejects_common: bool = True
    # The lockout rule the login screen states (failures in a row, and for how long).
    lockout_threshold: int | None = None
    lockout_seconds: int | None = None


class ResendRequest(Request):
    challenge_id: str = Field(min_length=1, max_length=200)


# The routes, for reference (all under API_PREFIX):
#   POST /auth/login LoginRequest -> LoginChallenge
#   POST /auth/resend ResendRequest -> LoginChallenge (a new code; failure counts stay)
#   POST /auth/verify VerifyRequest -> SessionInfo
#   GET  /auth/session -> SessionStatus          (not activity)
#   POST /auth/session/refresh -> SessionStatus  (activity)
#   POST /auth/logout -> 204
#   POST /auth/password PasswordChange -> 204
#   POST /auth/forgot ForgotRequest -> 202
#   GET  /auth/password-policy -> PasswordPolicy (no login needed)
#   GET  /me -> UserInfo
#   GET  /healthz
