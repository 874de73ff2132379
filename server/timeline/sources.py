"""The timeline's sources: which plan events a participant may see, and their titles.

Plan events name an object by type and id. Each object type is registered here with the
areas whose read right shows it (any one suffices) and, optionally, a function that finds
titles for a batch of ids. The plan-content routes may register titles for their types
(`register_timeline_source("goal", ...)`); unknown types are never shown.

A source may also say, in SQL, whether an event's object still exists (`alive`): events
about deleted goals, activities and comments are left out of the timeline rather than
shown without a title and without a way to open them. And it may say where each object
is in the goal tree (`places`: goal id, activity id), so that Enter goes straight there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import InstrumentedAttribute

from sampro_contract import TimelineKind
from server.access.policy import Area, Need
from server.access.scope import PlanScope
from server.goals.models import Activity, Comment, Goal
from server.timeline.models import PlanEvent

TitleFinder = Callable[[PlanScope, list[int]], dict[int, str]]
Place = tuple[int | None, int | None]  # (goal id, activity id), None where not readable
PlaceFinder = Callable[[PlanScope, list[int]], dict[int, Place]]
AliveClause = Callable[[], ColumnElement[bool]]  # in SQL, over PlanEvent.object_id


@dataclass(frozen=True)
class TimelineSource:
    kind: TimelineKind
    areas: tuple[Area, ...]  # readable through any one of these
    titles: TitleFinder | None = None
    alive: AliveClause | None = None
    places: PlaceFinder | None = None

    def visible_to(self, scope: PlanScope) -> bool:
        return any(scope.can(area, Need.READ) for area in self.areas)


SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(
    object_type: str,
    kind: TimelineKind,
    areas: tuple[Area, ...],
    titles: TitleFinder | None = None,
    alive: AliveClause | None = None,
    places: PlaceFinder | None = None,
) -> None:
    SOURCES[object_type] = TimelineSource(kind, areas, titles, alive, places)


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


def _exists_in(table_id: InstrumentedAttribute[int]) -> AliveClause:
    return lambda: exists(select(1).where(table_id == PlanEvent.object_id))


def _readable(scope: PlanScope, goal_id: int | None, activity_id: int | None) -> Place:
    return (
        goal_id if scope.can(Area.GOALS, Need.READ) else None,
        activity_id if scope.can(Area.ACTIVITIES, Need.READ) else None,
    )


def _goal_places(scope: PlanScope, ids: list[int]) -> dict[int, Place]:
    return {i: _readable(scope, i, None) for i in ids}


def _activity_places(scope: PlanScope, ids: list[int]) -> dict[int, Place]:
    rows = scope.db.execute(
        scope.select(Activity)
        .with_only_columns(Activity.id, Activity.goal_id)
        .where(Activity.id.in_(ids))
    )
    return {i: _readable(scope, goal_id, i) for i, goal_id in rows}


def _comment_places(scope: PlanScope, ids: list[int]) -> dict[int, Place]:
    rows = scope.db.execute(
        scope.select(Comment)
        .with_only_columns(Comment.id, Comment.goal_id, Comment.activity_id)
        .where(Comment.id.in_(ids))
    )
    return {i: _readable(scope, goal_id, activity_id) for i, goal_id, activity_id in rows}


# The object types are those the routes raise events with (server/routes/goals.py,
# participants.py); a comment is shown as what it is on is: goal or activity. Goals,
# activities and comments are deleted for good, and their events leave the timeline.
register_timeline_source(
    "goal", TimelineKind.GOAL, (Area.GOALS,), _goal_titles, _exists_in(Goal.id), _goal_places
)
register_timeline_source(
    "activity",
    TimelineKind.ACTIVITY,
    (Area.ACTIVITIES,),
    _activity_titles,
    _exists_in(Activity.id),
    _activity_places,
)
register_timeline_source(
    "goal_comment",
    TimelineKind.COMMENT,
    (Area.GOALS,),
    _comment_titles,
    _exists_in(Comment.id),
    _comment_places,
)
register_timeline_source(
    "activity_comment",
    TimelineKind.COMMENT,
    (Area.ACTIVITIES,),
    _comment_titles,
    _exists_in(Comment.id),
    _comment_places,
)
register_timeline_source("participant", TimelineKind.PARTICIPANT, (Area.PARTICIPANTS,))
