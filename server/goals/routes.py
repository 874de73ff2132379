"""Goals and activities (Mål og aktiviteter): the tree, ordering, history, pictures, comments.

Goals are under the goals right and activities under the activities right; a comment is
under the right of what it is on (read suffices to comment). The coordinator orders goals
and moves activities; the stored `position` is the order everyone sees. Moves renumber
the whole list inside the plan's write lock (see `open_plan`), so concurrent moves always
leave positions 0..n-1 with no duplicates.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter
from sqlalchemy import String, delete, func, select, type_coerce, update
from sqlalchemy.orm import Session

from sampro_contract import (
    MAX_PICTURE_BYTES,
    ActivityCreate,
    ActivityDetail,
    ActivityMove,
    ActivityStatus,
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
from sampro_contract.pictures import looks_like_picture, picture_type
from server.access.policy import Area, Need, consent_valid
from server.access.scope import PlanScope, check_version, open_plan
from server.accounts.models import Person
from server.deps import Auth, Authenticated, WriteDb
from server.errors import ApiError, forbidden, not_found, validation
from server.goals.models import Activity, Comment, Goal, GoalPicture
from server.log import service as audit
from server.participants.models import Participant
from server.timeline.events import EventKind, raise_event

router = APIRouter(prefix="/plans/{plan_id}", tags=["goals and activities"])


# --- helpers ------------------------------------------------------------------------------


def participant_names(scope: PlanScope) -> dict[int, str]:
    """Every participant of the plan (removed ones too: old comments name them) by id."""
    rows = scope.db.execute(
        select(Participant.id, Person.first_name, Person.last_name)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.plan_id == scope.plan_id)
    ).all()
    return {pid: f"{first} {last}" for pid, first, last in rows}


def in_history() -> ApiError:
    return ApiError(409, "in_history", "The goal is in history; restore it to change it")


def changed(scope: PlanScope, now: datetime) -> None:
    scope.plan.content_changed_at = now


def require_coordinator(scope: PlanScope) -> None:
    if not scope.is_coordinator:
        raise forbidden("Only the coordinator orders goals and moves activities")


def require_open(scope: PlanScope) -> None:
    if scope.plan.closed_at is not None:
        raise ApiError(409, "plan_closed", "The plan is closed; it can only be read")


def get_goal(scope: PlanScope, goal_id: int) -> Goal:
    return scope.get(Goal, goal_id, "No such goal")


def get_activity(scope: PlanScope, activity_id: int) -> Activity:
    return scope.get(Activity, activity_id, "No such activity")


def active_goal(scope: PlanScope, goal_id: int, field: str | None = None) -> Goal:
    """A goal of this plan that is not in history (writes go only to those)."""
    goal = scope.db.scalars(scope.select(Goal).where(Goal.id == goal_id)).one_or_none()
    if goal is None:
        if field:
            raise validation(field, "no such goal in this plan", type="no_such_goal")
        raise not_found("No such goal")
    if goal.in_history:
        raise in_history()
    return goal


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


def renumber(db: Session, model: type[Goal] | type[Activity], ids: list[int]) -> None:
    """Store positions 0..n-1 in the given order, writing only the rows that moved."""
    current = dict(db.execute(select(model.id, model.position).where(model.id.in_(ids))).all())
    for index, row_id in enumerate(ids):
        if current.get(row_id) != index:
            db.execute(update(model).where(model.id == row_id).values(position=index))


def active_goal_ids(scope: PlanScope) -> list[int]:
    return list(
        scope.db.scalars(
            select(Goal.id)
            .where(Goal.plan_id == scope.plan_id, Goal.in_history.is_(False))
            .order_by(Goal.position, Goal.id)
        ).all()
    )


def activity_ids(db: Session, goal_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Activity.id)
            .where(Activity.goal_id == goal_id)
            .order_by(Activity.position, Activity.id)
        ).all()
    )


def comments_out(
    scope: PlanScope, names: dict[int, str], *, goal_id: int, activity_id: int | None
) -> list[CommentOut]:
    rows = scope.db.execute(
        select(
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
            Comment.plan_id == scope.plan_id,
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
        comments=comments_out(scope, names, goal_id=goal.id, activity_id=None),
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
        comments=comments_out(scope, names, goal_id=act.goal_id, activity_id=act.id),
    )


_TREE = TypeAdapter(GoalTree)
# Core tables for the tree's big queries: rows without ORM loading.
_act = Activity.__table__
_goals = Goal.__table__
_comments = Comment.__table__


def tree_response(scope: PlanScope, section: GoalSection) -> Response:
    """The tree as JSON: validated and serialised once, in pydantic's core."""
    return Response(_TREE.dump_json(goal_tree(scope, section)), media_type="application/json")


