"""Pictures of the goal tree and the life areas, from fixed data, in Norwegian."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import App, ComposeResult

from sampro_contract import (
    ActivityStatus,
    ActivitySummary,
    GoalSection,
    GoalSummary,
    GoalTree,
    LifeArea,
    LifeAreaEntry,
)
from sampro_tui.i18n import set_language
from widgets.goal_tree import GoalTreeView
from widgets.life_areas import LifeAreasView


def activity(
    aid: int, goal: int, title: str, status: ActivityStatus, who: str | None, n: int
) -> ActivitySummary:
    return ActivitySummary(
        id=aid,
        goal_id=goal,
        title=title,
        date=date(2026, 3, aid),
        status=status,
        when="",
        responsible_participant_id=1 if who else None,
        responsible_name=who,
        position=aid,
        comment_count=n,
        version=1,
    )


def goal(
    gid: int, title: str, progress: int, acts: list[ActivitySummary], picture: bool = False
) -> GoalSummary:
    return GoalSummary(
        id=gid,
        title=title,
        registered_on=date(2026, 1, 10),
        progress=progress,
        position=gid,
        in_history=False,
        moved_to_history_at=None,
        has_picture=picture,
        comment_count=gid % 3,
        version=1,
        activities=acts,
    )


TREE = GoalTree(
    section=GoalSection.ACTIVE,
    goals=[
        goal(
            1,
            "Bo i egen leilighet",
            40,
            [
                activity(
                    1, 1, "Søke om kommunal bolig", ActivityStatus.DONE, "Kari Koordinator", 2
                ),
                activity(
                    2, 1, "Øve på matlaging", ActivityStatus.IN_PROGRESS, "Per Tjenesteyter", 0
                ),
                activity(3, 1, "Lage ukeplan", ActivityStatus.PLANNED, None, 0),
            ],
            picture=True,
        ),
        goal(
            2,
            "Komme i arbeid",
            10,
            [
                activity(
                    4, 2, "Arbeidstrening på kafeen", ActivityStatus.IN_PROGRESS, "Nav Veileder", 1
                )
            ],
        ),
        goal(3, "Bedre søvn", 0, []),
    ],
    activities_visible=True,
    can_write_goals=True,
    can_write_activities=True,
    can_order=True,
)

AREAS = [
    LifeAreaEntry(
        area=LifeArea.HOUSING,
        description="Bor hjemme hos foreldrene, ønsker egen leilighet.",
        date=date(2026, 2, 1),
        status="Søknad sendt",
        updated_at=None,
        updated_by=None,
        can_write=True,
        version=2,
    ),
    LifeAreaEntry(
        area=LifeArea.HEALTH,
        description="Epilepsi, godt regulert med medisiner.",
        date=date(2026, 1, 15),
        status="Stabil",
        updated_at=None,
        updated_by=None,
        can_write=False,
        version=1,
    ),
    LifeAreaEntry(
        area=LifeArea.ECONOMY,
        description="",
        date=None,
        status="",
        updated_at=None,
        updated_by=None,
        can_write=True,
        version=0,
    ),
]


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield GoalTreeView(id="goal-tree")

    def on_mount(self) -> None:
        set_language("nb")
        view = self.query_one(GoalTreeView)
        view.show(TREE)
        view.focus()


class AreasApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LifeAreasView(id="life-areas")

    def on_mount(self) -> None:
        set_language("nb")
        view = self.query_one(LifeAreasView)
        view.show(AREAS)
        view.focus()


def test_goal_tree(snap_compare: Any) -> None:
    assert snap_compare(TreeApp(), terminal_size=(100, 14))


def test_life_areas(snap_compare: Any) -> None:
    assert snap_compare(AreasApp(), terminal_size=(100, 16))
