"""The messages' rules: who sees a message, reading with receipts, recipients, drafts, sending.

Plan-internal: contents never leave the server, and the log records that a message was
read or sent, never what it said.
"""

from __future__ import annotations

from sqlalchemy import func, update

from sampro_contract import Message as MessageOut
from sampro_contract import (
    MessageIn,
    MessageKind,
    MessageRecipientInfo,
    MessageUpdate,
    PlanRole,
    Recipient,
)
from server.access.policy import consent_valid
from server.access.scope import PlanScope, check_version
from server.accounts.models import UserAccount
from server.deps import Authenticated
from server.errors import ApiError, not_found, validation
from server.log import service as audit
from server.messages.folders import read_receipts
from server.messages.models import Message, MessageRecipient
from server.notifications.prefs import effective_prefs
from server.participants.models import Participant
from server.participants.names import names_of, unknown
from server.timeline.events import EventKind, raise_event


def may_see_message(scope: PlanScope, m: Message) -> bool:
    """The sender sees their messages and drafts; recipients see sent messages only."""
    me = scope.participant.id
    if m.sender_participant_id == me:
        return True
    if m.sent_at is None:
        return False  # drafts are private to their author
    return (
        scope.db.scalar(
            scope.select(MessageRecipient)
            .with_only_columns(MessageRecipient.id)
            .where(MessageRecipient.message_id == m.id, MessageRecipient.participant_id == me)
        )
        is not None
    )


def message_out(scope: PlanScope, m: Message) -> MessageOut:
    me = scope.participant.id
    receipts = read_receipts(scope, [m.id])[m.id]
    refs = names_of(scope, {m.sender_participant_id, *(pid for pid, _ in receipts)})
    mine = m.sender_participant_id == me
    my_read = next((r for pid, r in receipts if pid == me), None)
    return MessageOut(
        id=m.id,
        kind=MessageKind(m.kind),
        category=m.category,
        subject=m.subject,
        body=m.body,
        sender=refs.get(m.sender_participant_id) or unknown(m.sender_participant_id),
        recipients=[
            MessageRecipientInfo(
                participant_id=pid,
                name=(refs.get(pid) or unknown(pid)).name,
                role=(refs.get(pid) or unknown(pid)).role,
                read_at=read_at if mine else None,
            )
            for pid, read_at in receipts
        ],
        sent_at=m.sent_at,
        updated_at=m.updated_at or m.created_at,
        read_at=my_read,
        reply_to_id=m.reply_to_id,
        draft=m.sent_at is None,
        mine=mine,
        version=m.version,
    )


def _visible(scope: PlanScope, message_id: int) -> Message:
    m = scope.get(Message, message_id, "No such message")
    if not may_see_message(scope, m):
        raise not_found("No such message")
    return m


def _recipient_rows(scope: PlanScope, m: Message) -> list[MessageRecipient]:
    return list(
        scope.db.scalars(
            scope.select(MessageRecipient).where(MessageRecipient.message_id == m.id)
        ).all()
    )


def read_message(scope: PlanScope, a: Authenticated, message_id: int) -> MessageOut:
    """One message; opening a received message marks it read (once, with the time)."""
    m = _visible(scope, message_id)
    if m.sent_at is not None:
        receipt = scope.db.scalars(
            scope.select(MessageRecipient).where(
                MessageRecipient.message_id == m.id,
                MessageRecipient.participant_id == scope.participant.id,
                MessageRecipient.read_at.is_(None),
            )
        ).first()
        if receipt is not None:
            receipt.read_at = a.now
    audit.record_in_plan(scope, a, "read", "message", m.id)
    scope.db.commit()
    return message_out(scope, m)


def recipient_candidates(scope: PlanScope) -> list[tuple[Participant, UserAccount]]:
    """Who one can write to: the plan's other participants with valid consent and a login."""
    rows = scope.db.execute(
        scope.select(Participant)
        .add_columns(UserAccount)
        .join(UserAccount, UserAccount.person_id == Participant.person_id)
        .where(
            Participant.removed_at.is_(None),
            Participant.id != scope.participant.id,
            UserAccount.active.is_(True),
        )
        .order_by(Participant.role, Participant.id)
    ).all()
    return [(p, u) for p, u in rows if consent_valid(p, scope.today)]


def list_recipients(scope: PlanScope, a: Authenticated) -> list[Recipient]:
    """The recipients picker: each with how they want to be told of a new message."""
    out = [
        Recipient(
            participant_id=p.id,
            name=f"{p.person.first_name} {p.person.last_name}",
            role=PlanRole(p.role),
            responsibility=p.responsibility,
            notify=effective_prefs(p, u).new_message,
        )
        for p, u in recipient_candidates(scope)
    ]
    audit.record_in_plan(scope, a, "read", "recipients")
    scope.db.commit()
    return out


def _set_recipients(scope: PlanScope, m: Message, ids: list[int]) -> None:
    allowed = {p.id for p, _ in recipient_candidates(scope)}
    wanted = list(dict.fromkeys(ids))
    bad = [i for i in wanted if i not in allowed]
    if bad:
        raise validation(
            "recipient_ids", f"not a participant you can write to: {bad}", type="not_a_recipient"
        )
    existing = _recipient_rows(scope, m)
    for r in existing:
        if r.participant_id not in wanted:
            scope.db.delete(r)
    have = {r.participant_id for r in existing}
    for pid in wanted:
        if pid not in have:
            scope.db.add(MessageRecipient(message_id=m.id, participant_id=pid, plan_id=m.plan_id))
    scope.db.flush()


