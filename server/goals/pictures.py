"""A goal's picture: decoding and judging an upload (JPEG, PNG or GIF, at most 2 MB), and
keeping it apart from the goal so that listing goals never loads image bytes."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import delete

from sampro_contract import MAX_PICTURE_BYTES, GoalDetail, Picture, PictureIn
from sampro_contract.pictures import looks_like_picture, picture_type
from server.access.scope import PlanScope, check_version
from server.deps import Authenticated
from server.errors import ApiError, not_found, validation
from server.goals.details import goal_detail
from server.goals.models import GoalPicture
from server.goals.queries import get_goal, in_history, mark_changed
from server.log import service as audit


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


def decode_picture(data_base64: str) -> tuple[bytes, str]:
    """The picture's bytes and content type, or a 422 saying what is wrong with it."""
    # The size first, from the text's length: a huge upload is refused before decoding.
    if decoded_size(data_base64) > MAX_PICTURE_BYTES:
        raise too_big(decoded_size(data_base64))
    try:
        data = base64.b64decode(data_base64, validate=True)
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
    return data, content_type


def delete_of(scope: PlanScope, goal_id: int) -> None:
    """Remove a goal's picture, if it has one (the row, not the goal's `picture_type`)."""
    scope.db.execute(
        delete(GoalPicture).where(
            GoalPicture.plan_id == scope.plan_id, GoalPicture.goal_id == goal_id
        )
    )


def set_picture(scope: PlanScope, a: Authenticated, goal_id: int, body: PictureIn) -> GoalDetail:
    """Set the goal's picture, replacing any earlier one."""
    goal = get_goal(scope, goal_id)
    check_version(goal.version, body.version)
    if goal.in_history:
        raise in_history()
    data, content_type = decode_picture(body.data_base64)
    delete_of(scope, goal.id)
    scope.db.add(
        GoalPicture(
            goal_id=goal.id,
            plan_id=scope.plan_id,
            content_type=content_type,
            data=data,
            created_at=a.now,
        )
    )
    goal.picture_type = content_type
    mark_changed(scope, a.now, goal)
    audit.record_in_plan(
        scope, a, "picture_set", "goal", goal.id, {"type": content_type, "size": len(data)}
    )
    scope.db.commit()
    return goal_detail(scope, goal)


def read_picture(scope: PlanScope, a: Authenticated, goal_id: int) -> Picture:
    goal = get_goal(scope, goal_id)
    picture = scope.db.scalars(
        scope.select(GoalPicture).where(GoalPicture.goal_id == goal.id)
    ).one_or_none()
    if picture is None:
        raise not_found("The goal has no picture")
    audit.record_in_plan(scope, a, "read_picture", "goal", goal.id)
    scope.db.commit()
    return Picture(
        content_type=picture.content_type,
        size=len(picture.data),
        data_base64=base64.b64encode(picture.data).decode("ascii"),
    )


def remove_picture(scope: PlanScope, a: Authenticated, goal_id: int, version: int) -> GoalDetail:
    """Remove the goal's picture; a stale `version` (someone just set another) is refused."""
    goal = get_goal(scope, goal_id)
    check_version(goal.version, version)
    if goal.in_history:
        raise in_history()
    if goal.picture_type is None:
        raise not_found("The goal has no picture")
    delete_of(scope, goal.id)
    goal.picture_type = None
    mark_changed(scope, a.now, goal)
    audit.record_in_plan(scope, a, "picture_removed", "goal", goal.id)
    scope.db.commit()
    return goal_detail(scope, goal)
