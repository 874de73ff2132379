"""A plan's calendar (kalender): entries with a day or a span, all-day or with times."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import Field

from sampro_contract.common import Model, Request
from sampro_contract.participants import ParticipantRef


class CalendarEventIn(Request):
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


class CalendarEventUpdate(Request):
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


# The routes, for reference (all under API_PREFIX):
#   GET  /plans/{id}/events ?from_date&to_date&q&limit -> list[CalendarEvent]
#   POST /plans/{id}/events CalendarEventIn -> CalendarEvent (201)
#   GET/PATCH/DELETE /plans/{id}/events/{eid}