def goal_tree(scope: PlanScope, section: GoalSection) -> GoalTree:
    """The tree in two queries plus one of comment counts; no ORM objects, and plain dicts
    validated in one pass (a plan may have thousands of activities)."""
    db = scope.db
    history = section == GoalSection.HISTORY
    goal_rows = db.execute(
        select(
            Goal.id,
            Goal.title,
            Goal.registered_on,
            Goal.progress,
            Goal.position,
            Goal.moved_to_history_at,
            Goal.picture_type,
            Goal.version,
        )
        .where(Goal.plan_id == scope.plan_id, Goal.in_history.is_(history))
        .order_by(
            *(
                (Goal.moved_to_history_at.desc(), Goal.id.desc())
                if history
                else (Goal.position, Goal.id)
            )
        )
    ).all()
    show_activities = scope.can(Area.ACTIVITIES, Need.READ)
    counts: dict[tuple[int, int | None], int] = {}
    for goal_id, activity_id, n in (
        db.connection()
        .execute(
            select(_comments.c.goal_id, _comments.c.activity_id, func.count())
            .join(_goals, _goals.c.id == _comments.c.goal_id)
            .where(_comments.c.plan_id == scope.plan_id, _goals.c.in_history.is_(history))
            .group_by(_comments.c.goal_id, _comments.c.activity_id)
        )
        .all()
    ):
        counts[(goal_id, activity_id)] = n
    by_goal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if show_activities:
        names = participant_names(scope)
        for (
            aid,
            goal_id,
            title,
            day,
            status,
            when,
            responsible,
            position,
            version,
        ) in (
            db.connection()
            .execute(
                select(
                    _act.c.id,
                    _act.c.goal_id,
                    _act.c.title,
                    # Left as text: pydantic reads ISO dates faster than a Python converter.
                    type_coerce(_act.c.activity_date, String),
                    _act.c.status,
                    _act.c.when,
                    _act.c.responsible_participant_id,
                    _act.c.position,
                    _act.c.version,
                )
                .join(_goals, _goals.c.id == _act.c.goal_id)
                .where(_act.c.plan_id == scope.plan_id, _goals.c.in_history.is_(history))
                .order_by(_act.c.goal_id, _act.c.position, _act.c.id)
            )
            .all()
        ):
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


# --- goals --------------------------------------------------------------------------------


@router.get("/goals", response_model=GoalTree)
def list_goals(
    plan_id: int,
    a: Auth,
    db: WriteDb,
    section: Annotated[GoalSection, Query()] = GoalSection.ACTIVE,
) -> Response:
    """The goal tree: goals in their order with their activities (when readable)."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.READ, a.now.date())
    response = tree_response(scope, section)
    audit.record_in_plan(scope, a, "read", "goal", detail={"section": section.value})
    if scope.can(Area.ACTIVITIES, Need.READ):
        audit.record_in_plan(scope, a, "read", "activity", detail={"section": section.value})
    db.commit()
    return response


@router.post("/goals", status_code=201)
def create_goal(plan_id: int, body: GoalCreate, a: Auth, db: WriteDb) -> GoalDetail:
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    if not body.title.strip():
        raise validation("title", "must not be blank", type="blank")
    last = db.scalar(
        select(func.max(Goal.position)).where(Goal.plan_id == plan_id, Goal.in_history.is_(False))
    )
    goal = Goal(
        plan_id=plan_id,
        title=body.title.strip(),
        registered_on=body.registered_on,
        progress=body.progress,
        description=body.description,
        position=0 if last is None else last + 1,
        in_history=False,
        created_by_participant_id=scope.participant.id,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    db.add(goal)
    db.flush()
    changed(scope, a.now)
    raise_event(
        db, plan_id, EventKind.NEW_GOAL_OR_ACTIVITY, "goal", goal.id, scope.participant.id, a.now
    )
    audit.record_in_plan(scope, a, "create", "goal", goal.id, {"title": goal.title})
    db.commit()
    return goal_detail(scope, goal)


@router.get("/goals/{goal_id}")
def get_goal_detail(plan_id: int, goal_id: int, a: Auth, db: WriteDb) -> GoalDetail:
    """A goal's details with its comments."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.READ, a.now.date())
    detail = goal_detail(scope, get_goal(scope, goal_id))
    audit.record_in_plan(scope, a, "read", "goal", goal_id)
    db.commit()
    return detail


