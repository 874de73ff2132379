"""Messages, notes and minutes (meldinger, notater, referater): folders, reading with
read receipts, drafts, sending. Plan-internal: contents never leave the server, and the
log records that a message was read or sent, never what it said."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sampro_contract import Message as MessageOut
from sampro_contract import (
    MessageFolder,
    MessageIn,
    MessageListItem,
    MessageSort,
    MessageUpdate,
    Page,
    Recipient,
    SortOrder,
)
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.messages import service
from server.messages.folders import MAX_PAGE_SIZE, folder_page

router = APIRouter(prefix="/plans/{plan_id}", tags=["messages"])

MessagesRead = Annotated[PlanScope, Depends(plan_scope(Area.MESSAGES, Need.READ))]
MessagesWrite = Annotated[PlanScope, Depends(plan_scope(Area.MESSAGES, Need.WRITE))]

# Routes with a second id in the path name `plan_id` first, as before the scope took it
# over: the API document lists the path's parameters in that order.


@router.get("/messages", response_model=Page[MessageListItem])
def list_messages(
    scope: MessagesRead,
    a: Auth,
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
    body = folder_page(
        scope,
        a,
        None if all_folders else folder,
        q=q,
        sort=sort,
        desc=order == SortOrder.DESC,
        page=page,
        page_size=page_size,
    )
    return Response(body, media_type="application/json")


@router.get("/messages/{message_id}")
def read_message(plan_id: int, message_id: int, scope: MessagesRead, a: Auth) -> MessageOut:
    """One message; opening a received message marks it read (once, with the time)."""
    return service.read_message(scope, a, message_id)


@router.get("/recipients")
def list_recipients(scope: MessagesRead, a: Auth) -> list[Recipient]:
    """The recipients picker: each with how they want to be told of a new message."""
    return service.list_recipients(scope, a)


@router.post("/messages", status_code=201)
def create_message(body: MessageIn, scope: MessagesWrite, a: Auth) -> MessageOut:
    """Write a message, note or minutes: send it now, or keep it as a draft."""
    return service.create_message(scope, a, body)


@router.patch("/messages/{message_id}")
def update_draft(
    plan_id: int, message_id: int, body: MessageUpdate, scope: MessagesWrite, a: Auth
) -> MessageOut:
    """Change a draft (its author only); `send: true` sends it."""
    return service.update_draft(scope, a, message_id, body)


@router.delete("/messages/{message_id}", status_code=204)
def delete_draft(plan_id: int, message_id: int, scope: MessagesWrite, a: Auth) -> Response:
    """Delete a draft (its author only); sent messages stay."""
    service.delete_draft(scope, a, message_id)
    return Response(status_code=204)
