"""The HTTP API's request and response models, shared by server and client.

This module imports nothing but pydantic (an import-linter contract checks it), so the
terminal client can speak the API's types without pulling in the database or FastAPI.
Dates travel as ISO 8601; the client formats them for people.
"""

from __future__ import annotations

import datetime as _dt
import re
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

API_PREFIX = "/api/v1"


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- enumerations --------------------------------------------------------------------


class Channel(StrEnum):
    """Where a user's one-time code goes (engangskode)."""

    SMS = "sms"
    EMAIL = "email"
    TOTP = "totp"


class SystemRole(StrEnum):
    USER = "user"
    LOCAL_ADMIN = "local_admin"
    SUPPORT = "support"
    SYSADMIN = "sysadmin"


class UnitRole(StrEnum):
    """A user's role in a unit (virksomhet/enhet)."""

    MEMBER = "member"
    COORDINATOR = "coordinator"  # may create plans in the unit and coordinate them
    ADMIN = "admin"  # local administrator of the unit


class PlanType(StrEnum):
    IP = "IP"  # individuell plan
    IOP = "IOP"  # individuell opplæringsplan
    IUP = "IUP"  # individuell utviklingsplan
    SL = "SL"  # stafettlogg


class PlanRole(StrEnum):
    OWNER = "owner"  # planeier
    COORDINATOR = "coordinator"  # koordinator
    RELATIVE = "relative"  # pårørende / foresatt
    PROVIDER = "provider"  # tjenesteyter


class Access(StrEnum):
    NONE = "none"
    READ = "read"
    WRITE = "write"


class LifeArea(StrEnum):
    """The six life areas (livsområder) of the mapping (kartlegging)."""

    WORK = "work"  # Arbeid/skole/aktivitet
    HOUSING = "housing"  # Bolig
    LEISURE = "leisure"  # Fritid
    HEALTH = "health"  # Helse
    SOCIAL = "social"  # Sosialt fellesskap/nettverk
    ECONOMY = "economy"  # Økonomi


class PlanSort(StrEnum):
    OWNER = "owner"
    SHORT_NAME = "short_name"
    TYPE = "type"
    BIRTH_DATE = "birth_date"
    CHANGED = "changed"
    NEW_MESSAGES = "new_messages"
    CONSENT_DAYS = "consent_days"
    START_DATE = "start_date"
    END_DATE = "end_date"
    LAST_ARCHIVED = "last_archived"
    CLOSED = "closed"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


# --- errors --------------------------------------------------------------------------


class ErrorBody(Model):
    code: str
    message: str
    details: object | None = None


class ErrorEnvelope(Model):
    error: ErrorBody


# --- login and sessions (fixed contract) ---------------------------------------------


class LoginRequest(Model):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class LoginChallenge(Model):
    challenge_id: str
    channel: Channel
    destination_hint: str
    expires_at: datetime


class VerifyRequest(Model):
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


class PasswordChange(Model):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class ForgotRequest(Model):
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


class TotpEnrolment(Model):
    secret: str
    otpauth_uri: str


class TotpConfirm(Model):
    code: str = Field(min_length=6, max_length=8)


# --- people and plans ----------------------------------------------------------------


class Person(Model):
    id: int
    first_name: str
    last_name: str
    birth_date: date | None = None
    email: str | None = None
    mobile: str | None = None
    workplace: str | None = None
    position: str | None = None


