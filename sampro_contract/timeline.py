"""A plan's timeline (tidslinje): what happened and what is coming, newest first, paged."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sampro_contract.common import Model


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


# The route, for reference (under API_PREFIX):
#   GET  /plans/{id}/timeline ?cursor&before&limit -> Timeline