@router.patch("/goals/{goal_id}")
def update_goal(plan_id: int, goal_id: int, body: GoalUpdate, a: Auth, db: WriteDb) -> GoalDetail:
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
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
    goal.version += 1
    goal.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "update", "goal", goal.id, {"fields": sorted(fields)})
    db.commit()
    return goal_detail(scope, goal)


@router.delete("/goals/{goal_id}", status_code=204)
def delete_goal(plan_id: int, goal_id: int, a: Auth, db: WriteDb) -> Response:
    """Deletes the goal with its activities, comments and picture; cannot be undone."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    goal = get_goal(scope, goal_id)
    if goal.in_history:  # history is read-only, deleting included: restore it first
        raise in_history()
    n_activities = db.scalar(select(func.count()).where(Activity.goal_id == goal.id)) or 0
    if n_activities and not scope.can(Area.ACTIVITIES, Need.WRITE):
        raise forbidden("The goal has activities; deleting them needs the activities right")
    db.execute(delete(Comment).where(Comment.goal_id == goal.id))
    db.execute(delete(Activity).where(Activity.goal_id == goal.id))
    db.execute(delete(GoalPicture).where(GoalPicture.goal_id == goal.id))
    title = goal.title
    db.delete(goal)
    db.flush()
    renumber(db, Goal, active_goal_ids(scope))
    changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "goal", goal_id, {"title": title, "activities": n_activities}
    )
    db.commit()
    return Response(status_code=204)


@router.post("/goals/{goal_id}/move", response_model=GoalTree)
def move_goal(plan_id: int, goal_id: int, body: GoalMove, a: Auth, db: WriteDb) -> Response:
    """Put an active goal at a place in the order (the coordinator)."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    require_coordinator(scope)
    goal = active_goal(scope, goal_id)
    ids = [i for i in active_goal_ids(scope) if i != goal.id]
    ids.insert(min(body.position, len(ids)), goal.id)
    renumber(db, Goal, ids)
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "move", "goal", goal.id, {"position": ids.index(goal.id)})
    db.commit()
    db.expire_all()
    return tree_response(scope, GoalSection.ACTIVE)


@router.post("/goals/{goal_id}/history")
def move_goal_to_history(plan_id: int, goal_id: int, a: Auth, db: WriteDb) -> GoalDetail:
    """Move a goal, with its activities and comments, to history (historikk)."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    goal = active_goal(scope, goal_id)
    goal.in_history = True
    goal.moved_to_history_at = a.now
    goal.version += 1
    goal.updated_at = a.now
    db.flush()
    renumber(db, Goal, active_goal_ids(scope))
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "to_history", "goal", goal.id)
    db.commit()
    return goal_detail(scope, goal)


@router.post("/goals/{goal_id}/restore")
def restore_goal(plan_id: int, goal_id: int, a: Auth, db: WriteDb) -> GoalDetail:
    """Bring a goal back from history to the end of the active plan (the coordinator)."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    require_coordinator(scope)
    goal = get_goal(scope, goal_id)
    if not goal.in_history:
        raise ApiError(409, "not_in_history", "The goal is not in history")
    goal.in_history = False
    goal.moved_to_history_at = None
    goal.position = len(active_goal_ids(scope))
    goal.version += 1
    goal.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "restore", "goal", goal.id)
    db.commit()
    return goal_detail(scope, goal)


# --- pictures -----------------------------------------------------------------------------


def decoded_size(text: str) -> int:
    """How many bytes a base64 text decodes to, without decoding it."""
    return len(text) // 4 * 3 - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)


