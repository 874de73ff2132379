"""Messages, notes and minutes (meldinger, notater, referater): folders, reading with
read receipts, drafts, sending. Plan-internal: contents never leave the server, and the
log records that a message was read or sent, never what it said."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import aliased

from sampro_contract import Message as MessageOut
from sampro_contract import (
    MessageFolder,
    MessageIn,
    MessageKind,
    MessageListItem,
    MessageRecipientInfo,
    MessageSort,
    MessageUpdate,
    Page,
    PlanRole,
    Recipient,
    SortOrder,
)
from server.access.policy import Area, Need, consent_valid
from server.access.scope import PlanScope, check_version, open_plan
from server.accounts.models import Person, UserAccount
from server.collab import effective_prefs, like_pattern, may_see_message, names_of, unknown
from server.deps import Auth, WriteDb
from server.errors import ApiError, not_found, validation
from server.log import service as audit
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant
from server.timeline.events import EventKind, raise_event

router = APIRouter(prefix="/plans/{plan_id}", tags=["messages"])

MAX_PAGE_SIZE = 500


def _read_counts(scope: PlanScope, ids: list[int]) -> dict[int, list[tuple[int, Any]]]:
    """Per message: (recipient participant id, read_at), in recipient order."""
    out: dict[int, list[tuple[int, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = scope.db.execute(
        select(
            MessageRecipient.message_id, MessageRecipient.participant_id, MessageRecipient.read_at
        )
        .where(MessageRecipient.message_id.in_(ids))
        .order_by(MessageRecipient.id)
    ).all()
    for mid, pid, read_at in rows:
        out[mid].append((pid, read_at))
    return out


def _folder_filter(scope: PlanScope, folder: MessageFolder, q: str) -> Select[Any]:
    """The folder's messages (ids only), searched but not sorted or paged."""
    me = scope.participant.id
    if folder == MessageFolder.INBOX:
        # sent_at is copied onto the recipient row: the inbox is an index range.
        stmt = select(MessageRecipient.message_id).where(
            MessageRecipient.participant_id == me,
            MessageRecipient.sent_at.is_not(None),
            MessageRecipient.plan_id == scope.plan_id,
        )
        if q.strip():
            stmt = stmt.join(Message, Message.id == MessageRecipient.message_id)
    else:
        stmt = select(Message.id).where(
            Message.sender_participant_id == me,
            Message.sent_at.is_not(None)
            if folder == MessageFolder.SENT
            else Message.sent_at.is_(None),
            Message.plan_id == scope.plan_id,
        )
    if q.strip():
        pattern = like_pattern(q.strip())
        stmt = stmt.where(
            or_(
                func.lower(Message.subject).like(pattern, escape="\\"),
                func.lower(Message.body).like(pattern, escape="\\"),
            )
        )
    return stmt


def folder_statement(
    scope: PlanScope, folder: MessageFolder, q: str, sort: MessageSort, desc: bool
) -> Select[Any]:
    """One folder of my messages with the columns of the list, sorted (not yet paged)."""
    sender = aliased(Participant)
    sender_person = aliased(Person)
    inbox = folder == MessageFolder.INBOX
    stmt = _folder_filter(scope, folder, q)
    read_col: Any
    if inbox:
        date_col: Any = MessageRecipient.sent_at
        tie: Any = MessageRecipient.message_id
        read_col = MessageRecipient.read_at
        if not q.strip():
            stmt = stmt.join(Message, Message.id == MessageRecipient.message_id)
    else:
        date_col = Message.updated_at if folder == MessageFolder.DRAFTS else Message.sent_at
        tie = Message.id
        read_col = (
            select(func.count(MessageRecipient.id))
            .where(MessageRecipient.message_id == Message.id, MessageRecipient.read_at.is_not(None))
            .correlate(Message)
            .scalar_subquery()
        )
    stmt = stmt.join(sender, sender.id == Message.sender_participant_id).join(
        sender_person, sender_person.id == sender.person_id
    )
    recipient_rank: Any = None
    if sort == MessageSort.RECIPIENT:
        # By the first recipient (in the order chosen), by last and first name. The plan's
        # participants are few: they are ranked by name here, and the query looks up one
        # participant id per message (the unique index on message and participant) and
        # maps it to its rank, with no join per row.
        ranked = scope.db.scalars(
            select(Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.plan_id == scope.plan_id)
            .order_by(Person.last_name_lc, Person.first_name_lc, Participant.id)
        ).all()
        first_recipient = aliased(MessageRecipient)
        first_pid = (
            select(first_recipient.participant_id)
            .where(first_recipient.message_id == Message.id)
            .order_by(first_recipient.id)
            .limit(1)
            .correlate(Message)
            .scalar_subquery()
        )
        recipient_rank = case(
            {pid: rank for rank, pid in enumerate(ranked)}, value=first_pid, else_=None
        )
    keys: dict[MessageSort, tuple[Any, ...]] = {
        MessageSort.DATE: (date_col,),
        MessageSort.SUBJECT: (func.lower(Message.subject),),
        MessageSort.SENDER: (sender_person.last_name_lc, sender_person.first_name_lc),
        MessageSort.RECIPIENT: (recipient_rank,),
        MessageSort.KIND: (Message.kind,),
        MessageSort.CATEGORY: (func.lower(Message.category),),
        # Inbox: unread (no read time) count as the lowest, so "ascending" puts them first.
        MessageSort.READ: ((read_col.is_not(None), read_col) if inbox else (read_col,)),
    }
    if sort == MessageSort.DATE:
        # Plain DESC/ASC (no NULLS LAST wrapper): the index gives this order as it is.
        ordering = [date_col.desc(), tie.desc()] if desc else [date_col.asc(), tie.asc()]
    else:
        ordering = [(k.desc() if desc else k.asc()).nulls_last() for k in keys[sort]]
        ordering += [date_col.desc(), tie.desc()]
    full: Select[Any] = stmt.with_only_columns(  # type: ignore[assignment]
        Message.id,
        Message.kind,
        Message.category,
        Message.subject,
        Message.sender_participant_id,
        sender_person.first_name,
        sender_person.last_name,
        sender.role,
        date_col,
        Message.created_at,
        read_col if inbox else Message.id.is_(None),
        maintain_column_froms=True,
    ).order_by(*ordering)
    return full


