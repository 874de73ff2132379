"""Comments (kommentarer) on goals and activities: who may write them, and how they read.

A comment is under the right of what it is on, and reading that is enough to comment,
while the plan is open and the goal is not in history. Only the author edits or deletes
a comment. `goal_id` is set on both kinds, so a goal's history move and deletion reach
every comment under it.
"""

from __future__ import annotations

from sqlalchemy import delete, update

from sampro_contract import Comment as CommentOut
from sampro_contract import CommentCreate, CommentUpdate
from server.access.policy import Area, Need
from server.access.scope import PlanScope, check_version
from server.deps import Authenticated
from server.errors import ApiError, forbidden, validation
from server.goals.models import Activity, Comment
from server.goals.queries import (
    active_goal,
    add_new,
    get_goal,
    in_history,
    mark_content_changed,
)
from server.log import service as audit
from server.participants.names import participant_names
from server.timeline.events import EventKind


def area_of(activity_id: int | None) -> Area:
    """The area whose right a comment is under: its activity's, or else its goal's."""
    return Area.GOALS if activity_id is None else Area.ACTIVITIES


def _object_type(c: Comment) -> str:
    return "goal_comment" if c.activity_id is None else "activity_comment"


def require_open(scope: PlanScope) -> None:
    # Commenting needs only the read right, which a closed plan still grants: the write
    # that a comment is has to be refused here.
    if scope.plan.closed_at is not None:
        raise ApiError(409, "plan_closed", "The plan is closed; it can only be read")


def comments_on(
    scope: PlanScope, names: dict[int, str], *, goal_id: int, activity_id: int | None
) -> list[CommentOut]:
    """The comments on a goal (`activity_id=None`) or on one of its activities, oldest first."""
    rows = scope.db.execute(
        scope.select(Comment)
        .with_only_columns(
            Comment.id,
            Comment.author_participant_id,
            Comment.body,
            Comment.created_at,
            Comment.edited_at,
            Comment.version,
        )
        .where(
            Comment.goal_id == goal_id,
            Comment.activity_id.is_(None)
            if activity_id is None
            else Comment.activity_id == activity_id,
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    me = scope.participant.id
    return [
        CommentOut.model_construct(
            id=cid,
            goal_id=goal_id if activity_id is None else None,
            activity_id=activity_id,
            author_participant_id=author,
            author_name=names.get(author, ""),
            body=body,
            created_at=created,
            edited_at=edited,
            mine=author == me,
            version=version,
        )
        for cid, author, body, created, edited, version in rows
    ]


def comment_out(scope: PlanScope, c: Comment) -> CommentOut:
    return CommentOut(
        id=c.id,
        goal_id=c.goal_id if c.activity_id is None else None,
        activity_id=c.activity_id,
        author_participant_id=c.author_participant_id,
        author_name=participant_names(scope).get(c.author_participant_id, ""),
        body=c.body,
        created_at=c.created_at,
        edited_at=c.edited_at,
        mine=c.author_participant_id == scope.participant.id,
        version=c.version,
    )


def check_target(body: CommentCreate) -> None:
    """A comment is on a goal or on an activity: exactly one of the two ids."""
    if (body.goal_id is None) == (body.activity_id is None):
        raise validation("goal_id", "give either goal_id or activity_id", type="one_of_two")


def create(scope: PlanScope, a: Authenticated, body: CommentCreate) -> CommentOut:
    """Comment on a goal or an activity: anyone who may read it, while the plan is open."""
    check_target(body)
    scope.require(area_of(body.activity_id), Need.READ)
    require_open(scope)
    if not body.body.strip():
        raise validation("body", "must not be blank", type="blank")
    if body.activity_id is not None:
        act = scope.db.scalars(
            scope.select(Activity).where(Activity.id == body.activity_id)
        ).one_or_none()
        if act is None:
            raise validation(
                "activity_id", "no such activity in this plan", type="no_such_activity"
            )
        goal = active_goal(scope, act.goal_id)
    else:
        goal = active_goal(scope, body.goal_id or 0, "goal_id")
    comment = Comment(
        plan_id=scope.plan_id,
        goal_id=goal.id,
        activity_id=body.activity_id,
        author_participant_id=scope.participant.id,
        body=body.body,
        created_at=a.now,
        version=1,
    )
    object_type = _object_type(comment)
    add_new(scope, a.now, comment, EventKind.NEW_COMMENT, object_type)
    audit.record_in_plan(
        scope, a, "create", object_type, comment.id, {"on": body.activity_id or goal.id}
    )
    scope.db.commit()
    return comment_out(scope, comment)


def _own_comment(scope: PlanScope, comment_id: int) -> Comment:
    """The caller's own comment, in an open plan, on something the caller may read.

    Reading is enough to comment, but an edit is still a write: the routes' scope takes
    the plan's write lock (`lock=True`), so the version check and the UPDATE cannot
    interleave with another edit of the same comment (PostgreSQL; SQLite serialises
    writers anyway).
    """
    comment = scope.get(Comment, comment_id, "No such comment")
    if not scope.can(area_of(comment.activity_id), Need.READ):
        raise forbidden()
    require_open(scope)
    if comment.author_participant_id != scope.participant.id:
        raise forbidden("Only the author edits or deletes a comment")
    if get_goal(scope, comment.goal_id).in_history:
        raise in_history()
    return comment


def update_own(
    scope: PlanScope, a: Authenticated, comment_id: int, body: CommentUpdate
) -> CommentOut:
    comment = _own_comment(scope, comment_id)
    check_version(comment.version, body.version)
    if not body.body.strip():
        raise validation("body", "must not be blank", type="blank")
    comment.body = body.body
    comment.edited_at = a.now
    comment.version += 1
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "update", _object_type(comment), comment.id)
    scope.db.commit()
    return comment_out(scope, comment)


def delete_own(scope: PlanScope, a: Authenticated, comment_id: int) -> None:
    comment = _own_comment(scope, comment_id)
    object_type = _object_type(comment)
    scope.db.delete(comment)
    mark_content_changed(scope, a.now)
    audit.record_in_plan(scope, a, "delete", object_type, comment_id)
    scope.db.commit()


def delete_on_goal(scope: PlanScope, goal_id: int) -> None:
    """Every comment under a goal, its activities' included (the goal is being deleted)."""
    scope.db.execute(
        delete(Comment).where(Comment.plan_id == scope.plan_id, Comment.goal_id == goal_id)
    )


def delete_on_activity(scope: PlanScope, activity_id: int) -> None:
    scope.db.execute(
        delete(Comment).where(Comment.plan_id == scope.plan_id, Comment.activity_id == activity_id)
    )


def follow_activity(scope: PlanScope, activity_id: int, goal_id: int) -> None:
    """An activity moved under another goal: its comments' `goal_id` follows it."""
    scope.db.execute(
        update(Comment)
        .where(Comment.plan_id == scope.plan_id, Comment.activity_id == activity_id)
        .values(goal_id=goal_id)
    )