def _check_stored_recipients(scope: PlanScope, m: Message) -> None:
    """At send time, a draft's saved recipients must still be ones the writer may reach.

    Someone may have been removed from the plan, lost their consent or their login since
    the draft was saved. The message is refused rather than sent to fewer people than the
    writer chose: the writer decides whom to drop.
    """
    stored = scope.db.scalars(
        scope.select(MessageRecipient)
        .with_only_columns(MessageRecipient.participant_id)
        .where(MessageRecipient.message_id == m.id)
        .order_by(MessageRecipient.id)
    ).all()
    allowed = {p.id for p, _ in recipient_candidates(scope)}
    gone = [pid for pid in stored if pid not in allowed]
    if not gone:
        return
    names = names_of(scope, set(gone))
    listed = ", ".join((names.get(pid) or unknown(pid)).name for pid in gone)
    text = f"no longer someone you can write to: {listed}; remove them and send again"
    raise ApiError(
        422,
        "validation_error",
        f"recipient_ids: {text}",
        {
            "fields": {"recipient_ids": text},
            "types": {"recipient_ids": "recipients_gone"},
            "not_allowed": gone,
            "not_allowed_names": [(names.get(pid) or unknown(pid)).name for pid in gone],
        },
    )


def _send(scope: PlanScope, a: Authenticated, m: Message) -> None:
    count = scope.db.scalar(
        scope.select(MessageRecipient)
        .with_only_columns(func.count(MessageRecipient.id))
        .where(MessageRecipient.message_id == m.id)
    )
    if not count:
        raise validation("recipient_ids", "choose at least one recipient", type="no_recipients")
    if not m.subject.strip():
        raise validation("subject", "a message needs a subject", type="blank")
    m.sent_at = a.now
    m.updated_at = a.now
    scope.db.execute(
        update(MessageRecipient)
        .where(MessageRecipient.plan_id == scope.plan_id, MessageRecipient.message_id == m.id)
        .values(sent_at=a.now)
    )
    raise_event(
        scope.db, scope.plan_id, EventKind.NEW_MESSAGE, "message", m.id, scope.participant.id, a.now
    )
    audit.record_in_plan(
        scope, a, "message_sent", "message", m.id, {"kind": m.kind, "recipients": count}
    )


def _category(kind: MessageKind, category: str | None) -> str | None:
    """Notes and minutes may carry a category; a message does not."""
    if kind == MessageKind.MESSAGE:
        return None
    return (category or "").strip() or None


def create_message(scope: PlanScope, a: Authenticated, body: MessageIn) -> MessageOut:
    """Write a message, note or minutes: send it now, or keep it as a draft."""
    if body.reply_to_id is not None and _visible(scope, body.reply_to_id).sent_at is None:
        raise validation("reply_to_id", "one replies to a sent message", type="reply_to_draft")
    m = Message(
        plan_id=scope.plan_id,
        sender_participant_id=scope.participant.id,
        kind=body.kind.value,
        category=_category(body.kind, body.category),
        subject=body.subject.strip(),
        body=body.body,
        reply_to_id=body.reply_to_id,
        created_at=a.now,
        updated_at=a.now,
    )
    scope.db.add(m)
    scope.db.flush()
    _set_recipients(scope, m, body.recipient_ids)
    if body.send:
        _send(scope, a, m)
    else:
        audit.record_in_plan(scope, a, "message_draft_saved", "message", m.id)
    scope.db.commit()
    return message_out(scope, m)


def _my_draft(scope: PlanScope, message_id: int) -> Message:
    m = _visible(scope, message_id)
    if m.sender_participant_id != scope.participant.id:
        raise not_found("No such draft")
    if m.sent_at is not None:
        raise ApiError(409, "not_a_draft", "The message is sent; it cannot be changed")
    return m


def update_draft(
    scope: PlanScope, a: Authenticated, message_id: int, body: MessageUpdate
) -> MessageOut:
    """Change a draft (its author only), at the version read; `send: true` sends it."""
    m = _my_draft(scope, message_id)
    check_version(m.version, body.version)
    if body.kind is not None:
        m.kind = body.kind.value
    if body.subject is not None:
        m.subject = body.subject.strip()
    if body.body is not None:
        m.body = body.body
    if body.category is not None or body.kind is not None:
        m.category = _category(
            MessageKind(m.kind), body.category if body.category is not None else m.category
        )
    if body.recipient_ids is not None:
        _set_recipients(scope, m, body.recipient_ids)
    m.version += 1
    m.updated_at = a.now
    if body.send:
        if body.recipient_ids is None:  # the saved ones: checked again now
            _check_stored_recipients(scope, m)
        _send(scope, a, m)
    else:
        audit.record_in_plan(scope, a, "message_draft_saved", "message", m.id)
    scope.db.commit()
    return message_out(scope, m)


def delete_draft(scope: PlanScope, a: Authenticated, message_id: int) -> None:
    """Delete a draft (its author only), its recipients with it; sent messages stay."""
    m = _my_draft(scope, message_id)
    for r in _recipient_rows(scope, m):
        scope.db.delete(r)
    scope.db.flush()
    scope.db.delete(m)
    audit.record_in_plan(scope, a, "message_draft_deleted", "message", message_id)
    scope.db.commit()
