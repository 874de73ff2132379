"""The timeline's sources: which plan events a participant may see, and their titles.

Plan events name an object by type and id. Each object type is registered here with the
areas whose read right shows it (any one suffices) and, optionally, a function that finds
titles for a batch of ids. The plan-content routes may register titles for their types
(`register_timeline_source("goal", ...)`); unknown types are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sampro_contract import TimelineKind
from server.access import Area, Need, PlanScope
from server.models_content import Activity, Comment, Goal

TitleFinder = Callable[[PlanScope, list[int]], dict[int, str]]


@dataclass(frozen=True)
class TimelineSource:
    kind: TimelineKind
    areas: tuple[Area, ...]  # readable through any one of these
    titles: TitleFinder | None = None

    def visible_to(self, scope: PlanScope) -> bool:
        return any(scope.can(area, Need.READ) for area in self.areas)


SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(
    object_type: str, kind: TimelineKind, areas: tuple[Area, ...], titles: TitleFinder | None = None
) -> None:
    SOURCES[object_type] = TimelineSource(kind, areas, titles)


def _goal_titles(scope: PlanScope, ids: list[int]) -> dict[int, str]:
    rows = scope.db.execute(
        scope.select(Goal).with_only_columns(Goal.id, Goal.title).where(Goal.id.in_(ids))
    )
    return {i: title for i, title in rows}


def _activity_titles(scope: PlanScope, ids: list[int]) -> dict[int, str]:
    rows = scope.db.execute(
        scope.select(Activity)
        .with_only_columns(Activity.id, Activity.title)
        .where(Activity.id.in_(ids))
    )
    return {i: title for i, title in rows}


def _comment_titles(scope: PlanScope, ids: list[int]) -> dict[int, str]:
    """A comment is named by what it is on (its text stays where it was written)."""
    rows = scope.db.execute(
        scope.select(Comment)
        .with_only_columns(Comment.id, Goal.title, Activity.title)
        .join(Goal, Goal.id == Comment.goal_id)
        .outerjoin(Activity, Activity.id == Comment.activity_id)
        .where(Comment.id.in_(ids))
    )
    return {i: activity or goal for i, goal, activity in rows}


# The object types are those the routes raise events with (server/routes/goals.py,
# participants.py); a comment is shown as what it is on is: goal or activity.
register_timeline_source("goal", TimelineKind.GOAL, (Area.GOALS,), _goal_titles)
register_timeline_source("activity", TimelineKind.ACTIVITY, (Area.ACTIVITIES,), _activity_titles)
register_timeline_source("goal_comment", TimelineKind.COMMENT, (Area.GOALS,), _comment_titles)
register_timeline_source(
    "activity_comment", TimelineKind.COMMENT, (Area.ACTIVITIES,), _comment_titles
)
register_timeline_source("participant", TimelineKind.PARTICIPANT, (Area.PARTICIPANTS,))
