"""FastAPI dependencies: the server context, database sessions, the authenticated user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from server.accounts.models import UserAccount
from server.auth.models import AuthSession
from server.context import ServerContext
from server.errors import ApiError
from server.log.service import Actor
from server.plans.models import ChangeStamp
from server.security import token_hash


async def get_ctx(request: Request) -> ServerContext:
    # Async on purpose: no I/O, so FastAPI calls it on the loop, not in a worker thread.
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(get_ctx)]


def read_db(ctx: Ctx) -> Iterator[Session]:
    with ctx.db.read_session() as session:
        yield session


def write_db(ctx: Ctx) -> Iterator[Session]:
    """A write transaction (immediate on SQLite); the route commits what it wants kept."""
    with ctx.db.write_session() as session:
        yield session


ReadDb = Annotated[Session, Depends(read_db)]
WriteDb = Annotated[Session, Depends(write_db)]


@dataclass
class Authenticated:
    user: UserAccount
    session: AuthSession
    now: datetime

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.username, self.user.system_role)


class SessionTimes(Protocol):
    """What the login rules read of a session: an `AuthSession` row, or a Core row of
    those columns (`login_on`)."""

    @property
    def id(self) -> int: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def last_activity_at(self) -> datetime: ...
    @property
    def absolute_expires_at(self) -> datetime: ...


def session_expiry(ctx: ServerContext, s: SessionTimes) -> datetime:
    idle_end = s.last_activity_at + timedelta(seconds=ctx.settings.session_idle_seconds)
    return min(idle_end, s.absolute_expires_at)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_STAMP = select(ChangeStamp.n).where(ChangeStamp.id == 1).scalar_subquery()

_SESSION_BY_TOKEN = (
    select(AuthSession, UserAccount)
    .join(UserAccount, UserAccount.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)


def _token_hash_or_401(request: Request) -> dict[str, str]:
    token = _bearer(request)
    if token is None:
        raise ApiError(401, "not_authenticated", "Log in first")
    return {"token_hash": token_hash(token)}


def _check_login(
    ctx: ServerContext, now: datetime, s: SessionTimes, *, active: bool, activity: bool
) -> datetime | None:
    """The login rules for a found session, or 401. When the call counts as activity and
    the stored last activity is stale enough, writes it (in a short transaction of its
    own) and returns the new value."""
    if s.ended_at is not None or not active:
        raise ApiError(401, "not_authenticated", "You have been logged out; log in again")
    if now >= session_expiry(ctx, s):
        raise ApiError(401, "session_expired", "Your session has expired; log in again")
    if not activity or (now - s.last_activity_at).total_seconds() < (
        ctx.settings.activity_touch_seconds
    ):
        return None
    with ctx.db.writing() as w:
        w.execute(
            update(AuthSession)
            .where(AuthSession.id == s.id, AuthSession.last_activity_at < now)
            .values(last_activity_at=now)
        )
    return now


def authenticate(request: Request, ctx: ServerContext, *, activity: bool) -> Authenticated:
    """The caller's session and account, or 401. Looked up in a short read session of its
    own, apart from the route's, so a read route stays read-only."""
    params = _token_hash_or_401(request)
    now = ctx.clock.now()
    with ctx.db.read_session() as own:
        row = own.execute(_SESSION_BY_TOKEN, params).one_or_none()
    if row is None:
        raise ApiError(401, "not_authenticated", "Log in first")
    session, user = row
    touched = _check_login(ctx, now, session, active=user.active, activity=activity)
    if touched is not None:
        # Written by that transaction already: the copy in hand learns it as committed, so
        # no session it may join later takes it for a change of its own to write.
        set_committed_value(session, "last_activity_at", touched)
    return Authenticated(user, session, now)


@dataclass(frozen=True, slots=True)
class Login:
    """What the plan list needs of the caller, looked up without the ORM (`login_on`)."""

    person_id: int
    previous_login_at: datetime | None
    now: datetime
    change_stamp: int | None


_LOGIN_BY_TOKEN = (
    select(
        AuthSession.id,
        AuthSession.ended_at,
        AuthSession.last_activity_at,
        AuthSession.absolute_expires_at,
        UserAccount.active,
        UserAccount.must_change_password,
        UserAccount.person_id,
        UserAccount.previous_login_at,
        _STAMP.label("stamp"),
    )
    .join(UserAccount, UserAccount.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)


def login_on(request: Request, ctx: ServerContext, conn: Connection) -> Login:
    """`current_auth`'s rules (counts as activity; a pending password change refuses) in
    one Core statement on the caller's connection, which also reads the change stamp: for
    the plan list, where building ORM rows for the session and account cost more than
    answering from the cache."""
    params = _token_hash_or_401(request)
    now = ctx.clock.now()
    row = conn.execute(_LOGIN_BY_TOKEN, params).one_or_none()
    if row is None:
        raise ApiError(401, "not_authenticated", "Log in first")
    _check_login(ctx, now, row, active=row.active, activity=True)
    _refuse_pending_password_change(row.must_change_password)
    return Login(row.person_id, row.previous_login_at, now, row.stamp)


def _refuse_pending_password_change(must_change_password: bool) -> None:
    if must_change_password:
        raise ApiError(
            403, "password_change_required", "Change your temporary password before going on"
        )


def _password_changed_first(auth: Authenticated) -> Authenticated:
    _refuse_pending_password_change(auth.user.must_change_password)
    return auth


def current_auth(request: Request, ctx: Ctx) -> Authenticated:
    """Any authenticated call but the session, password and logout routes: counts as activity."""
    return _password_changed_first(authenticate(request, ctx, activity=True))


def current_auth_any(request: Request, ctx: Ctx) -> Authenticated:
    """For the password and logout routes: allowed while a password change is pending."""
    return authenticate(request, ctx, activity=True)


def current_auth_passive(request: Request, ctx: Ctx) -> Authenticated:
    """GET /auth/session: looks, does not count as activity."""
    return authenticate(request, ctx, activity=False)


Auth = Annotated[Authenticated, Depends(current_auth)]
AuthAny = Annotated[Authenticated, Depends(current_auth_any)]
AuthPassive = Annotated[Authenticated, Depends(current_auth_passive)]
