"""The detail answers of a goal and of an activity, each with its comments."""

from __future__ import annotations

from sampro_contract import ActivityDetail, ActivityStatus, GoalDetail
from server.access.scope import PlanScope
from server.goals.comments import comments_on
from server.goals.models import Activity, Goal
from server.participants.names import participant_names


def goal_detail(scope: PlanScope, goal: Goal) -> GoalDetail:
    names = participant_names(scope)
    return GoalDetail(
        id=goal.id,
        title=goal.title,
        registered_on=goal.registered_on,
        progress=goal.progress,
        description=goal.description,
        position=goal.position,
        in_history=goal.in_history,
        moved_to_history_at=goal.moved_to_history_at,
        has_picture=goal.picture_type is not None,
        picture_type=goal.picture_type,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
        version=goal.version,
        comments=comments_on(scope, names, goal_id=goal.id, activity_id=None),
    )


def activity_detail(scope: PlanScope, act: Activity) -> ActivityDetail:
    names = participant_names(scope)
    responsible = act.responsible_participant_id
    return ActivityDetail(
        id=act.id,
        goal_id=act.goal_id,
        title=act.title,
        date=act.activity_date,
        status=ActivityStatus(act.status),
        when=act.when,
        responsible_participant_id=responsible,
        responsible_name=names.get(responsible) if responsible else None,
        description=act.description,
        position=act.position,
        created_at=act.created_at,
        updated_at=act.updated_at,
        version=act.version,
        comments=comments_on(scope, names, goal_id=act.goal_id, activity_id=act.id),
    )