def list_items(
    scope: PlanScope,
    folder: MessageFolder,
    *,
    q: str = "",
    sort: MessageSort = MessageSort.DATE,
    desc: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a folder as plain dicts (validated once, by the caller's adapter)."""
    stmt = folder_statement(scope, folder, q, sort, desc).limit(limit).offset(offset)
    rows = scope.db.execute(stmt).all()
    if len(rows) < limit and (rows or not offset):
        total = offset + len(rows)
    else:
        filtered = _folder_filter(scope, folder, q).subquery()
        total = scope.db.scalar(select(func.count()).select_from(filtered)) or 0
    ids = [r[0] for r in rows]
    receipts = _read_counts(scope, ids)
    refs = names_of(scope.db, {pid for rs in receipts.values() for pid, _ in rs})
    names = {pid: ref.name for pid, ref in refs.items()}
    inbox = folder == MessageFolder.INBOX
    # Read status is the sender's alone: a recipient does not learn who else has read it.
    sent = folder == MessageFolder.SENT
    items = []
    for mid, kind, category, subject, sender_id, first, last, role, at, created, read in rows:
        rs = receipts[mid]
        items.append(
            {
                "id": mid,
                "kind": kind,
                "category": category,
                "subject": subject,
                "sender": {"participant_id": sender_id, "name": f"{first} {last}", "role": role},
                "recipients": ", ".join(names.get(pid, "?") for pid, _ in rs),
                "recipient_count": len(rs),
                "read_count": sum(1 for _, r in rs if r is not None) if sent else 0,
                "at": at or created,
                "unread": inbox and read is None,
                "folder": folder,
            }
        )
    return items, int(total)


def list_everywhere(
    scope: PlanScope, *, q: str, desc: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of all my folders together (received, sent, my drafts), by date: for a
    search "within the plan". Each folder gives its first offset+limit by date, so the
    merged page is exact; the folders are disjoint (nobody writes to themselves)."""
    merged: list[dict[str, Any]] = []
    total = 0
    for folder in MessageFolder:
        items, n = list_items(
            scope, folder, q=q, sort=MessageSort.DATE, desc=desc, limit=offset + limit
        )
        merged += items
        total += n
    merged.sort(key=lambda m: (m["at"], m["id"]), reverse=desc)
    return merged[offset : offset + limit], total


_MESSAGE_PAGE = TypeAdapter(Page[MessageListItem])
MESSAGE_ITEMS = TypeAdapter(list[MessageListItem])


@router.get("/messages", response_model=Page[MessageListItem])
def list_messages(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    folder: MessageFolder = MessageFolder.INBOX,
    q: Annotated[str, Query(max_length=200, description="Text in subject or body")] = "",
    sort: MessageSort = MessageSort.DATE,
    order: SortOrder = SortOrder.DESC,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    all_folders: Annotated[
        bool, Query(description="Received, sent and my drafts together, by date (search)")
    ] = False,
) -> Response:
    """My received, sent or draft messages; sort on every column; search in the text,
    in one folder or (all_folders) in all of mine."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.READ, a.now.date())
    desc, offset = order == SortOrder.DESC, (page - 1) * page_size
    if all_folders:
        items, total = list_everywhere(scope, q=q, desc=desc, limit=page_size, offset=offset)
    else:
        items, total = list_items(
            scope, folder, q=q, sort=sort, desc=desc, limit=page_size, offset=offset
        )
    where = "all" if all_folders else folder.value
    audit.record_in_plan(scope, a, "read", "messages", detail={"folder": where})
    db.commit()
    # One validation and one serialisation for the whole page (as the plan list does).
    result = _MESSAGE_PAGE.validate_python(
        {"items": items, "total": total, "page": page, "page_size": page_size}
    )
    return Response(_MESSAGE_PAGE.dump_json(result), media_type="application/json")


def message_out(scope: PlanScope, m: Message) -> MessageOut:
    me = scope.participant.id
    receipts = _read_counts(scope, [m.id])[m.id]
    refs = names_of(scope.db, {m.sender_participant_id, *(pid for pid, _ in receipts)})
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


@router.get("/messages/{message_id}")
def read_message(plan_id: int, message_id: int, a: Auth, db: WriteDb) -> MessageOut:
    """One message; opening a received message marks it read (once, with the time)."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.READ, a.now.date())
    m = _visible(scope, message_id)
    if m.sent_at is not None:
        receipt = db.scalars(
            select(MessageRecipient).where(
                MessageRecipient.message_id == m.id,
                MessageRecipient.participant_id == scope.participant.id,
                MessageRecipient.read_at.is_(None),
            )
        ).first()
        if receipt is not None:
            receipt.read_at = a.now
    audit.record_in_plan(scope, a, "read", "message", m.id)
    db.commit()
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


@router.get("/recipients")
def list_recipients(plan_id: int, a: Auth, db: WriteDb) -> list[Recipient]:
    """The recipients picker: each with how they want to be told of a new message."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.READ, a.now.date())
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
    db.commit()
    return out


def _set_recipients(scope: PlanScope, m: Message, ids: list[int]) -> None:
    allowed = {p.id for p, _ in recipient_candidates(scope)}
    wanted = list(dict.fromkeys(ids))
    bad = [i for i in wanted if i not in allowed]
    if bad:
        raise validation(
            "recipient_ids", f"not a participant you can write to: {bad}", type="not_a_recipient"
        )
    existing = scope.db.scalars(
        select(MessageRecipient).where(MessageRecipient.message_id == m.id)
    ).all()
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
        select(MessageRecipient.participant_id)
        .where(MessageRecipient.message_id == m.id)
        .order_by(MessageRecipient.id)
    ).all()
    allowed = {p.id for p, _ in recipient_candidates(scope)}
    gone = [pid for pid in stored if pid not in allowed]
    if not gone:
        return
    names = names_of(scope.db, set(gone))
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


def _send(scope: PlanScope, a: Auth, m: Message) -> None:
    count = scope.db.scalar(
        select(func.count(MessageRecipient.id)).where(MessageRecipient.message_id == m.id)
    )
    if not count:
        raise validation("recipient_ids", "choose at least one recipient", type="no_recipients")
    if not m.subject.strip():
        raise validation("subject", "a message needs a subject", type="blank")
    m.sent_at = a.now
    m.updated_at = a.now
    scope.db.execute(
        update(MessageRecipient).where(MessageRecipient.message_id == m.id).values(sent_at=a.now)
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


@router.post("/messages", status_code=201)
def create_message(plan_id: int, body: MessageIn, a: Auth, db: WriteDb) -> MessageOut:
    """Write a message, note or minutes: send it now, or keep it as a draft."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.WRITE, a.now.date())
    if body.reply_to_id is not None and _visible(scope, body.reply_to_id).sent_at is None:
        raise validation("reply_to_id", "one replies to a sent message", type="reply_to_draft")
    m = Message(
        plan_id=plan_id,
        sender_participant_id=scope.participant.id,
        kind=body.kind.value,
        category=_category(body.kind, body.category),
        subject=body.subject.strip(),
        body=body.body,
        reply_to_id=body.reply_to_id,
        created_at=a.now,
        updated_at=a.now,
    )
    db.add(m)
    db.flush()
    _set_recipients(scope, m, body.recipient_ids)
    if body.send:
        _send(scope, a, m)
    else:
        audit.record_in_plan(scope, a, "message_draft_saved", "message", m.id)
    db.commit()
    return message_out(scope, m)


def _my_draft(scope: PlanScope, message_id: int) -> Message:
    m = _visible(scope, message_id)
    if m.sender_participant_id != scope.participant.id:
        raise not_found("No such draft")
    if m.sent_at is not None:
        raise ApiError(409, "not_a_draft", "The message is sent; it cannot be changed")
    return m


@router.patch("/messages/{message_id}")
def update_draft(
    plan_id: int, message_id: int, body: MessageUpdate, a: Auth, db: WriteDb
) -> MessageOut:
    """Change a draft (its author only); `send: true` sends it."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.WRITE, a.now.date())
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
    db.commit()
    return message_out(scope, m)


@router.delete("/messages/{message_id}", status_code=204)
def delete_draft(plan_id: int, message_id: int, a: Auth, db: WriteDb) -> Response:
    """Delete a draft (its author only); sent messages stay."""
    scope = open_plan(db, a.user, plan_id, Area.MESSAGES, Need.WRITE, a.now.date())
    m = _my_draft(scope, message_id)
    for r in db.scalars(select(MessageRecipient).where(MessageRecipient.message_id == m.id)):
        db.delete(r)
    db.flush()
    db.delete(m)
    audit.record_in_plan(scope, a, "message_draft_deleted", "message", message_id)
    db.commit()
    return Response(status_code=204)
