"""A participant's notification choices (varslinger) in a plan: stored, defaulted, changed."""

from __future__ import annotations

from typing import Any

from sampro_contract import NotificationPrefs, NotifyChannel
from server.access.scope import PlanScope
from server.accounts.models import UserAccount
from server.deps import Authenticated
from server.errors import ApiError
from server.log import service as audit
from server.participants.models import Participant


def default_channel(user: UserAccount) -> NotifyChannel:
    if user.channel in (NotifyChannel.SMS, NotifyChannel.EMAIL):
        return NotifyChannel(user.channel)
    return NotifyChannel.EMAIL if user.person.email else NotifyChannel.SMS


def effective_prefs(p: Participant, user: UserAccount | None) -> NotificationPrefs:
    """The stored choice, or until one is made: new messages to me on my login channel."""
    stored: dict[str, Any] = p.notifications or {}
    if stored:
        return NotificationPrefs.model_validate(stored)
    if user is None:
        return NotificationPrefs()
    return NotificationPrefs(new_message=[default_channel(user)])


def set_my_prefs(
    scope: PlanScope, a: Authenticated, wanted: NotificationPrefs
) -> NotificationPrefs:
    """Store my choice on my participant card (each channel once, in order); logged."""
    # One's own card is written under the home's read right, so the closed plan is
    # checked here rather than by a write need.
    if scope.plan.closed_at is not None:
        raise ApiError(409, "plan_closed", "The plan is closed; it can only be read")
    clean = NotificationPrefs.model_validate(
        {k: sorted(set(v)) for k, v in wanted.model_dump(mode="json").items()}
    )
    scope.participant.notifications = clean.model_dump(mode="json")
    scope.participant.version += 1
    audit.record_in_plan(
        scope,
        a,
        "notifications_changed",
        "participant",
        scope.participant.id,
        clean.model_dump(mode="json"),
    )
    scope.db.commit()
    return clean
