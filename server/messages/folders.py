"""My message folders (inbox, sent, drafts): searched, sorted on every column, paged."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import aliased

from sampro_contract import MessageFolder, MessageListItem, MessageSort, Page
from server.access.scope import PlanScope
from server.accounts.models import Person
from server.deps import Authenticated
from server.log import service as audit
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant
from server.participants.names import names_of
from server.search import like_pattern

MAX_PAGE_SIZE = 500

MESSAGE_PAGE = TypeAdapter(Page[MessageListItem])
MESSAGE_ITEMS = TypeAdapter(list[MessageListItem])


def read_receipts(scope: PlanScope, ids: list[int]) -> dict[int, list[tuple[int, Any]]]:
    """Per message: (recipient participant id, read_at), in recipient order."""
    out: dict[int, list[tuple[int, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = scope.db.execute(
        scope.select(MessageRecipient)
        .with_only_columns(
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
    stmt: Select[Any]
    if folder == MessageFolder.INBOX:
        # sent_at is copied onto the recipient row: the inbox is an index range.
        stmt = (
            scope.select(MessageRecipient)
            .with_only_columns(MessageRecipient.message_id)
            .where(MessageRecipient.participant_id == me, MessageRecipient.sent_at.is_not(None))
        )
        if q.strip():
            stmt = stmt.join(Message, Message.id == MessageRecipient.message_id)
    else:
        stmt = (
            scope.select(Message)
            .with_only_columns(Message.id)
            .where(
                Message.sender_participant_id == me,
                Message.sent_at.is_not(None)
                if folder == MessageFolder.SENT
                else Message.sent_at.is_(None),
            )
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
            scope.select(MessageRecipient)
            .with_only_columns(func.count(MessageRecipient.id))
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
            scope.select(Participant)
            .with_only_columns(Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .order_by(Person.last_name_lc, Person.first_name_lc, Participant.id)
        ).all()
        # Correlated to the message row, which the scope has already chosen.
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
    receipts = read_receipts(scope, ids)
    refs = names_of(scope, {pid for rs in receipts.values() for pid, _ in rs})
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


def folder_page(
    scope: PlanScope,
    a: Authenticated,
    folder: MessageFolder | None,
    *,
    q: str,
    sort: MessageSort,
    desc: bool,
    page: int,
    page_size: int,
) -> bytes:
    """One page of a folder (None: all my folders, by date) as JSON; the reading is logged."""
    offset = (page - 1) * page_size
    if folder is None:
        items, total = list_everywhere(scope, q=q, desc=desc, limit=page_size, offset=offset)
    else:
        items, total = list_items(
            scope, folder, q=q, sort=sort, desc=desc, limit=page_size, offset=offset
        )
    where = "all" if folder is None else folder.value
    audit.record_in_plan(scope, a, "read", "messages", detail={"folder": where})
    scope.db.commit()
    # One validation and one serialisation for the whole page (as the plan list does).
    result = MESSAGE_PAGE.validate_python(
        {"items": items, "total": total, "page": page, "page_size": page_size}
    )
    return MESSAGE_PAGE.dump_json(result)
