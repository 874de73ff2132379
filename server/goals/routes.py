"""The HTTP routes of goals, activities, goal pictures and comments (Mål og aktiviteter).

Each route names its area and need in its scope; the rules are in `service`, `ordering`,
`pictures` and `comments`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sampro_contract import (
    ActivityCreate,
    ActivityDetail,
    ActivityMove,
    ActivitySummary,
    ActivityUpdate,
    CommentCreate,
    CommentUpdate,
    GoalCreate,
    GoalDetail,
    GoalMove,
    GoalSection,
    GoalTree,
    GoalUpdate,
    Picture,
    PictureIn,
)
from sampro_contract import Comment as CommentOut
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.goals import comments, ordering, pictures, service
from server.goals.tree import tree_json

router = APIRouter(prefix="/plans/{plan_id}", tags=["goals and activities"])

# Routes with a path parameter of their own also take `plan_id` first, unused: the OpenAPI
# document lists a route's own path parameters before its dependencies', and this keeps
# them in the document's order (plan_id, then the object's id).
GoalsRead = Annotated[PlanScope, Depends(plan_scope(Area.GOALS, Need.READ))]
GoalsWrite = Annotated[PlanScope, Depends(plan_scope(Area.GOALS, Need.WRITE))]
ActivitiesRead = Annotated[PlanScope, Depends(plan_scope(Area.ACTIVITIES, Need.READ))]
ActivitiesWrite = Annotated[PlanScope, Depends(plan_scope(Area.ACTIVITIES, Need.WRITE))]
# A comment is under the right of what it is on, which only the body or the comment row
# tells: the scope opens the plan, and `comments` checks that right.
Commenting = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ))]
# Editing one's own comment is a write the read right allows: it takes the plan's write
# lock, so the version check cannot interleave with another edit.
OwnComment = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ, lock=True))]


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


# --- goals --------------------------------------------------------------------------------


@router.get("/goals", response_model=GoalTree)
def list_goals(
    scope: GoalsRead,
    a: Auth,
    section: Annotated[GoalSection, Query()] = GoalSection.ACTIVE,
) -> Response:
    """The goal tree: goals in their order with their activities (when readable)."""
    return _json(service.read_tree(scope, a, section))


@router.post("/goals", status_code=201)
def create_goal(scope: GoalsWrite, body: GoalCreate, a: Auth) -> GoalDetail:
    return service.create_goal(scope, a, body)


@router.get("/goals/{goal_id}")
def get_goal_detail(plan_id: int, scope: GoalsRead, goal_id: int, a: Auth) -> GoalDetail:
    """A goal's details with its comments."""
    return service.read_goal(scope, a, goal_id)


@router.patch("/goals/{goal_id}")
def update_goal(
    plan_id: int, scope: GoalsWrite, goal_id: int, body: GoalUpdate, a: Auth
) -> GoalDetail:
    return service.update_goal(scope, a, goal_id, body)


@router.delete("/goals/{goal_id}", status_code=204)
def delete_goal(plan_id: int, scope: GoalsWrite, goal_id: int, a: Auth) -> Response:
    """Deletes the goal with its activities, comments and picture; cannot be undone."""
    service.delete_goal(scope, a, goal_id)
    return Response(status_code=204)


@router.post("/goals/{goal_id}/move", response_model=GoalTree)
def move_goal(plan_id: int, scope: GoalsWrite, goal_id: int, body: GoalMove, a: Auth) -> Response:
    """Put an active goal at a place in the order (the coordinator)."""
    ordering.move_goal(scope, a, goal_id, body)
    return _json(tree_json(scope, GoalSection.ACTIVE))


@router.post("/goals/{goal_id}/history")
def move_goal_to_history(plan_id: int, scope: GoalsWrite, goal_id: int, a: Auth) -> GoalDetail:
    """Move a goal, with its activities and comments, to history (historikk)."""
    return service.move_to_history(scope, a, goal_id)


@router.post("/goals/{goal_id}/restore")
def restore_goal(plan_id: int, scope: GoalsWrite, goal_id: int, a: Auth) -> GoalDetail:
    """Bring a goal back from history to the end of the active plan (the coordinator)."""
    return service.restore(scope, a, goal_id)


# --- pictures -----------------------------------------------------------------------------


@router.put("/goals/{goal_id}/picture")
def put_picture(
    plan_id: int, scope: GoalsWrite, goal_id: int, body: PictureIn, a: Auth
) -> GoalDetail:
    """Set the goal's picture: JPEG, PNG or GIF, at most 2 MB."""
    return pictures.set_picture(scope, a, goal_id, body)


@router.get("/goals/{goal_id}/picture")
def get_picture(plan_id: int, scope: GoalsRead, goal_id: int, a: Auth) -> Picture:
    return pictures.read_picture(scope, a, goal_id)


@router.delete("/goals/{goal_id}/picture")
def delete_picture(
    plan_id: int,
    scope: GoalsWrite,
    goal_id: int,
    version: Annotated[int, Query(description="The goal's version as the caller read it")],
    a: Auth,
) -> GoalDetail:
    """Remove the goal's picture; a stale `version` (someone just set another) is refused."""
    return pictures.remove_picture(scope, a, goal_id, version)


# --- activities ---------------------------------------------------------------------------


@router.get("/activities")
def list_activities(scope: ActivitiesRead, a: Auth) -> list[ActivitySummary]:
    """Every activity under the active goals, by goal order then their own order."""
    return service.list_activities(scope, a)


@router.post("/activities", status_code=201)
def create_activity(scope: ActivitiesWrite, body: ActivityCreate, a: Auth) -> ActivityDetail:
    return service.create_activity(scope, a, body)


@router.get("/activities/{activity_id}")
def get_activity_detail(
    plan_id: int, scope: ActivitiesRead, activity_id: int, a: Auth
) -> ActivityDetail:
    return service.read_activity(scope, a, activity_id)


@router.patch("/activities/{activity_id}")
def update_activity(
    plan_id: int, scope: ActivitiesWrite, activity_id: int, body: ActivityUpdate, a: Auth
) -> ActivityDetail:
    return service.update_activity(scope, a, activity_id, body)


@router.delete("/activities/{activity_id}", status_code=204)
def delete_activity(plan_id: int, scope: ActivitiesWrite, activity_id: int, a: Auth) -> Response:
    """Deletes the activity with its comments; cannot be undone."""
    service.delete_activity(scope, a, activity_id)
    return Response(status_code=204)


@router.post("/activities/{activity_id}/move", response_model=GoalTree)
def move_activity(
    plan_id: int, scope: ActivitiesWrite, activity_id: int, body: ActivityMove, a: Auth
) -> Response:
    """Move an activity up or down, or under another goal (the coordinator)."""
    ordering.move_activity(scope, a, activity_id, body)
    return _json(tree_json(scope, GoalSection.ACTIVE))


# --- comments -----------------------------------------------------------------------------


@router.post("/comments", status_code=201)
def create_comment(scope: Commenting, body: CommentCreate, a: Auth) -> CommentOut:
    """Comment on a goal or an activity: anyone who may read it, while the plan is open."""
    return comments.create(scope, a, body)


@router.patch("/comments/{comment_id}")
def update_comment(
    plan_id: int, scope: OwnComment, comment_id: int, body: CommentUpdate, a: Auth
) -> CommentOut:
    return comments.update_own(scope, a, comment_id, body)


@router.delete("/comments/{comment_id}", status_code=204)
def delete_comment(plan_id: int, scope: OwnComment, comment_id: int, a: Auth) -> Response:
    comments.delete_own(scope, a, comment_id)
    return Response(status_code=204)
