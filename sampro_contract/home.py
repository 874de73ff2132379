"""A plan's home page feed: the next calendar entries, the latest messages, recent visitors."""

from __future__ import annotations

from datetime import datetime

from sampro_contract.calendar import CalendarEvent
from sampro_contract.common import Model, PlanRole
from sampro_contract.messages import MessageListItem


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


# The route, for reference (under API_PREFIX):
#   GET  /plans/{id}/home-feed -> HomeFeed
