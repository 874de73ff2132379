"""Two-step login: password, then a one-time code; lockout; sessions; password changes."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import and_, case, select, update
from sqlalchemy.orm import Session

from sampro_contract import Channel
from server.accounts.models import UserAccount
from server.auth.models import AuthSession, LoginChallenge
from server.context import ServerContext
from server.delivery import DeliveryError, Outgoing
from server.errors import ApiError
from server.log import service as audit
from server.log.service import Actor
from server.notifications.models import Delivery
from server.security import (
    PROBLEM_TEXT,
    code_hash,
    codes_equal,
    mask_email,
    mask_phone,
    new_code,
    new_token,
    temporary_password,
    token_hash,
)

MAX_RESENDS = 3
RESET_PASSWORD_TTL = timedelta(hours=24)
TOTP_STEP = 30


def invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "Wrong username or password")


def locked(until: datetime, now: datetime) -> ApiError:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return ApiError(
        423,
        "account_locked",
        f"Too many failed attempts; try again in {math.ceil(seconds / 60)} minutes",
        {"locked_until": until.isoformat(), "retry_after_seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


def _is_locked(user: UserAccount, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _find_user(db: Session, username: str) -> UserAccount | None:
    return db.scalars(
        select(UserAccount).where(UserAccount.username == username.strip().lower())
    ).one_or_none()


def _lock_for_update(db: Session, ctx: ServerContext, user_id: int) -> UserAccount:
    stmt = (
        select(UserAccount)
        .where(UserAccount.id == user_id)
        .execution_options(populate_existing=True)
    )
    if not ctx.db.sqlite:  # SQLite's immediate transaction already holds the write lock
        # OF the account alone: the person is eager-loaded by an outer join, which
        # PostgreSQL refuses to lock ("nullable side of an outer join").
        stmt = stmt.with_for_update(of=UserAccount)
    return db.scalars(stmt).one()


def count_failure(db: Session, ctx: ServerContext, user_id: int, now: datetime) -> datetime | None:
    """One failed login, counted in a single atomic statement; returns the lock's end if any.

    The count stays as it was when the account locks, so support sees the failures behind
    a lock. The first failure after a lock has run out starts a new count (the lock's time
    is served): as before, it takes the threshold's number in a row to lock again. A
    completed login and an unlock by support set the count to 0.
    """
    threshold = ctx.settings.lockout_threshold
    lock_end = now + timedelta(seconds=ctx.settings.lockout_seconds)
    served = and_(UserAccount.locked_until.is_not(None), UserAccount.locked_until <= now)
    counted = case((served, 0), else_=UserAccount.failed_logins) + 1
    reaches = counted >= threshold
    row = db.execute(
        update(UserAccount)
        .where(UserAccount.id == user_id)
        .values(
            failed_logins=counted,
            locked_until=case((reaches, lock_end), (served, None), else_=UserAccount.locked_until),
        )
        .returning(UserAccount.locked_until)
    ).one()
    until: datetime | None = row[0]
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=now.tzinfo)
    return until if until is not None and until > now else None


def destination(user: UserAccount, channel: str) -> str:
    person = user.person
    return (person.mobile if channel == "sms" else person.email) or ""


def destination_hint(user: UserAccount, channel: str) -> str:
    if channel == Channel.TOTP:
        return "authenticator"
    to = destination(user, channel)
    return mask_phone(to) if channel == "sms" else mask_email(to)


@dataclass(frozen=True)
class PendingDelivery:
    """A message decided inside a transaction and sent after its commit."""

    user_id: int
    channel: str
    to: str
    hint: str
    purpose: str
    subject: str
    body: str

    def send(self, ctx: ServerContext, now: datetime) -> bool:
        """Send with no transaction open, then record the delivery (as the login does)."""
        status, error = "sent", None
        if not self.to:
            status, error = "failed", f"no {self.channel} destination on the person's card"
        else:
            try:
                ctx.outbox.send(Outgoing(self.to, self.channel, self.subject, self.body), now)
            except DeliveryError as exc:
                status, error = "failed", str(exc)[:500]
        with ctx.db.writing() as db:
            db.add(
                Delivery(
                    user_id=self.user_id,
                    channel=self.channel,
                    purpose=self.purpose,
                    destination_masked=self.hint,
                    status=status,
                    error=error,
                    created_at=now,
                )
            )
        return status == "sent"


def deliver_outside_transaction(
    ctx: ServerContext,
    user: UserAccount,
    channel: str,
    purpose: str,
    subject: str,
    body: str,
    now: datetime,
) -> bool:
    """Send with no transaction open (a slow mail server must not hold SQLite's write
    lock), then record the delivery in a short transaction of its own."""
    return pending_delivery(user, channel, purpose, subject, body).send(ctx, now)


def pending_delivery(
    user: UserAccount, channel: str, purpose: str, subject: str, body: str
) -> PendingDelivery:
    return PendingDelivery(
        user_id=user.id,
        channel=channel,
        to=destination(user, channel),
        hint=destination_hint(user, channel),
        purpose=purpose,
        subject=subject,
        body=body,
    )


def _new_code(challenge: LoginChallenge) -> str | None:
    """A fresh code for the challenge (its hash is stored); None for an authenticator."""
    if challenge.channel == Channel.TOTP:
        return None
    code = new_code()
    challenge.code_hash = code_hash(challenge.id, code)
    return code


def _send_code(
    ctx: ServerContext, user: UserAccount, challenge: LoginChallenge, code: str | None
) -> None:
    """Called after the challenge is committed; a failed send is recorded for support."""
    if code is None:
        return
    minutes = max(1, ctx.settings.otp_ttl_seconds // 60)
    ok = deliver_outside_transaction(
        ctx,
        user,
        challenge.channel,
        "login_code",
        "Engangskode for SamPro",
        f"Din engangskode er {code}. Den gjelder i {minutes} minutter.",
        ctx.clock.now(),
    )
    if not ok:
        raise ApiError(
            503,
            "delivery_failed",
            "The one-time code could not be sent; contact your coordinator or support",
        )


def login(ctx: ServerContext, username: str, password: str) -> LoginChallenge:
    now = ctx.clock.now()
    anonymous = Actor(None, username.strip().lower()[:200], None)
    with ctx.db.read_session() as db:
        user = _find_user(db, username)
        if user is not None and user.active and _is_locked(user, now):
            # Refused before the password is looked at: no hash is computed, and a
            # locked account tells nothing about whether the password was right.
            assert user.locked_until is not None
            lock_end = user.locked_until
            with ctx.db.writing() as w:
                audit.record(
                    w, now, Actor(user.id, user.username, user.system_role), "login_locked"
                )
            raise locked(lock_end, now)
        if user is None or not user.active:
            ctx.passwords.verify(None, password)  # same cost as a real check
            with ctx.db.writing() as w:
                audit.record(w, now, anonymous, "login_failed", detail={"reason": "unknown_user"})
            raise invalid_credentials()
        password_ok = ctx.passwords.verify(user.password_hash, password)
        reset_ok = (
            not password_ok
            and user.reset_password_hash is not None
            and user.reset_expires_at is not None
            and user.reset_expires_at > now
            and ctx.passwords.verify(user.reset_password_hash, password)
        )
    # Hashing ran outside any write lock; now decide under the lock.
    with ctx.db.write_session() as db:
        user = _lock_for_update(db, ctx, user.id)
        actor = Actor(user.id, user.username, user.system_role)
        if user.locked_until is not None and user.locked_until > now:
            audit.record(db, now, actor, "login_locked")
            db.commit()
            raise locked(user.locked_until, now)
        if not (password_ok or reset_ok):
            until = count_failure(db, ctx, user.id, now)
            audit.record(db, now, actor, "login_failed", detail={"reason": "wrong_password"})
            if until is not None:
                audit.record(db, now, actor, "account_locked", detail={"until": until.isoformat()})
            db.commit()
            raise invalid_credentials()
        channel = user.channel if (user.channel != Channel.TOTP or user.totp_secret) else "sms"
        challenge = LoginChallenge(
            id=secrets.token_urlsafe(24),
            user_id=user.id,
            channel=channel,
            destination_hint=destination_hint(user, channel),
            created_at=now,
            expires_at=now + timedelta(seconds=ctx.settings.otp_ttl_seconds),
            used_reset_password=reset_ok,
        )
        db.add(challenge)
        db.flush()
        code = _new_code(challenge)
        audit.record(db, now, actor, "login_password_ok", detail={"channel": channel})
        db.commit()
    _send_code(ctx, user, challenge, code)
    return challenge


def _live_challenge(
    db: Session, ctx: ServerContext, challenge_id: str, now: datetime
) -> LoginChallenge:
    stmt = select(LoginChallenge).where(LoginChallenge.id == challenge_id)
    if not ctx.db.sqlite:
        stmt = stmt.with_for_update()
    challenge = db.scalars(stmt).one_or_none()
    if challenge is None or challenge.used_at is not None:
        raise ApiError(401, "code_expired", "This code is no longer valid; log in again")
    if challenge.expires_at <= now:
        raise ApiError(401, "code_expired", "The code has expired; ask for a new one")
    return challenge


def resend(ctx: ServerContext, challenge_id: str) -> LoginChallenge:
    """A new code for the same challenge: tries made so far still count."""
    now = ctx.clock.now()
    with ctx.db.write_session() as db:
        challenge = _live_challenge(db, ctx, challenge_id, now)
        if challenge.channel == Channel.TOTP:
            return challenge
        if challenge.resends >= MAX_RESENDS:
            raise ApiError(429, "too_many_codes", "Too many new codes asked for; log in again")
        user = _lock_for_update(db, ctx, challenge.user_id)
        if user.locked_until is not None and user.locked_until > now:
            raise locked(user.locked_until, now)
        challenge.resends += 1
        challenge.expires_at = now + timedelta(seconds=ctx.settings.otp_ttl_seconds)
        code = _new_code(challenge)
        audit.record(db, now, Actor(user.id, user.username, None), "login_code_resent")
        db.commit()
    _send_code(ctx, user, challenge, code)
    return challenge


def _totp_matches(user: UserAccount, code: str, now: datetime) -> int | None:
    """The time step the code belongs to (now, or one step either side), if it matches."""
    if not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    step_now = int(now.timestamp()) // TOTP_STEP
    for step in (step_now, step_now - 1, step_now + 1):
        if codes_equal(totp.at(step * TOTP_STEP), code):
            return step
    return None


def verify(
    ctx: ServerContext, challenge_id: str, code: str
) -> tuple[str, AuthSession, UserAccount]:
    now = ctx.clock.now()
    code = code.strip()
    with ctx.db.write_session() as db:
        challenge = _live_challenge(db, ctx, challenge_id, now)
        user = _lock_for_update(db, ctx, challenge.user_id)
        actor = Actor(user.id, user.username, user.system_role)
        if user.locked_until is not None and user.locked_until > now:
            raise locked(user.locked_until, now)
        ok = False
        if challenge.channel == Channel.TOTP:
            step = _totp_matches(user, code, now)
            # Each time step is accepted once: a code seen on a shoulder cannot be replayed.
            if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
                user.totp_last_step = step
                ok = True
        elif challenge.code_hash is not None:
            ok = codes_equal(challenge.code_hash, code_hash(challenge.id, code))
        if not ok:
            challenge.attempts += 1
            left = ctx.settings.otp_max_attempts - challenge.attempts
            audit.record(
                db, now, actor, "login_code_failed", detail={"attempts": challenge.attempts}
            )
            if left <= 0:
                challenge.used_at = now
                until = count_failure(db, ctx, user.id, now)
                if until is not None:
                    audit.record(
                        db, now, actor, "account_locked", detail={"until": until.isoformat()}
                    )
                db.commit()
                raise ApiError(401, "code_expired", "Too many wrong codes; log in again")
            db.commit()
            raise ApiError(401, "invalid_code", "Wrong code", {"attempts_left": left})
        challenge.used_at = now
        token = new_token()
        session = AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_activity_at=now,
            absolute_expires_at=now + timedelta(seconds=ctx.settings.session_max_seconds),
        )
        db.add(session)
        user.failed_logins = 0
        user.previous_login_at = user.last_login_at
        user.last_login_at = now
        if challenge.used_reset_password:
            # The temporary password from "forgot password" becomes the password.
            assert user.reset_password_hash is not None
            user.password_hash = user.reset_password_hash
            user.must_change_password = True
        user.reset_password_hash = None
        user.reset_expires_at = None
        audit.record(db, now, actor, "login_success", detail={"channel": challenge.channel})
        db.commit()
        return token, session, user


def logout(ctx: ServerContext, session_id: int, actor: Actor) -> None:
    now = ctx.clock.now()
    with ctx.db.writing() as db:
        db.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.ended_at.is_(None))
            .values(ended_at=now, ended_reason="logout")
        )
        audit.record(db, now, actor, "logout")


def end_sessions(db: Session, user_id: int, now: datetime, reason: str) -> int:
    result = db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def weak_password(problems: list[str]) -> ApiError:
    text = "; ".join(PROBLEM_TEXT[p] for p in problems)
    return ApiError(
        422, "weak_password", f"The new password is not allowed: {text}", {"problems": problems}
    )


def change_password(
    ctx: ServerContext, user_id: int, current: str, new: str, session_id: int
) -> None:
    now = ctx.clock.now()
    with ctx.db.read_session() as db:
        user = db.get(UserAccount, user_id)
        assert user is not None
        if _is_locked(user, now):
            assert user.locked_until is not None
            raise locked(user.locked_until, now)  # as at login: no password is checked
        if not ctx.passwords.verify(user.password_hash, current):
            _wrong_current_password(ctx, user_id, now)
        problems = ctx.passwords.problems(new, username=user.username)
        if not problems and new == current:
            problems = ["same_as_current"]
        if problems:
            raise weak_password(problems)
        new_hash = ctx.passwords.hash(new)
    with ctx.db.writing() as db:
        user = _lock_for_update(db, ctx, user_id)
        user.password_hash = new_hash
        user.must_change_password = False
        # A pending "forgot password" temporary password dies with the old password.
        user.reset_password_hash = None
        user.reset_expires_at = None
        user.version += 1
        # Other sessions end: whoever knew the old password is out.
        db.execute(
            update(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.id != session_id,
                AuthSession.ended_at.is_(None),
            )
            .values(ended_at=now, ended_reason="password_changed")
        )
        audit.record(db, now, Actor(user.id, user.username, user.system_role), "password_changed")


def _wrong_current_password(ctx: ServerContext, user_id: int, now: datetime) -> None:
    """A wrong current password counts like a wrong login password (the same atomic
    counter). At the threshold the account locks and all its sessions end, this one
    too: whoever holds the session is guessing the password. Always raises."""
    with ctx.db.writing() as db:
        user = _lock_for_update(db, ctx, user_id)
        actor = Actor(user.id, user.username, user.system_role)
        until = count_failure(db, ctx, user_id, now)
        audit.record(db, now, actor, "password_change_failed", detail={"reason": "wrong_password"})
        if until is not None:
            ended = end_sessions(db, user_id, now, "locked")
            audit.record(
                db,
                now,
                actor,
                "account_locked",
                detail={"until": until.isoformat(), "sessions_ended": ended},
            )
    if until is not None:
        raise locked(until, now)
    raise invalid_credentials()


def _asked_recently(user: UserAccount, ctx: ServerContext, now: datetime) -> bool:
    """Was a temporary password sent to this account within the forgot interval?

    The time of the last request is the pending temporary password's expiry less its
    lifetime: a row, so every worker sees it.
    """
    if user.reset_expires_at is None:
        return False
    asked_at = user.reset_expires_at - RESET_PASSWORD_TTL
    return asked_at > now - timedelta(seconds=ctx.settings.forgot_interval_seconds)


def forgot(ctx: ServerContext, username: str) -> None:
    """A temporary password by e-mail (or SMS if no e-mail); the old one keeps working."""
    now = ctx.clock.now()
    with ctx.db.read_session() as db:
        user = _find_user(db, username)
        if user is None or not user.active or _asked_recently(user, ctx, now):
            return
        user_id = user.id
    temp = temporary_password()
    temp_hash = ctx.passwords.hash(temp)
    with ctx.db.writing() as db:
        user = _lock_for_update(db, ctx, user_id)
        if _asked_recently(user, ctx, now):  # checked again under the row's lock
            audit.record(db, now, Actor(user.id, user.username, None), "forgot_password_limited")
            return
        user.reset_password_hash = temp_hash
        user.reset_expires_at = now + RESET_PASSWORD_TTL
        channel = "email" if user.person.email else "sms"
        audit.record(db, now, Actor(user.id, user.username, None), "forgot_password")
    deliver_outside_transaction(
        ctx,
        user,
        channel,
        "forgot_password",
        "Midlertidig passord for SamPro",
        f"Ditt midlertidige passord er {temp}. Det gjelder i 24 timer, og du må bytte det "
        "når du logger på. Har du ikke bedt om dette, kan du se bort fra meldingen.",
        now,
    )


@dataclass(frozen=True)
class TemporaryPassword:
    """A temporary password and its hash, made before the write transaction begins: the
    hash (argon2id) is slow and must not hold SQLite's write lock."""

    plain: str
    hashed: str


