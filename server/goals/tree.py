"""The goal tree (målhierarki): the goals of a section in their order, with their activities
and comment counts, built for a plan of thousands of activities."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import String, func, type_coerce

from sampro_contract import GoalSection, GoalTree
from server.access.policy import Area, Need
from server.access.scope import PlanScope
from server.goals.models import Activity, Comment, Goal
from server.participants.names import participant_names

_TREE = TypeAdapter(GoalTree)
# Core columns for the tree's big queries: rows without ORM loading.
_act = Activity.__table__.c
_goals = Goal.__table__.c
_comments = Comment.__table__.c


def tree_json(scope: PlanScope, section: GoalSection) -> bytes:
    """The tree as JSON: validated and serialised once, in pydantic's core."""
    return _TREE.dump_json(goal_tree(scope, section))


def _comment_counts(scope: PlanScope, history: bool) -> dict[tuple[int, int | None], int]:
    """How many comments each goal (activity None) and each activity has, in one query."""
    rows = (
        scope.db.connection()
        .execute(
            scope.select(Comment)
            .with_only_columns(_comments.goal_id, _comments.activity_id, func.count())
            .join(Goal.__table__, _goals.id == _comments.goal_id)
            .where(_goals.in_history.is_(history))
            .group_by(_comments.goal_id, _comments.activity_id)
        )
        .all()
    )
    return {(goal_id, activity_id): n for goal_id, activity_id, n in rows}


def _activities_by_goal(
    scope: PlanScope, history: bool, counts: dict[tuple[int, int | None], int]
) -> dict[int, list[dict[str, Any]]]:
    names = participant_names(scope)
    by_goal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        scope.db.connection()
        .execute(
            scope.select(Activity)
            .with_only_columns(
                _act.id,
                _act.goal_id,
                _act.title,
                # Left as text: pydantic reads ISO dates faster than a Python converter.
                type_coerce(_act.activity_date, String),
                _act.status,
                _act.when,
                _act.responsible_participant_id,
                _act.position,
                _act.version,
            )
            .join(Goal.__table__, _goals.id == _act.goal_id)
            .where(_goals.in_history.is_(history))
            .order_by(_act.goal_id, _act.position, _act.id)
        )
        .all()
    )
    for aid, goal_id, title, day, status, when, responsible, position, version in rows:
        by_goal[goal_id].append(
            {
                "id": aid,
                "goal_id": goal_id,
                "title": title,
                "date": day,
                "status": status,
                "when": when,
                "responsible_participant_id": responsible,
                "responsible_name": names.get(responsible) if responsible else None,
                "position": position,
                "comment_count": counts.get((goal_id, aid), 0),
                "version": version,
            }
        )
    return by_goal


def goal_tree(scope: PlanScope, section: GoalSection) -> GoalTree:
    """The tree in two queries plus one of comment counts; no ORM objects, and plain dicts
    validated in one pass (a plan may have thousands of activities)."""
    history = section == GoalSection.HISTORY
    goal_rows = scope.db.execute(
        scope.select(Goal)
        .with_only_columns(
            Goal.id,
            Goal.title,
            Goal.registered_on,
            Goal.progress,
            Goal.position,
            Goal.moved_to_history_at,
            Goal.picture_type,
            Goal.version,
        )
        .where(Goal.in_history.is_(history))
        .order_by(
            *(
                (Goal.moved_to_history_at.desc(), Goal.id.desc())
                if history
                else (Goal.position, Goal.id)
            )
        )
    ).all()
    show_activities = scope.can(Area.ACTIVITIES, Need.READ)
    counts = _comment_counts(scope, history)
    by_goal = _activities_by_goal(scope, history, counts) if show_activities else {}
    goals = [
        {
            "id": gid,
            "title": title,
            "registered_on": registered,
            "progress": progress,
            "position": position,
            "in_history": history,
            "moved_to_history_at": moved,
            "has_picture": picture is not None,
            "comment_count": counts.get((gid, None), 0),
            "version": version,
            "activities": by_goal.get(gid, []),
        }
        for gid, title, registered, progress, position, moved, picture, version in goal_rows
    ]
    return _TREE.validate_python(
        {
            "section": section,
            "goals": goals,
            "activities_visible": show_activities,
            "can_write_goals": scope.can(Area.GOALS, Need.WRITE),
            "can_write_activities": scope.can(Area.ACTIVITIES, Need.WRITE),
            "can_order": scope.is_coordinator and scope.plan.closed_at is None,
        }
    )
