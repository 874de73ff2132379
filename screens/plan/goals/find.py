"""Finding a goal, activity or comment in the goal tree, for a link from another tab (an
item of the timeline)."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen

from sampro_contract import ActivityDetail, GoalDetail, TimelineItem, TimelineKind
from sampro_tui.i18n import t
from screens.plan.goals.pane import GoalsPane
from screens.plan.tabs import show_tab
from widgets.goal_tree import Selected

COMMENT_LOOKUPS = 25  # at most this many goals or activities are opened to find a comment


def open_in_goals(screen: Screen[Any], item: TimelineItem) -> None:
    """Mål og aktiviteter at a timeline item's goal or activity (a comment's, for one)."""
    pane = screen.query_one(GoalsPane)
    show_tab(screen, "tab-goals", pane.view)
    if item.activity_id is not None:  # an activity, or a comment on one
        work = select_in_goals(pane, "activity", item.activity_id)
    elif item.goal_id is not None and item.kind != TimelineKind.ACTIVITY:
        work = select_in_goals(pane, "goal", item.goal_id)
    elif item.kind == TimelineKind.COMMENT:
        work = go_to_comment(pane, item)  # a server that does not say where
    else:
        work = select_in_goals(pane, item.object_type, item.object_id)
    screen.run_worker(work, group="timeline-goto", exclusive=True, exit_on_error=False)


async def select_in_goals(
    pane: GoalsPane,
    kind: str,
    object_id: int,
    detail: GoalDetail | ActivityDetail | None = None,
) -> None:
    """Select a goal or activity in the goal tree, in the history view if it is there."""
    api = pane.sampro.api
    if kind == "goal":
        goal = detail if isinstance(detail, GoalDetail) else await api.goal(pane.plan_id, object_id)
        select = Selected("goal", goal.id, goal.id)
    else:
        activity = (
            detail
            if isinstance(detail, ActivityDetail)
            else await api.activity(pane.plan_id, object_id)
        )
        goal = await api.goal(pane.plan_id, activity.goal_id)
        select = Selected("activity", activity.id, activity.goal_id)
    pane.history = goal.in_history
    pane.reload(select)
    pane.view.focus()


async def go_to_comment(pane: GoalsPane, item: TimelineItem) -> None:
    """Select the goal or activity a comment is on, for a server whose timeline items do
    not say (goal_id, activity_id). The timeline names a comment by what it is on (its
    title), so the goals or activities with comments and that title are opened first
    (active, then history), and the one holding the comment is selected."""
    api = pane.sampro.api
    on_activity = item.object_type == "activity_comment"
    candidates: list[tuple[bool, int]] = []
    for history in (False, True):
        tree = await api.goal_tree(pane.plan_id, history=history)
        for goal in tree.goals:
            if on_activity:
                candidates += [
                    (a.title != item.title, a.id) for a in goal.activities if a.comment_count
                ]
            elif goal.comment_count:
                candidates.append((goal.title != item.title, goal.id))
    candidates.sort(key=lambda c: c[0])  # the same title first (a stable sort)
    kind = "activity" if on_activity else "goal"
    for _, object_id in candidates[:COMMENT_LOOKUPS]:
        detail: GoalDetail | ActivityDetail = await (
            api.activity(pane.plan_id, object_id)
            if on_activity
            else api.goal(pane.plan_id, object_id)
        )
        if any(c.id == item.object_id for c in detail.comments):
            await select_in_goals(pane, kind, object_id, detail)
            return
    pane.app.notify(t("tl.not_found"), severity="warning")