def too_big(size: int) -> ApiError:
    return validation(
        "data_base64",
        f"the picture is {size / 1048576:.1f} MB; at most "
        f"{MAX_PICTURE_BYTES // 1048576} MB is allowed",
        type="picture_too_large",
        limit=MAX_PICTURE_BYTES // 1048576,
    )


@router.put("/goals/{goal_id}/picture")
def put_picture(plan_id: int, goal_id: int, body: PictureIn, a: Auth, db: WriteDb) -> GoalDetail:
    """Set the goal's picture: JPEG, PNG or GIF, at most 2 MB."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    goal = get_goal(scope, goal_id)
    check_version(goal.version, body.version)
    if goal.in_history:
        raise in_history()
    # The size first, from the text's length: a huge upload is refused before decoding.
    if decoded_size(body.data_base64) > MAX_PICTURE_BYTES:
        raise too_big(decoded_size(body.data_base64))
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise validation("data_base64", "is not valid base64", type="bad_base64") from None
    if len(data) > MAX_PICTURE_BYTES:  # pragma: no cover - the length above already says so
        raise too_big(len(data))
    # Judged by content, structurally (sampro_contract.pictures): a name or a claimed
    # type proves nothing, and neither do a picture's first bytes alone.
    content_type = picture_type(data)
    if content_type is None and looks_like_picture(data):
        raise validation(
            "data_base64",
            "the picture is damaged or incomplete: only whole JPEG, PNG and GIF files are allowed",
            type="damaged_picture",
        )
    if content_type is None:
        raise validation(
            "data_base64", "not a picture: only JPEG, PNG and GIF are allowed", type="not_a_picture"
        )
    db.execute(delete(GoalPicture).where(GoalPicture.goal_id == goal.id))
    db.add(
        GoalPicture(
            goal_id=goal.id,
            plan_id=plan_id,
            content_type=content_type,
            data=data,
            created_at=a.now,
        )
    )
    goal.picture_type = content_type
    goal.version += 1
    goal.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "picture_set", "goal", goal.id, {"type": content_type, "size": len(data)}
    )
    db.commit()
    return goal_detail(scope, goal)


@router.get("/goals/{goal_id}/picture")
def get_picture(plan_id: int, goal_id: int, a: Auth, db: WriteDb) -> Picture:
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.READ, a.now.date())
    goal = get_goal(scope, goal_id)
    picture = db.get(GoalPicture, goal.id)
    if picture is None:
        raise not_found("The goal has no picture")
    audit.record_in_plan(scope, a, "read_picture", "goal", goal.id)
    db.commit()
    return Picture(
        content_type=picture.content_type,
        size=len(picture.data),
        data_base64=base64.b64encode(picture.data).decode("ascii"),
    )


@router.delete("/goals/{goal_id}/picture")
def delete_picture(
    plan_id: int,
    goal_id: int,
    version: Annotated[int, Query(description="The goal's version as the caller read it")],
    a: Auth,
    db: WriteDb,
) -> GoalDetail:
    """Remove the goal's picture; a stale `version` (someone just set another) is refused."""
    scope = open_plan(db, a.user, plan_id, Area.GOALS, Need.WRITE, a.now.date())
    goal = get_goal(scope, goal_id)
    check_version(goal.version, version)
    if goal.in_history:
        raise in_history()
    if goal.picture_type is None:
        raise not_found("The goal has no picture")
    db.execute(delete(GoalPicture).where(GoalPicture.goal_id == goal.id))
    goal.picture_type = None
    goal.version += 1
    goal.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "picture_removed", "goal", goal.id)
    db.commit()
    return goal_detail(scope, goal)


# --- activities ---------------------------------------------------------------------------


@router.get("/activities")
def list_activities(plan_id: int, a: Auth, db: WriteDb) -> list[ActivitySummary]:
    """Every activity under the active goals, by goal order then their own order."""
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.READ, a.now.date())
    names = participant_names(scope)
    counts = dict(
        db.execute(
            select(Comment.activity_id, func.count())
            .where(Comment.plan_id == plan_id, Comment.activity_id.is_not(None))
            .group_by(Comment.activity_id)
        ).all()
    )
    rows = db.scalars(
        select(Activity)
        .join(Goal, Goal.id == Activity.goal_id)
        .where(Activity.plan_id == plan_id, Goal.in_history.is_(False))
        .order_by(Goal.position, Goal.id, Activity.position, Activity.id)
    ).all()
    audit.record_in_plan(scope, a, "read", "activity")
    db.commit()
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