def _not_blank(value: str) -> str:
    """Stripped, and refused when nothing is left (checked after stripping)."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# One address: no spaces or line breaks anywhere (so no header can be smuggled in), one @,
# a dot in the domain.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 -]*[0-9]")


def _email(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an e-mail address (like navn@eksempel.no)")
    return value


def _phone(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _PHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 3:
        raise ValueError("not a phone number: digits, spaces, + and - only (like +47 912 34 567)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
Email = Annotated[str | None, Field(max_length=200), AfterValidator(_email)]
Phone = Annotated[str | None, Field(max_length=40), AfterValidator(_phone)]


class PersonCreate(Model):
    first_name: Name
    last_name: Name
    birth_date: date | None = None
    email: Email = None
    mobile: Phone = None
    phone: Phone = None
    address: str | None = Field(default=None, max_length=300)
    workplace: str | None = Field(default=None, max_length=200)
    position: str | None = Field(default=None, max_length=200)


class PlanListItem(Model):
    id: int
    owner_first_name: str
    owner_last_name: str
    short_name: str
    type: PlanType
    birth_date: date | None
    changed: bool  # changed since my last login (plan endret)
    new_messages: int  # unread messages to me (ny melding)
    consent_days: int | None  # days until the owner's consent expires (samtykke utgår)
    start_date: date | None
    end_date: date | None
    last_archived: datetime | None
    closed: bool
    my_role: PlanRole


T = TypeVar("T")


class Page(Model, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class Created(Model):
    id: int


class PlanCreate(Model):
    unit_id: int
    owner_person_id: int | None = None
    owner: PersonCreate | None = None  # a new person as owner, when no owner_person_id
    owner_channel: Channel | None = None  # with owner: give the owner an account too
    type: PlanType
    short_name: Name
    start_date: date | None = None
    end_date: date | None = None
    owner_consent_expires: date
    coordinator_user_id: int | None = None  # defaults to the caller


class Rights(Model):
    """A participant's rights in one plan (rettigheter)."""

    goals: Access = Access.NONE
    activities: Access = Access.NONE
    life_work: Access = Access.NONE
    life_housing: Access = Access.NONE
    life_leisure: Access = Access.NONE
    life_health: Access = Access.NONE
    life_social: Access = Access.NONE
    life_economy: Access = Access.NONE
    documents: Access = Access.NONE
    professional_plans: Access = Access.NONE
    log: bool = False
    print: bool = False
    edit_presentation: bool = False


class MyAccess(Model):
    participant_id: int
    role: PlanRole
    rights: Rights
    consent_expires: date | None
    is_coordinator: bool
    # False only for a coordinator whose consent has run out: they may renew consents
    # under Deltakere and see nothing else of the plan until it is valid again.
    consent_valid: bool = True


class PlanHome(Model):
    id: int
    unit_id: int
    type: PlanType
    short_name: str
    owner: Person
    start_date: date | None
    end_date: date | None
    owner_consent_expires: date | None
    presentation: str
    status_text: str
    status_updated_at: datetime | None
    closed: bool
    closed_at: datetime | None
    last_archived: datetime | None
    version: int
    me: MyAccess


class PlanUpdate(Model):
    """Edit the owner's presentation (Om meg selv) and status; the coordinator also the plan's
    start and end (revision) dates. A field left out (or null) is not changed."""

    version: int
    presentation: str | None = Field(default=None, max_length=20000)
    status_text: str | None = Field(default=None, max_length=2000)
    start_date: date | None = None
    end_date: date | None = None


class Participant(Model):
    id: int
    person: Person
    role: PlanRole
    rights: Rights
    consent_expires: date | None
    consent_valid: bool
    responsibility: str
    has_account: bool
    channel: Channel | None
    version: int
    # Set when this call created an account: was its temporary password delivered?
    temporary_password_sent: bool | None = None


class ParticipantCreate(Model):
    person_id: int | None = None  # an existing person in the plan's unit
    person: PersonCreate | None = None  # or a new one
    create_account: bool = False  # with person: create an account, temp password delivered
    username: str | None = Field(default=None, max_length=200)
    channel: Channel = Channel.SMS
    role: PlanRole
    rights: Rights | None = None  # defaults per role
    consent_expires: date
    responsibility: str = Field(default="", max_length=500)


class ParticipantUpdate(Model):
    version: int
    role: PlanRole | None = None
    rights: Rights | None = None
    consent_expires: date | None = None
    responsibility: str | None = Field(default=None, max_length=500)


class LogEntry(Model):
    id: int
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    plan_id: int | None
    object_type: str | None
    object_id: str | None
    action: str
    detail: dict[str, object] | None = None


# --- administration and support ------------------------------------------------------


class Unit(Model):
    id: int
    name: str
    parent_id: int | None


class UserCreate(Model):
    unit_id: int
    unit_role: UnitRole = UnitRole.MEMBER
    username: str = Field(min_length=3, max_length=200)
    person: PersonCreate
    channel: Channel = Channel.SMS
    system_role: SystemRole = SystemRole.USER


class UserSummary(Model):
    id: int
    username: str
    first_name: str
    last_name: str
    system_role: SystemRole
    channel: Channel
    locked: bool
    active: bool
    # Set when this call created the account: was its temporary password delivered?
    temporary_password_sent: bool | None = None


class CodeDelivery(Model):
    id: int
    at: datetime
    channel: str
    purpose: str
    destination: str  # masked
    status: str
    error: str | None


class SessionSummary(Model):
    id: int
    created_at: datetime
    last_activity_at: datetime
    expires_at: datetime


class AccountStatus(Model):
    user: UserSummary
    locked_until: datetime | None
    failed_logins: int
    last_login_at: datetime | None
    must_change_password: bool
    deliveries: list[CodeDelivery]
    sessions: list[SessionSummary]