def new_temporary_password(ctx: ServerContext) -> TemporaryPassword:
    """Call with no transaction open, before the route's first database use."""
    plain = temporary_password()
    return TemporaryPassword(plain, ctx.passwords.hash(plain))


def set_temporary_password(
    user: UserAccount, temp: TemporaryPassword, purpose: str
) -> PendingDelivery:
    """Give the user the temporary password (must be changed at login), in the caller's
    transaction; the message carrying it is sent by the caller after the commit."""
    user.password_hash = temp.hashed
    user.must_change_password = True
    user.reset_password_hash = None
    channel = "sms" if user.channel == "sms" and user.person.mobile else "email"
    if channel == "email" and not user.person.email:
        channel = "sms"
    return pending_delivery(
        user,
        channel,
        purpose,
        "Midlertidig passord for SamPro",
        f"Brukernavn: {user.username}. Midlertidig passord: {temp.plain}. "
        "Du må bytte passordet første gang du logger på.",
    )


def enrol_totp(ctx: ServerContext, user_id: int) -> tuple[str, str]:
    secret = pyotp.random_base32()
    with ctx.db.writing() as db:
        user = _lock_for_update(db, ctx, user_id)
        user.totp_pending_secret = secret
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="SamPro")
        audit.record(db, ctx.clock.now(), Actor(user.id, user.username, None), "totp_enrol_started")
    return secret, uri


def confirm_totp(ctx: ServerContext, user_id: int, code: str) -> None:
    now = ctx.clock.now()
    with ctx.db.writing() as db:
        user = _lock_for_update(db, ctx, user_id)
        if not user.totp_pending_secret:
            raise ApiError(409, "no_enrolment", "Start enrolling an authenticator first")
        candidate = UserAccount(totp_secret=user.totp_pending_secret)
        step = _totp_matches(candidate, code.strip(), now)
        if step is None:
            raise ApiError(422, "invalid_code", "That code does not match; try the next one")
        user.totp_secret = user.totp_pending_secret
        user.totp_pending_secret = None
        user.totp_last_step = step
        user.channel = Channel.TOTP
        audit.record(db, now, Actor(user.id, user.username, None), "totp_enrolled")