@router.post("/activities", status_code=201)
def create_activity(plan_id: int, body: ActivityCreate, a: Auth, db: WriteDb) -> ActivityDetail:
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.WRITE, a.now.date())
    if not body.title.strip():
        raise validation("title", "must not be blank", type="blank")
    goal = active_goal(scope, body.goal_id, "goal_id")
    check_responsible(scope, body.responsible_participant_id)
    last = db.scalar(select(func.max(Activity.position)).where(Activity.goal_id == goal.id))
    act = Activity(
        plan_id=plan_id,
        goal_id=goal.id,
        title=body.title.strip(),
        activity_date=body.date,
        status=body.status.value,
        when=body.when,
        responsible_participant_id=body.responsible_participant_id,
        description=body.description,
        position=0 if last is None else last + 1,
        created_by_participant_id=scope.participant.id,
        created_at=a.now,
        updated_at=a.now,
        version=1,
    )
    db.add(act)
    db.flush()
    changed(scope, a.now)
    raise_event(
        db,
        plan_id,
        EventKind.NEW_GOAL_OR_ACTIVITY,
        "activity",
        act.id,
        scope.participant.id,
        a.now,
    )
    audit.record_in_plan(
        scope, a, "create", "activity", act.id, {"title": act.title, "goal_id": goal.id}
    )
    db.commit()
    return activity_detail(scope, act)


@router.get("/activities/{activity_id}")
def get_activity_detail(plan_id: int, activity_id: int, a: Auth, db: WriteDb) -> ActivityDetail:
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.READ, a.now.date())
    detail = activity_detail(scope, get_activity(scope, activity_id))
    audit.record_in_plan(scope, a, "read", "activity", activity_id)
    db.commit()
    return detail


def _goal_of(scope: PlanScope, act: Activity) -> Goal:
    return scope.db.get_one(Goal, act.goal_id)


@router.patch("/activities/{activity_id}")
def update_activity(
    plan_id: int, activity_id: int, body: ActivityUpdate, a: Auth, db: WriteDb
) -> ActivityDetail:
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.WRITE, a.now.date())
    act = get_activity(scope, activity_id)
    check_version(act.version, body.version)
    if _goal_of(scope, act).in_history:
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
    act.version += 1
    act.updated_at = a.now
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "update", "activity", act.id, {"fields": sorted(fields)})
    db.commit()
    return activity_detail(scope, act)


@router.delete("/activities/{activity_id}", status_code=204)
def delete_activity(plan_id: int, activity_id: int, a: Auth, db: WriteDb) -> Response:
    """Deletes the activity with its comments; cannot be undone."""
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.WRITE, a.now.date())
    act = get_activity(scope, activity_id)
    if _goal_of(scope, act).in_history:
        raise in_history()
    goal_id, title = act.goal_id, act.title
    db.execute(delete(Comment).where(Comment.activity_id == act.id))
    db.delete(act)
    db.flush()
    renumber(db, Activity, activity_ids(db, goal_id))
    changed(scope, a.now)
    audit.record_in_plan(
        scope, a, "delete", "activity", activity_id, {"title": title, "goal_id": goal_id}
    )
    db.commit()
    return Response(status_code=204)


