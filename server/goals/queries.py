"""Finding goals, activities and the participants' names inside one plan's scope.

The lookups that the goal, activity, comment, ordering and picture rules share; each
starts from the scope, so an id from another plan is simply not found.
"""

from __future__ import annotations

from datetime import datetime

from server.access.scope import PlanScope
from server.errors import ApiError, not_found, validation
from server.goals.models import Activity, Comment, Goal
from server.timeline.events import EventKind, raise_event


def mark_content_changed(scope: PlanScope, now: datetime) -> None:
    """Stamp the plan as changed, which the plan list shows and its cache keys on."""
    scope.plan.content_changed_at = now


def mark_changed(scope: PlanScope, now: datetime, row: Goal | Activity) -> None:
    """A goal or activity was changed: a new version, and the plan stamped changed."""
    row.version += 1
    row.updated_at = now
    mark_content_changed(scope, now)


def add_new(
    scope: PlanScope,
    now: datetime,
    row: Goal | Activity | Comment,
    kind: EventKind,
    object_type: str,
) -> None:
    """Insert a new goal, activity or comment, stamp the plan changed and tell the timeline."""
    scope.db.add(row)
    scope.db.flush()
    mark_content_changed(scope, now)
    raise_event(scope.db, scope.plan_id, kind, object_type, row.id, scope.participant.id, now)


def in_history() -> ApiError:
    return ApiError(409, "in_history", "The goal is in history; restore it to change it")


def get_goal(scope: PlanScope, goal_id: int) -> Goal:
    return scope.get(Goal, goal_id, "No such goal")


def get_activity(scope: PlanScope, activity_id: int) -> Activity:
    return scope.get(Activity, activity_id, "No such activity")


def goal_of(scope: PlanScope, activity: Activity) -> Goal:
    """The goal an activity is under (always in the same plan)."""
    return scope.get(Goal, activity.goal_id, "No such goal")


def active_goal(scope: PlanScope, goal_id: int, field: str | None = None) -> Goal:
    """A goal of this plan that is not in history (writes go only to those).

    With `field`, the id came in a request body: a missing goal is then a 422 naming that
    field rather than a 404 of the path.
    """
    goal = scope.db.scalars(scope.select(Goal).where(Goal.id == goal_id)).one_or_none()
    if goal is None:
        if field:
            raise validation(field, "no such goal in this plan", type="no_such_goal")
        raise not_found("No such goal")
    if goal.in_history:
        raise in_history()
    return goal
