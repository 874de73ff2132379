"""The order of goals and of the activities under each goal: positions, renumbering, moves.

The stored `position` is the order everyone sees. The coordinator orders goals and moves
activities; every change renumbers the whole list inside the plan's write lock (taken by
the scope of a write), so concurrent moves always leave positions 0..n-1 with no duplicates.
"""

from __future__ import annotations

from sqlalchemy import func, update

from sampro_contract import ActivityMove, GoalMove
from server.access.scope import PlanScope
from server.deps import Authenticated
from server.errors import forbidden
from server.goals import comments
from server.goals.models import Activity, Goal
from server.goals.queries import active_goal, get_activity, mark_content_changed
from server.log import service as audit


def require_coordinator(scope: PlanScope) -> None:
    if not scope.is_coordinator:
        raise forbidden("Only the coordinator orders goals and moves activities")


def renumber(scope: PlanScope, model: type[Goal] | type[Activity], ids: list[int]) -> None:
    """Store positions 0..n-1 in the given order, writing only the rows that moved."""
    current = dict(
        scope.db.execute(
            scope.select(model).with_only_columns(model.id, model.position).where(model.id.in_(ids))
        ).all()
    )
    for index, row_id in enumerate(ids):
        if current.get(row_id) != index:
            scope.db.execute(
                update(model)
                .where(model.plan_id == scope.plan_id, model.id == row_id)
                .values(position=index)
            )


def active_goal_ids(scope: PlanScope) -> list[int]:
    """The active goals in their order."""
    return list(
        scope.db.scalars(
            scope.select(Goal)
            .with_only_columns(Goal.id)
            .where(Goal.in_history.is_(False))
            .order_by(Goal.position, Goal.id)
        ).all()
    )


def activity_ids(scope: PlanScope, goal_id: int) -> list[int]:
    """The activities under a goal in their order."""
    return list(
        scope.db.scalars(
            scope.select(Activity)
            .with_only_columns(Activity.id)
            .where(Activity.goal_id == goal_id)
            .order_by(Activity.position, Activity.id)
        ).all()
    )


def next_goal_position(scope: PlanScope) -> int:
    """Where a new goal goes: after the last active one."""
    last = scope.db.scalar(
        scope.select(Goal)
        .with_only_columns(func.max(Goal.position))
        .where(Goal.in_history.is_(False))
    )
    return 0 if last is None else last + 1


def next_activity_position(scope: PlanScope, goal_id: int) -> int:
    """Where a new activity goes: after the goal's last one."""
    last = scope.db.scalar(
        scope.select(Activity)
        .with_only_columns(func.max(Activity.position))
        .where(Activity.goal_id == goal_id)
    )
    return 0 if last is None else last + 1


def move_goal(scope: PlanScope, a: Authenticated, goal_id: int, body: GoalMove) -> None:
    """Put an active goal at a place in the order (the coordinator)."""
    require_coordinator(scope)
    goal = active_goal(scope, goal_id)
    ids = [i for i in active_goal_ids(scope) if i != goal.id]
    ids.insert(min(body.position, len(ids)), goal.id)
    renumber(scope, Goal, ids)
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "move", "goal", goal.id, {"position": ids.index(goal.id)})
    scope.db.commit()
    scope.db.expire_all()


def move_activity(scope: PlanScope, a: Authenticated, activity_id: int, body: ActivityMove) -> None:
    """Move an activity up or down, or under another goal (the coordinator)."""
    require_coordinator(scope)
    act = get_activity(scope, activity_id)
    source = active_goal(scope, act.goal_id)
    target = (
        source
        if body.goal_id in (None, source.id)
        else active_goal(scope, body.goal_id or 0, "goal_id")
    )
    ids = [i for i in activity_ids(scope, target.id) if i != act.id]
    ids.insert(min(body.position, len(ids)), act.id)
    if target.id != source.id:
        # No version bump: a move is positional and overwrites no text (DESIGN-NOTES), so
        # someone editing the activity's text meanwhile can still save it.
        act.goal_id = target.id
        act.updated_at = a.now
        comments.follow_activity(scope, act.id, target.id)
        scope.db.flush()
        renumber(scope, Activity, activity_ids(scope, source.id))
    renumber(scope, Activity, ids)
    mark_content_changed(scope, a.now)
    audit.record_in_plan(
        scope,
        a,
        "move",
        "activity",
        act.id,
        {"goal_id": target.id, "from_goal_id": source.id, "position": ids.index(act.id)},
    )
    scope.db.commit()
    scope.db.expire_all()
