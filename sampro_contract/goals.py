"""Goals and activities (mål og aktiviteter), their comments, order and a goal's picture."""

from __future__ import annotations

import datetime as _dt
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Model, Request


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


class GoalCreate(Request):
    title: str = Field(min_length=1, max_length=300)
    registered_on: date
    progress: int = Field(default=0, ge=0, le=100)
    description: str = Field(default="", max_length=20000)


class GoalUpdate(Request):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    registered_on: date | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    description: str | None = Field(default=None, max_length=20000)


class GoalMove(Request):
    """Move a goal to a place (0 = first) among the active goals: the coordinator."""

    position: int = Field(ge=0, le=100000)


class PictureIn(Request):
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


class ActivityCreate(Request):
    goal_id: int
    title: str = Field(min_length=1, max_length=300)
    date: _dt.date
    status: ActivityStatus = ActivityStatus.PLANNED
    when: str = Field(default="", max_length=300)
    responsible_participant_id: int | None = None
    description: str = Field(default="", max_length=20000)


class ActivityUpdate(Request):
    version: int
    title: str | None = Field(default=None, min_length=1, max_length=300)
    date: _dt.date | None = None
    status: ActivityStatus | None = None
    when: str | None = Field(default=None, max_length=300)
    responsible_participant_id: int | None = None
    clear_responsible: bool = False  # null above means "unchanged"; this removes it
    description: str | None = Field(default=None, max_length=20000)


class ActivityMove(Request):
    """Move an activity to a place (0 = first) under a goal, its own or another: the coordinator."""

    goal_id: int | None = None  # None: stay under the current goal
    position: int = Field(ge=0, le=100000)


class CommentCreate(Request):
    """A comment on a goal or on an activity (exactly one of the two)."""

    goal_id: int | None = None
    activity_id: int | None = None
    body: str = Field(min_length=1, max_length=5000)


class CommentUpdate(Request):
    version: int
    body: str = Field(min_length=1, max_length=5000)


# The routes, for reference (all under /plans/{plan_id}):
#   GET  /goals?section=active|history -> GoalTree;  POST /goals GoalCreate -> GoalDetail
#   GET/PATCH/DELETE /goals/{id};  POST /goals/{id}/move GoalMove -> GoalTree
#   POST /goals/{id}/history, /goals/{id}/restore -> GoalDetail
#   GET/PUT/DELETE /goals/{id}/picture (PictureIn -> GoalDetail)
#   GET  /activities -> list[ActivitySummary];  POST /activities ActivityCreate
#   GET/PATCH/DELETE /activities/{id};  POST /activities/{id}/move ActivityMove -> GoalTree
#   POST /comments CommentCreate -> Comment;  PATCH/DELETE /comments/{id}
