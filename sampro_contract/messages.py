"""Messages, notes and minutes (melding, notat, referat), their folders and recipients."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Model, PlanRole, Request
from sampro_contract.notifications import NotifyChannel
from sampro_contract.participants import ParticipantRef


class MessageKind(StrEnum):
    """Melding, notat, referat."""

    MESSAGE = "message"
    NOTE = "note"
    MINUTES = "minutes"


class MessageFolder(StrEnum):
    INBOX = "inbox"  # mottatte
    SENT = "sent"  # sendte
    DRAFTS = "drafts"  # under arbeid


class MessageSort(StrEnum):
    DATE = "date"  # sent (inbox, sent) or last saved (drafts)
    SUBJECT = "subject"
    SENDER = "sender"
    RECIPIENT = "recipient"  # by the first recipient's last and first name
    KIND = "kind"
    CATEGORY = "category"
    READ = "read"  # inbox: unread first/last; sent: by how many have read


class MessageRecipientInfo(Model):
    participant_id: int
    name: str
    role: PlanRole
    # Whether and when this recipient read it: shown to the sender only (null for others).
    read_at: datetime | None = None


class MessageListItem(Model):
    id: int
    kind: MessageKind
    category: str | None
    subject: str
    sender: ParticipantRef
    recipients: str  # the recipients' names, comma separated (for the sent folder)
    recipient_count: int
    read_count: int  # sent folder: how many recipients have read it
    at: datetime  # sent, or last saved for a draft
    unread: bool  # inbox: not yet read by me
    folder: MessageFolder | None = None  # which of my folders it is in


class Message(Model):
    id: int
    kind: MessageKind
    category: str | None
    subject: str
    body: str
    sender: ParticipantRef
    recipients: list[MessageRecipientInfo]
    sent_at: datetime | None  # None while a draft
    updated_at: datetime
    read_at: datetime | None  # when I read it (when I am a recipient)
    reply_to_id: int | None
    draft: bool
    mine: bool  # I am the sender
    version: int


class MessageIn(Request):
    """A new message; `send` false keeps it as a draft (under arbeid)."""

    kind: MessageKind = MessageKind.MESSAGE
    category: str | None = Field(default=None, max_length=100)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=50000)
    recipient_ids: list[int] = Field(default_factory=list, max_length=500)
    reply_to_id: int | None = None
    send: bool = True


class MessageUpdate(Request):
    """Change a draft; `send` true sends it."""

    version: int
    kind: MessageKind | None = None
    category: str | None = Field(default=None, max_length=100)
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, max_length=50000)
    recipient_ids: list[int] | None = Field(default=None, max_length=500)
    send: bool = False


class Recipient(Model):
    """A participant one can write to, with how they want to hear of new messages."""

    participant_id: int
    name: str
    role: PlanRole
    responsibility: str
    notify: list[NotifyChannel]


# The routes, for reference (all under API_PREFIX):
#   GET  /plans/{id}/messages ?folder&q&sort&order&page&page_size -> Page[MessageListItem]
#        (all_folders=true: received, sent and my drafts together, newest first)
#   POST /plans/{id}/messages MessageIn -> Message (201)
#   GET  /plans/{id}/messages/{mid} -> Message (marks it read for a recipient)
#   PATCH /plans/{id}/messages/{mid} MessageUpdate -> Message (drafts only; send=true sends)
#   DELETE /plans/{id}/messages/{mid} -> 204 (drafts only)
#   GET  /plans/{id}/recipients -> list[Recipient]