# --- drafts --------------------------------------------------------------------------


class DraftIn(Model):
    """Unsent text of an open form, saved so nothing typed is lost at session expiry."""

    kind: str = Field(min_length=1, max_length=40)  # "message", "goal", ...
    plan_id: int | None = None
    payload: dict[str, object]


class Draft(Model):
    key: str
    kind: str
    plan_id: int | None
    payload: dict[str, object]
    updated_at: datetime


class ResendRequest(Model):
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
#   GET  /me -> UserInfo;  POST /me/totp -> TotpEnrolment;  POST /me/totp/confirm TotpConfirm
#   GET  /me/drafts -> list[Draft];  PUT/GET/DELETE /me/drafts/{key}
#   GET  /plans ?q&first_name&last_name&include_closed&sort&order&page&page_size
#        -> Page[PlanListItem];  POST /plans PlanCreate -> PlanHome
#   GET  /plans/{id} -> PlanHome;  PATCH /plans/{id} PlanUpdate -> PlanHome
#   POST /plans/{id}/archive, /plans/{id}/close, /plans/{id}/reopen -> PlanHome
#   GET  /plans/{id}/participants -> list[Participant];  POST ParticipantCreate
#   PATCH/DELETE /plans/{id}/participants/{pid}
#   GET  /plans/{id}/persons?q -> list[Person]  (candidates in the plan's unit)
#   GET  /plans/{id}/log -> Page[LogEntry]
#   GET  /admin/units;  GET/POST /admin/users;  GET /admin/users/{id} -> AccountStatus
#   POST /admin/users/{id}/unlock, /reset-password;  DELETE /admin/users/{id}/sessions
#   GET  /healthz


# --- plan content: goals and activities, comments, life areas, professional plans ----


class ActivityStatus(StrEnum):
    """An activity's status (Planlagt, I gang, Avsluttet)."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class GoalSection(StrEnum):
    """The active plan, or history (historikk)."""

    ACTIVE = "active"
    HISTORY = "history"


MAX_PICTURE_BYTES = 2 * 1024 * 1024  # a goal's picture: JPEG, PNG or GIF up to 2 MB


class ActivitySummary(Model):
    """One activity in the goal tree."""

    id: int
    goal_id: int
    title: str
    date: _dt.date
    status: ActivityStatus
    when: str
    responsible_participant_id: int | None
    responsible_name: str | None
    position: int
    comment_count: int
    version: int


class GoalSummary(Model):
    """One goal in the goal tree, with its activities in their stored order."""

    id: int
    title: str
    registered_on: date
    progress: int
    position: int
    in_history: bool
    moved_to_history_at: datetime | None
    has_picture: bool
    comment_count: int
    version: int
    activities: list[ActivitySummary]


class GoalTree(Model):
    """The goals and activities view (Mål og aktiviteter): active goals in order, or history.

    `activities_visible` is false when the caller may read goals but not activities; the
    goals then come without their activities.
    """

    section: GoalSection
    goals: list[GoalSummary]
    activities_visible: bool
    can_write_goals: bool
    can_write_activities: bool
    can_order: bool  # the coordinator orders goals and moves activities


class Comment(Model):
    id: int
    goal_id: int | None
    activity_id: int | None
    author_participant_id: int
    author_name: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    mine: bool  # only the author edits or deletes a comment
    version: int


class GoalDetail(Model):
    id: int
    title: str
    registered_on: date
    progress: int
    description: str
    position: int
    in_history: bool
    moved_to_history_at: datetime | None
    has_picture: bool
    picture_type: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    comments: list[Comment]


class GoalCreate(Model):
    title: str = Field(min_length=1, max_length=300)
    registered_on: date
    progress: int = Field(default=0, ge=0, le=100)
    description: str = Field(default="", max_length=20000)


class GoalUpdate(Model):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    registered_on: date | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    description: str | None = Field(default=None, max_length=20000)


class GoalMove(Model):
    """Move a goal to a place (0 = first) among the active goals: the coordinator."""

    position: int = Field(ge=0, le=100000)


class PictureIn(Model):
    """A goal's picture, base64 in JSON; its type is decided by its content, not a name."""

    version: int
    # No max_length: the route measures the size and refuses in words ("the picture is
    # 7.5 MB; at most 2 MB is allowed"), before decoding anything.
    data_base64: str = Field(min_length=1)


class Picture(Model):
    content_type: str  # image/jpeg, image/png or image/gif
    size: int
    data_base64: str


