"""The login API (fixed contract): login, code, session, refresh, logout, password, forgot."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Response

from sampro_contract import (
    Channel,
    ForgotRequest,
    LoginChallenge,
    LoginRequest,
    PasswordChange,
    PasswordPolicy,
    ResendRequest,
    SessionInfo,
    SessionStatus,
    VerifyRequest,
)
from server.accounts.views import user_info
from server.auth import service as auth
from server.auth.models import LoginChallenge as ChallengeRow
from server.context import ServerContext
from server.deps import AuthAny, Authenticated, AuthPassive, Ctx, session_expiry

router = APIRouter(prefix="/auth", tags=["auth"])


def _challenge(c: ChallengeRow) -> LoginChallenge:
    return LoginChallenge(
        challenge_id=c.id,
        channel=Channel(c.channel),
        destination_hint=c.destination_hint,
        expires_at=c.expires_at,
    )


@router.post("/login", responses={401: {}, 423: {}})
def login(body: LoginRequest, ctx: Ctx) -> LoginChallenge:
    """Step one: username and password. A code goes to the user's channel."""
    return _challenge(auth.login(ctx, body.username, body.password))


@router.post("/resend")
def resend(body: ResendRequest, ctx: Ctx) -> LoginChallenge:
    """A new code for a pending login; wrong tries and failure counts are kept."""
    return _challenge(auth.resend(ctx, body.challenge_id))


@router.post("/verify", responses={401: {}})
def verify(body: VerifyRequest, ctx: Ctx) -> SessionInfo:
    """Step two: the one-time code. Returns the session token."""
    token, session, user = auth.verify(ctx, body.challenge_id, body.code)
    with ctx.db.read_session() as db:
        info = user_info(db, user)
    return SessionInfo(
        token=token,
        expires_at=session_expiry(ctx, session),
        idle_timeout_seconds=ctx.settings.session_idle_seconds,
        warning_seconds=ctx.settings.session_warning_seconds,
        must_change_password=user.must_change_password,
        user=info,
    )


def _status(ctx: ServerContext, a: Authenticated) -> SessionStatus:
    expires = session_expiry(ctx, a.session)
    with ctx.db.read_session() as db:
        info = user_info(db, a.user)
    return SessionStatus(
        user=info,
        expires_at=expires,
        absolute_expires_at=a.session.absolute_expires_at,
        idle_timeout_seconds=ctx.settings.session_idle_seconds,
        warning_seconds=ctx.settings.session_warning_seconds,
        seconds_left=max(0, int((expires - a.now) / timedelta(seconds=1))),
        must_change_password=a.user.must_change_password,
    )


@router.get("/session")
def session(ctx: Ctx, a: AuthPassive) -> SessionStatus:
    """The session's state; looking does not count as activity."""
    return _status(ctx, a)


@router.post("/session/refresh")
def refresh(ctx: Ctx, a: AuthAny) -> SessionStatus:
    """ "Stay logged in": counts as activity."""
    return _status(ctx, a)


@router.post("/logout", status_code=204)
def logout(ctx: Ctx, a: AuthAny) -> Response:
    auth.logout(ctx, a.session.id, a.actor)
    return Response(status_code=204)


@router.post("/password", status_code=204, responses={401: {}, 422: {}})
def change_password(body: PasswordChange, ctx: Ctx, a: AuthAny) -> Response:
    auth.change_password(ctx, a.user.id, body.current_password, body.new_password, a.session.id)
    return Response(status_code=204)


@router.post("/forgot", status_code=202)
def forgot(body: ForgotRequest, ctx: Ctx, tasks: BackgroundTasks) -> Response:
    """Always 202, whether or not the user exists; the work runs after the answer is sent,
    so neither the answer nor its timing tells whether the username exists."""
    tasks.add_task(auth.forgot, ctx, body.username)
    return Response(status_code=202)


@router.get("/password-policy")
def password_policy(ctx: Ctx) -> PasswordPolicy:
    settings = ctx.settings
    return PasswordPolicy(
        min_length=settings.password_min_length,
        lockout_threshold=settings.lockout_threshold,
        lockout_seconds=settings.lockout_seconds,
    )
