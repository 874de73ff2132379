"""Notifications (varslinger): how a participant wants to hear of new things in a plan."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Request


class NotifyChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationPrefs(Request):
    """How I want to hear of new things in one plan (varslinger), per kind."""

    new_message: list[NotifyChannel] = Field(default_factory=list)
    new_goal_or_activity: list[NotifyChannel] = Field(default_factory=list)
    new_comment: list[NotifyChannel] = Field(default_factory=list)
    new_calendar_entry: list[NotifyChannel] = Field(default_factory=list)
    new_participant: list[NotifyChannel] = Field(default_factory=list)


# The routes, for reference (under API_PREFIX):
#   GET/PUT /plans/{id}/notifications -> NotificationPrefs (my own, in this plan)