class ActivityDetail(Model):
    id: int
    goal_id: int
    title: str
    date: _dt.date
    status: ActivityStatus
    when: str
    responsible_participant_id: int | None
    responsible_name: str | None
    description: str
    position: int
    created_at: datetime
    updated_at: datetime
    version: int
    comments: list[Comment]


class ActivityCreate(Model):
    goal_id: int
    title: str = Field(min_length=1, max_length=300)
    date: _dt.date
    status: ActivityStatus = ActivityStatus.PLANNED
    when: str = Field(default="", max_length=300)
    responsible_participant_id: int | None = None
    description: str = Field(default="", max_length=20000)


class ActivityUpdate(Model):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    date: _dt.date | None = None
    status: ActivityStatus | None = None
    when: str | None = Field(default=None, max_length=300)
    responsible_participant_id: int | None = None
    clear_responsible: bool = False  # null above means "unchanged"; this removes it
    description: str | None = Field(default=None, max_length=20000)


class ActivityMove(Model):
    """Move an activity to a place (0 = first) under a goal, its own or another: the coordinator."""

    goal_id: int | None = None  # None: stay under the current goal
    position: int = Field(ge=0, le=100000)


class CommentCreate(Model):
    """A comment on a goal or on an activity (exactly one of the two)."""

    goal_id: int | None = None
    activity_id: int | None = None
    body: str = Field(min_length=1, max_length=5000)


class CommentUpdate(Model):
    version: int
    body: str = Field(min_length=1, max_length=5000)


class LifeAreaEntry(Model):
    """One life area (livsområde) of the mapping (kartlegging) as the caller may see it."""

    area: LifeArea
    description: str
    date: _dt.date | None
    status: str
    updated_at: datetime | None
    updated_by: str | None
    can_write: bool
    version: int  # 0 while nothing is written


class LifeAreaUpdate(Model):
    """Replaces the area's text (no history; earlier versions stay in the log)."""

    version: int  # 0 for an area not yet written
    description: str = Field(default="", max_length=20000)
    date: _dt.date | None = None
    status: str = Field(default="", max_length=300)


class ProfessionalPlan(Model):
    """One of the owner's other plans (fagplan): the points the group needs to know."""

    id: int
    name: str
    responsible_service: str
    contact: str
    key_points: str
    updated_at: datetime
    version: int


class ProfessionalPlanList(Model):
    items: list[ProfessionalPlan]
    can_write: bool


class ProfessionalPlanCreate(Model):
    name: str = Field(min_length=1, max_length=300)
    responsible_service: str = Field(default="", max_length=300)
    contact: str = Field(default="", max_length=300)
    key_points: str = Field(default="", max_length=20000)


class ProfessionalPlanUpdate(Model):
    version: int
    name: str | None = Field(default=None, min_length=1, max_length=300)
    responsible_service: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)
    key_points: str | None = Field(default=None, max_length=20000)


class CompletenessItem(Model):
    """One item the regulation asks an individual plan to hold (§ 19), covered or not."""

    key: str  # goals, contributions, responsible, participants, coordinator, period, ...
    covered: bool
    message: str  # what is missing, in English; the client shows its own text by key
    fix_in: str  # where it is fixed: "goals", "participants", "home", "life_areas"


class Completeness(Model):
    items: list[CompletenessItem]


# Plan content routes (all under /plans/{plan_id}):
#   GET  /goals?section=active|history -> GoalTree;  POST /goals GoalCreate -> GoalDetail
#   GET/PATCH/DELETE /goals/{id};  POST /goals/{id}/move GoalMove -> GoalTree
#   POST /goals/{id}/history, /goals/{id}/restore -> GoalDetail
#   GET/PUT/DELETE /goals/{id}/picture (PictureIn -> GoalDetail)
#   GET  /activities -> list[ActivitySummary];  POST /activities ActivityCreate
#   GET/PATCH/DELETE /activities/{id};  POST /activities/{id}/move ActivityMove -> GoalTree
#   POST /comments CommentCreate -> Comment;  PATCH/DELETE /comments/{id}
#   GET  /life-areas -> list[LifeAreaEntry] (only the visible ones)
#   GET/PUT /life-areas/{area}
#   GET  /professional-plans -> ProfessionalPlanList;  POST;  PATCH/DELETE /{id}
#   GET  /completeness -> Completeness (the coordinator)


# === working together: messages, calendar, home feed, timeline, notifications ========
# (the collaboration issue; routes listed at the end of this section)


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


class NotifyChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class ParticipantRef(Model):
    """A participant as others see them in messages and the calendar."""

    participant_id: int
    name: str
    role: PlanRole


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


