"""Goals and activities (mål og aktiviteter): the rules of writing them, and their reads.

Goals are under the goals right and activities under the activities right (the routes'
scopes say which); where a write reaches the other area too (deleting a goal deletes its
activities) the second right is checked here. History (historikk) is read-only: a goal
there, and everything under it, changes only after it is restored.
"""

from __future__ import annotations

from sqlalchemy import delete, func

from sampro_contract import (
    ActivityCreate,
    ActivityDetail,
    ActivityStatus,
    ActivitySummary,
    ActivityUpdate,
    GoalCreate,
    GoalDetail,
    GoalSection,
    GoalUpdate,
)
from server.access.policy import Area, Need, consent_valid
from server.access.scope import PlanScope, check_version
from server.deps import Authenticated
from server.errors import ApiError, forbidden, validation
from server.goals import comments, ordering, pictures
from server.goals.details import activity_detail, goal_detail
from server.goals.models import Activity, Comment, Goal
from server.goals.queries import (
    active_goal,
    add_new,
    get_activity,
    get_goal,
    goal_of,
    in_history,
    mark_changed,
    mark_content_changed,
)
from server.goals.tree import tree_json
from server.log import service as audit
from server.participants.models import Participant
from server.participants.names import participant_names
from server.timeline.events import EventKind

# --- goals --------------------------------------------------------------------------------


def read_tree(scope: PlanScope, a: Authenticated, section: GoalSection) -> bytes:
    """The goal tree as JSON, and its reading logged per area shown."""
    tree = tree_json(scope, section)
    audit.record_in_plan(scope, a, "read", "goal", detail={"section": section.value})
    if scope.can(Area.ACTIVITIES, Need.READ):
        audit.record_in_plan(scope, a, "read", "activity", detail={"section": section.value})
    scope.db.commit()
    return tree


def create_goal(scope: PlanScope, a: Authenticated, body: GoalCreate) -> GoalDetail:
    if not body.title.strip():
        raise validation("title", "must not be blank", type="blank")
    goal = Goal(
        plan_id=scope.plan_id,
        title=body.title.strip(),
        registered_on=body.registered_on,
        progress=body.progress,
        description=body.description,
        position=ordering.next_goal_position(scope),
        in_history=False,
        created_by_participant_id=scope.participant.id,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    add_new(scope, a.now, goal, EventKind.NEW_GOAL_OR_ACTIVITY, "goal")
    audit.record_in_plan(scope, a, "create", "goal", goal.id, {"title": goal.title})
    scope.db.commit()
    return goal_detail(scope, goal)


def read_goal(scope: PlanScope, a: Authenticated, goal_id: int) -> GoalDetail:
    """A goal's details with its comments."""
    detail = goal_detail(scope, get_goal(scope, goal_id))
    audit.record_in_plan(scope, a, "read", "goal", goal_id)
    scope.db.commit()
    return detail


def update_goal(scope: PlanScope, a: Authenticated, goal_id: int, body: GoalUpdate) -> GoalDetail:
    goal = get_goal(scope, goal_id)
    check_version(goal.version, body.version)
    if goal.in_history:
        raise in_history()
    fields = body.model_dump(exclude_unset=True, exclude={"version"})
    if "title" in fields:
        if body.title is None or not body.title.strip():
            raise validation("title", "must not be blank", type="blank")
        fields["title"] = body.title.strip()
    if "registered_on" in fields and body.registered_on is None:
        raise validation("registered_on", "is required", type="required")
    for key in ("progress", "description"):
        if key in fields and fields[key] is None:
            del fields[key]
    for key, value in fields.items():
        setattr(goal, key, value)
    mark_changed(scope, a.now, goal)
    audit.record_in_plan(scope, a, "update", "goal", goal.id, {"fields": sorted(fields)})
    scope.db.commit()
    return goal_detail(scope, goal)


def delete_goal(scope: PlanScope, a: Authenticated, goal_id: int) -> None:
    """Deletes the goal with its activities, comments and picture; cannot be undone."""
    goal = get_goal(scope, goal_id)
    if goal.in_history:  # history is read-only, deleting included: restore it first
        raise in_history()
    n_activities = (
        scope.db.scalar(
            scope.select(Activity)
            .with_only_columns(func.count())
            .where(Activity.goal_id == goal.id)
        )
        or 0
    )
    if n_activities and not scope.can(Area.ACTIVITIES, Need.WRITE):
        raise forbidden("The goal has activities; deleting them needs the activities right")
    comments.delete_on_goal(scope, goal.id)
    scope.db.execute(
        delete(Activity).where(Activity.plan_id == scope.plan_id, Activity.goal_id == goal.id)
    )
    pictures.delete_of(scope, goal.id)
    title = goal.title
    scope.db.delete(goal)
    scope.db.flush()
    ordering.renumber(scope, Goal, ordering.active_goal_ids(scope))
    mark_content_changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "goal", goal_id, {"title": title, "activities": n_activities}
    )
    scope.db.commit()


def move_to_history(scope: PlanScope, a: Authenticated, goal_id: int) -> GoalDetail:
    """Move a goal, with its activities and comments, to history (historikk)."""
    goal = active_goal(scope, goal_id)
    goal.in_history = True
    goal.moved_to_history_at = a.now
    goal.version += 1
    goal.updated_at = a.now
    scope.db.flush()
    ordering.renumber(scope, Goal, ordering.active_goal_ids(scope))
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "to_history", "goal", goal.id)
    scope.db.commit()
    return goal_detail(scope, goal)


