"""Notifications (varslinger): the background worker that turns plan events into
SMS and e-mail, without plan content.

Two steps, each safe with several server processes on one PostgreSQL (no state in
memory that another worker needs):

1. Fold: un-notified plan events are claimed (`notified_at` set in the same
   transaction) and added to a pending `Notification` per person, plan and channel, or
   a new one is made that waits `notify_fold_seconds` (and at least
   `notify_quiet_seconds` after the last one sent), so a burst of events becomes one
   message. One worker folds at a time (a transaction-level advisory lock on
   PostgreSQL; SQLite's immediate transaction does the same).
2. Send: due notifications are claimed with `FOR UPDATE SKIP LOCKED` and a lease
   (`claimed_until`), sent with no transaction open, and each attempt is recorded in
   `deliveries` (support sees them). A failure is retried later with a growing pause,
   up to `notify_max_attempts`; a worker that dies mid-send loses its lease and another
   takes over.

The text says only that something new waits in plan number N: not the owner's name, not
the plan's short name (free text that may name a service or a diagnosis), not what it is.

The worker reads across plans, with no participant's scope: it is the one reader of plan
tables that no request drives, and it reads only who takes part and who was addressed,
never what was written.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from server.access.policy import Need, allowed, consent_valid
from server.accounts.models import UserAccount
from server.auth.service import destination, destination_hint
from server.context import ServerContext
from server.delivery import DeliveryError, Outgoing
from server.messages.models import MessageRecipient
from server.notifications.models import Delivery, Notification
from server.notifications.prefs import effective_prefs
from server.participants.models import Participant
from server.plans.models import Plan
from server.timeline.events import EventKind
from server.timeline.models import PlanEvent
from server.timeline.sources import SOURCES

log = logging.getLogger(__name__)

FOLD_BATCH = 1000
SEND_BATCH = 100
LEASE = timedelta(minutes=5)
FOLD_LOCK_KEY = 0x5A4D_9121
PURPOSE = "notification"


def notification_text(plan_id: int, events: int) -> tuple[str, str]:
    """Subject and body: that something waits in plan number N, and nothing else."""
    what = "Det er noe nytt" if events <= 1 else f"Det er {events} nye ting"
    return (
        "Nytt i SamPro",
        f"{what} til deg i plan nr. {plan_id} i SamPro. Logg inn for å lese det.",
    )


def retry_pause(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(0, attempts - 1), 3600))


@dataclass
class PassResult:
    events: int = 0  # plan events folded in
    sent: int = 0
    failed: int = 0  # attempts that failed (retried later or given up)


@dataclass
class _PlanPeople:
    closed: bool
    people: list[tuple[Participant, UserAccount]] = field(default_factory=list)


def _plan_people(db: Session, plan_id: int) -> _PlanPeople:
    # Across plans by design (see the module's docstring): no request, no scope.
    plan = db.get(Plan, plan_id)
    rows = db.execute(
        select(Participant, UserAccount)
        .join(UserAccount, UserAccount.person_id == Participant.person_id)
        .where(
            Participant.plan_id == plan_id,
            Participant.removed_at.is_(None),
            UserAccount.active.is_(True),
        )
    ).all()
    return _PlanPeople(plan is None or plan.closed_at is not None, [(p, u) for p, u in rows])


def recipients(
    db: Session, event: PlanEvent, people: _PlanPeople, today: date
) -> list[tuple[UserAccount, str]]:
    """(user, channel) for everyone who wants to hear of this event and may see it."""
    if people.closed:
        return []
    kind = EventKind(event.kind)
    addressed: set[int] | None = None
    if kind == EventKind.NEW_MESSAGE:
        # Whom the message was sent to (not what it says), read without a scope as above.
        addressed = set(
            db.scalars(
                select(MessageRecipient.participant_id).where(
                    MessageRecipient.message_id == event.object_id
                )
            ).all()
        )
    source = SOURCES.get(event.object_type)
    out: list[tuple[UserAccount, str]] = []
    for p, user in people.people:
        if p.id == event.actor_participant_id or not consent_valid(p, today):
            continue
        if addressed is not None and p.id not in addressed:
            continue
        if event.object_type == "participant" and p.id == event.object_id:
            continue  # not told of one's own arrival
        if (
            addressed is None
            and source is not None
            and not any(allowed(p, area, Need.READ) for area in source.areas)
        ):
            continue
        if addressed is None and source is None and event.object_type != "calendar_event":
            continue  # an object type nobody registered: shown to no one, told to no one
        for channel in getattr(effective_prefs(p, user), kind.value):
            out.append((user, str(channel)))
    return out


class Notifier:
    """Runs passes: in a background thread (`start`), or one at a time (`run_once`)."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one pass ----------------------------------------------------------------------

    def run_once(self) -> PassResult:
        result = PassResult()
        result.events = self.fold()
        sent, failed = self.send_due()
        result.sent, result.failed = sent, failed
        return result

    def fold(self) -> int:
        ctx = self.ctx
        now = ctx.clock.now()
        with ctx.db.writing() as db:
            if not ctx.db.sqlite:
                got = db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": FOLD_LOCK_KEY})
                if not got:
                    return 0  # another worker is folding right now
            # Every plan's new events at once: the cross-plan read this worker exists for.
            events = list(
                db.scalars(
                    select(PlanEvent)
                    .where(PlanEvent.notified_at.is_(None))
                    .order_by(PlanEvent.id)
                    .limit(FOLD_BATCH)
                ).all()
            )
            plans: dict[int, _PlanPeople] = {}
            pending: dict[tuple[int, int, str], Notification] = {}
            for event in events:
                event.notified_at = now
                people = plans.get(event.plan_id)
                if people is None:
                    people = plans[event.plan_id] = _plan_people(db, event.plan_id)
                for user, channel in recipients(db, event, people, now.date()):
                    key = (user.id, event.plan_id, channel)
                    note = pending.get(key) or self._pending(db, key)
                    if note is None:
                        note = self._new(db, key, event.created_at, now)
                    note.event_count += 1
                    pending[key] = note
            return len(events)

    def _pending(self, db: Session, key: tuple[int, int, str]) -> Notification | None:
        user_id, plan_id, channel = key
        return db.scalars(
            select(Notification).where(
                Notification.user_id == user_id,
                Notification.plan_id == plan_id,
                Notification.channel == channel,
                Notification.status == "pending",
            )
        ).first()

    def _new(
        self, db: Session, key: tuple[int, int, str], first_event: datetime, now: datetime
    ) -> Notification:
        """A notification that waits for more events: the fold window from the first one."""
        user_id, plan_id, channel = key
        s = self.ctx.settings
        due = first_event + timedelta(seconds=s.notify_fold_seconds)
        last_sent = db.scalar(
            select(func.max(Notification.sent_at)).where(
                Notification.user_id == user_id,
                Notification.plan_id == plan_id,
                Notification.channel == channel,
            )
        )
        if last_sent is not None:
            due = max(due, last_sent + timedelta(seconds=s.notify_quiet_seconds))
        note = Notification(
            user_id=user_id,
            plan_id=plan_id,
            channel=channel,
            status="pending",
            event_count=0,
            created_at=now,
            due_at=due,
            attempts=0,
        )
        db.add(note)
        return note

    def _claim(self) -> list[tuple[int, int, int, str, int]]:
        """Due notifications, leased to this worker: (id, user, plan, channel, events)."""
        ctx = self.ctx
        now = ctx.clock.now()
        with ctx.db.writing() as db:
            stmt = (
                select(Notification)
                .where(
                    ((Notification.status == "pending") & (Notification.due_at <= now))
                    | ((Notification.status == "sending") & (Notification.claimed_until < now))
                )
                .order_by(Notification.due_at, Notification.id)
                .limit(SEND_BATCH)
            )
            if not ctx.db.sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            notes = list(db.scalars(stmt).all())
            for n in notes:
                n.status = "sending"
                n.claimed_until = now + LEASE
                n.attempts += 1
            return [(n.id, n.user_id, n.plan_id, n.channel, n.event_count) for n in notes]

    def send_due(self) -> tuple[int, int]:
        ctx = self.ctx
        sent = failed = 0
        for note_id, user_id, plan_id, channel, count in self._claim():
            with ctx.db.read_session() as db:
                user = db.get_one(UserAccount, user_id)
                to = destination(user, channel)
                hint = destination_hint(user, channel)
            subject, body = notification_text(plan_id, count)
            now = ctx.clock.now()
            error: str | None = None
            if not to:
                error = f"no {channel} destination on the person's card"
            else:
                try:
                    ctx.outbox.send(Outgoing(to, channel, subject, body), now)
                except DeliveryError as exc:
                    error = str(exc)[:500]
            with ctx.db.writing() as db:
                note = db.get_one(Notification, note_id)
                db.add(
                    Delivery(
                        user_id=user_id,
                        channel=channel,
                        purpose=PURPOSE,
                        destination_masked=hint,
                        status="sent" if error is None else "failed",
                        error=error,
                        created_at=now,
                    )
                )
                note.claimed_until = None
                if error is None:
                    note.status, note.sent_at, note.last_error = "sent", now, None
                    sent += 1
                    continue
                failed += 1
                note.last_error = error
                if note.attempts >= ctx.settings.notify_max_attempts or not to:
                    note.status = "failed"
                else:
                    note.status = "pending"
                    note.due_at = now + retry_pause(note.attempts)
        return sent, failed

    # --- in the background -------------------------------------------------------------

    def start(self) -> None:
        interval = self.ctx.settings.notify_interval_seconds
        if interval <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True)
        self._thread.name = "sampro-notifier"
        self._thread.start()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.run_once()
            except Exception:  # keep the worker alive; the next pass retries
                log.exception("notification pass failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