@router.post("/activities/{activity_id}/move", response_model=GoalTree)
def move_activity(
    plan_id: int, activity_id: int, body: ActivityMove, a: Auth, db: WriteDb
) -> Response:
    """Move an activity up or down, or under another goal (the coordinator)."""
    scope = open_plan(db, a.user, plan_id, Area.ACTIVITIES, Need.WRITE, a.now.date())
    require_coordinator(scope)
    act = get_activity(scope, activity_id)
    source = active_goal(scope, act.goal_id)
    target = (
        source
        if body.goal_id in (None, source.id)
        else active_goal(scope, body.goal_id or 0, "goal_id")
    )
    ids = [i for i in activity_ids(db, target.id) if i != act.id]
    ids.insert(min(body.position, len(ids)), act.id)
    if target.id != source.id:
        # No version bump: a move is positional and overwrites no text (DESIGN-NOTES), so
        # someone editing the activity's text meanwhile can still save it.
        act.goal_id = target.id
        act.updated_at = a.now
        db.execute(update(Comment).where(Comment.activity_id == act.id).values(goal_id=target.id))
        db.flush()
        renumber(db, Activity, activity_ids(db, source.id))
    renumber(db, Activity, ids)
    changed(scope, a.now)
    audit.record_in_plan(
        scope,
        a,
        "move",
        "activity",
        act.id,
        {"goal_id": target.id, "from_goal_id": source.id, "position": ids.index(act.id)},
    )
    db.commit()
    db.expire_all()
    return tree_response(scope, GoalSection.ACTIVE)


# --- comments -----------------------------------------------------------------------------


def _comment_area(comment_activity_id: int | None) -> Area:
    return Area.GOALS if comment_activity_id is None else Area.ACTIVITIES


@router.post("/comments", status_code=201)
def create_comment(plan_id: int, body: CommentCreate, a: Auth, db: WriteDb) -> CommentOut:
    """Comment on a goal or an activity: anyone who may read it, while the plan is open."""
    if (body.goal_id is None) == (body.activity_id is None):
        raise validation("goal_id", "give either goal_id or activity_id", type="one_of_two")
    area = _comment_area(body.activity_id)
    scope = open_plan(db, a.user, plan_id, area, Need.READ, a.now.date())
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
        plan_id=plan_id,
        goal_id=goal.id,
        activity_id=body.activity_id,
        author_participant_id=scope.participant.id,
        body=body.body,
        created_at=a.now,
        version=1,
    )
    db.add(comment)
    db.flush()
    changed(scope, a.now)
    object_type = "goal_comment" if body.activity_id is None else "activity_comment"
    raise_event(
        db, plan_id, EventKind.NEW_COMMENT, object_type, comment.id, scope.participant.id, a.now
    )
    audit.record_in_plan(
        scope, a, "create", object_type, comment.id, {"on": body.activity_id or goal.id}
    )
    db.commit()
    return comment_out(scope, comment)


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


def _own_comment(
    plan_id: int, comment_id: int, a: Authenticated, db: Session
) -> tuple[PlanScope, Comment]:
    """The caller's own comment, in an open plan, on something the caller may read.

    Reading is enough to comment, but an edit is still a write: the plan's write lock is
    taken (`lock=True`), so the version check and the UPDATE cannot interleave with
    another edit of the same comment (PostgreSQL; SQLite serialises writers anyway).
    """
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date(), lock=True)
    comment = scope.get(Comment, comment_id, "No such comment")
    if not scope.can(_comment_area(comment.activity_id), Need.READ):
        raise forbidden()
    require_open(scope)
    if comment.author_participant_id != scope.participant.id:
        raise forbidden("Only the author edits or deletes a comment")
    if scope.db.get_one(Goal, comment.goal_id).in_history:
        raise in_history()
    return scope, comment


@router.patch("/comments/{comment_id}")
def update_comment(
    plan_id: int, comment_id: int, body: CommentUpdate, a: Auth, db: WriteDb
) -> CommentOut:
    scope, comment = _own_comment(plan_id, comment_id, a, db)
    check_version(comment.version, body.version)
    if not body.body.strip():
        raise validation("body", "must not be blank", type="blank")
    comment.body = body.body
    comment.edited_at = a.now
    comment.version += 1
    changed(scope, a.now)
    object_type = "goal_comment" if comment.activity_id is None else "activity_comment"
    audit.record_in_plan(scope, a, "update", object_type, comment.id)
    db.commit()
    return comment_out(scope, comment)


@router.delete("/comments/{comment_id}", status_code=204)
def delete_comment(plan_id: int, comment_id: int, a: Auth, db: WriteDb) -> Response:
    scope, comment = _own_comment(plan_id, comment_id, a, db)
    object_type = "goal_comment" if comment.activity_id is None else "activity_comment"
    db.delete(comment)
    changed(scope, a.now)
    audit.record_in_plan(scope, a, "delete", object_type, comment_id)
    db.commit()
    return Response(status_code=204)