def restore(scope: PlanScope, a: Authenticated, goal_id: int) -> GoalDetail:
    """Bring a goal back from history to the end of the active plan (the coordinator)."""
    ordering.require_coordinator(scope)
    goal = get_goal(scope, goal_id)
    if not goal.in_history:
        raise ApiError(409, "not_in_history", "The goal is not in history")
    goal.in_history = False
    goal.moved_to_history_at = None
    goal.position = len(ordering.active_goal_ids(scope))
    mark_changed(scope, a.now, goal)
    audit.record_in_plan(scope, a, "restore", "goal", goal.id)
    scope.db.commit()
    return goal_detail(scope, goal)


# --- activities ---------------------------------------------------------------------------


def check_responsible(scope: PlanScope, participant_id: int | None) -> None:
    """A responsible participant takes part in the plan now: not removed, consent valid."""
    if participant_id is None:
        return
    found = scope.db.scalars(
        scope.select(Participant).where(Participant.id == participant_id)
    ).one_or_none()
    field = "responsible_participant_id"
    if found is None:
        raise validation(field, "not a participant of this plan", type="not_a_participant")
    if found.removed_at is not None:
        raise validation(
            field,
            "this person has been removed from the plan and cannot be responsible",
            type="participant_removed",
        )
    if not consent_valid(found, scope.today):
        raise validation(
            field,
            "this participant's consent has expired; they cannot be made responsible "
            "until the coordinator renews it",
            type="consent_expired",
        )


def list_activities(scope: PlanScope, a: Authenticated) -> list[ActivitySummary]:
    """Every activity under the active goals, by goal order then their own order."""
    names = participant_names(scope)
    counts = dict(
        scope.db.execute(
            scope.select(Comment)
            .with_only_columns(Comment.activity_id, func.count())
            .where(Comment.activity_id.is_not(None))
            .group_by(Comment.activity_id)
        ).all()
    )
    rows = scope.db.scalars(
        scope.select(Activity)
        .join(Goal, Goal.id == Activity.goal_id)
        .where(Goal.in_history.is_(False))
        .order_by(Goal.position, Goal.id, Activity.position, Activity.id)
    ).all()
    audit.record_in_plan(scope, a, "read", "activity")
    scope.db.commit()
    return [
        ActivitySummary(
            id=x.id,
            goal_id=x.goal_id,
            title=x.title,
            date=x.activity_date,
            status=ActivityStatus(x.status),
            when=x.when,
            responsible_participant_id=x.responsible_participant_id,
            responsible_name=names.get(x.responsible_participant_id)
            if x.responsible_participant_id
            else None,
            position=x.position,
            comment_count=counts.get(x.id, 0),
            version=x.version,
        )
        for x in rows
    ]


def create_activity(scope: PlanScope, a: Authenticated, body: ActivityCreate) -> ActivityDetail:
    if not body.title.strip():
        raise validation("title", "must not be blank", type="blank")
    goal = active_goal(scope, body.goal_id, "goal_id")
    check_responsible(scope, body.responsible_participant_id)
    act = Activity(
        plan_id=scope.plan_id,
        goal_id=goal.id,
        title=body.title.strip(),
        activity_date=body.date,
        status=body.status.value,
        when=body.when,
        responsible_participant_id=body.responsible_participant_id,
        description=body.description,
        position=ordering.next_activity_position(scope, goal.id),
        created_by_participant_id=scope.participant.id,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    add_new(scope, a.now, act, EventKind.NEW_GOAL_OR_ACTIVITY, "activity")
    audit.record_in_plan(
        scope, a, "create", "activity", act.id, {"title": act.title, "goal_id": goal.id}
    )
    scope.db.commit()
    return activity_detail(scope, act)


def read_activity(scope: PlanScope, a: Authenticated, activity_id: int) -> ActivityDetail:
    detail = activity_detail(scope, get_activity(scope, activity_id))
    audit.record_in_plan(scope, a, "read", "activity", activity_id)
    scope.db.commit()
    return detail


def update_activity(
    scope: PlanScope, a: Authenticated, activity_id: int, body: ActivityUpdate
) -> ActivityDetail:
    act = get_activity(scope, activity_id)
    check_version(act.version, body.version)
    if goal_of(scope, act).in_history:
        raise in_history()
    fields = body.model_dump(exclude_unset=True, exclude={"version", "clear_responsible"})
    if "title" in fields:
        if body.title is None or not body.title.strip():
            raise validation("title", "must not be blank", type="blank")
        act.title = body.title.strip()
    if "date" in fields:
        if body.date is None:
            raise validation("date", "is required", type="required")
        act.activity_date = body.date
    if body.status is not None:
        act.status = body.status.value
    if body.when is not None:
        act.when = body.when
    if body.description is not None:
        act.description = body.description
    if body.clear_responsible:
        act.responsible_participant_id = None
    elif body.responsible_participant_id not in (None, act.responsible_participant_id):
        # Only a change is checked: saving other fields keeps whoever is responsible,
        # even one whose consent has run out since (the plan shows it; nothing is lost).
        check_responsible(scope, body.responsible_participant_id)
        act.responsible_participant_id = body.responsible_participant_id
    mark_changed(scope, a.now, act)
    audit.record_in_plan(scope, a, "update", "activity", act.id, {"fields": sorted(fields)})
    scope.db.commit()
    return activity_detail(scope, act)


def delete_activity(scope: PlanScope, a: Authenticated, activity_id: int) -> None:
    """Deletes the activity with its comments; cannot be undone."""
    act = get_activity(scope, activity_id)
    if goal_of(scope, act).in_history:
        raise in_history()
    goal_id, title = act.goal_id, act.title
    comments.delete_on_activity(scope, act.id)
    scope.db.delete(act)
    scope.db.flush()
    ordering.renumber(scope, Activity, ordering.activity_ids(scope, goal_id))
    mark_content_changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "activity", activity_id, {"title": title, "goal_id": goal_id}
    )
    scope.db.commit()