class MessageIn(Model):
    """A new message; `send` false keeps it as a draft (under arbeid)."""

    kind: MessageKind = MessageKind.MESSAGE
    category: str | None = Field(default=None, max_length=100)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=50000)
    recipient_ids: list[int] = Field(default_factory=list, max_length=500)
    reply_to_id: int | None = None
    send: bool = True


class MessageUpdate(Model):
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


class CalendarEventIn(Model):
    """A calendar entry; times are wall-clock times where the plan is (no time zone).

    No start_time: an all-day entry. end_date defaults to start_date.
    """

    title: str = Field(min_length=1, max_length=200)
    start_date: date
    start_time: time | None = None
    end_date: date | None = None
    end_time: time | None = None
    place: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=10000)


class CalendarEventUpdate(Model):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=200)
    start_date: date | None = None
    start_time: time | None = None
    end_date: date | None = None
    end_time: time | None = None
    all_day: bool | None = None  # true clears the times
    place: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=10000)


class CalendarEvent(Model):
    id: int
    title: str
    start_date: date
    start_time: time | None
    end_date: date
    end_time: time | None
    all_day: bool
    place: str
    description: str
    created_by: ParticipantRef
    created_at: datetime
    can_edit: bool  # the author and the coordinator
    version: int


class Visit(Model):
    """Someone who has visited the plan since my last visit (from the log)."""

    name: str
    role: PlanRole
    last_visit: datetime


class HomeFeed(Model):
    """The home page's working-together part: next events, latest messages, visitors."""

    next_events: list[CalendarEvent]
    latest_messages: list[MessageListItem]
    unread_messages: int
    my_last_visit: datetime | None
    visitors: list[Visit]


class TimelineKind(StrEnum):
    GOAL = "goal"
    ACTIVITY = "activity"
    COMMENT = "comment"
    MESSAGE = "message"
    CALENDAR = "calendar"
    PARTICIPANT = "participant"
    OTHER = "other"


class TimelineItem(Model):
    kind: TimelineKind
    object_type: str
    object_id: int
    at: datetime  # when it happened, or, for a calendar entry, when it will happen
    all_day: bool  # a calendar entry without a time: `at` is the day's start
    title: str  # what it is (a subject, a title), or "" when the kind says enough
    by: str | None  # who did it
    new: bool  # since my last login
    future: bool
    # Where it is in the goal tree (a goal, an activity, a comment on either), when the
    # reader may see that goal or activity; None otherwise.
    goal_id: int | None = None
    activity_id: int | None = None


class Timeline(Model):
    items: list[TimelineItem]  # newest first; future calendar entries above today
    last_login: datetime | None
    now: datetime
    has_more: bool  # older items exist: ask again with cursor=<next_cursor>
    # Opaque: the place after the last item shown (its time, kind and id), so paging
    # neither skips nor repeats items with the same time. `before=<at>` still works
    # (strictly older than), but may skip items sharing that time.
    next_cursor: str | None = None


class NotificationPrefs(Model):
    """How I want to hear of new things in one plan (varslinger), per kind."""

    new_message: list[NotifyChannel] = Field(default_factory=list)
    new_goal_or_activity: list[NotifyChannel] = Field(default_factory=list)
    new_comment: list[NotifyChannel] = Field(default_factory=list)
    new_calendar_entry: list[NotifyChannel] = Field(default_factory=list)
    new_participant: list[NotifyChannel] = Field(default_factory=list)


# The routes of this section (all under API_PREFIX):
#   GET  /plans/{id}/messages ?folder&q&sort&order&page&page_size -> Page[MessageListItem]
#        (all_folders=true: received, sent and my drafts together, newest first)
#   POST /plans/{id}/messages MessageIn -> Message (201)
#   GET  /plans/{id}/messages/{mid} -> Message (marks it read for a recipient)
#   PATCH /plans/{id}/messages/{mid} MessageUpdate -> Message (drafts only; send=true sends)
#   DELETE /plans/{id}/messages/{mid} -> 204 (drafts only)
#   GET  /plans/{id}/recipients -> list[Recipient]
#   GET  /plans/{id}/events ?from_date&to_date&q&limit -> list[CalendarEvent]
#   POST /plans/{id}/events CalendarEventIn -> CalendarEvent (201)
#   GET/PATCH/DELETE /plans/{id}/events/{eid}
#   GET  /plans/{id}/home-feed -> HomeFeed
#   GET  /plans/{id}/timeline ?cursor&before&limit -> Timeline
#   GET/PUT /plans/{id}/notifications -> NotificationPrefs (my own, in this plan)
