"""The goal tree: goals in their stored order with progress, their activities beneath."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from sampro_contract import ActivityStatus, ActivitySummary, GoalSummary, GoalTree
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from widgets.stylesheet import default_css

BAR_WIDTH = 10


def progress_bar(percent: int) -> str:
    """`█████░░░░░  50 %`: ten cells, each a tenth."""
    filled = max(0, min(BAR_WIDTH, round(percent / (100 / BAR_WIDTH))))
    return "█" * filled + "░" * (BAR_WIDTH - filled) + f" {percent:>3} %"


def status_label(status: ActivityStatus) -> str:
    return t(f"status.{status.value}")


_STATUS_STYLE = {
    ActivityStatus.PLANNED: "dim",
    ActivityStatus.IN_PROGRESS: "bold",
    ActivityStatus.DONE: "green",
}


@dataclass(frozen=True)
class Selected:
    """What a tree node stands for."""

    kind: Literal["goal", "activity"]
    id: int
    goal_id: int


def goal_label(index: int, goal: GoalSummary) -> Text:
    return Text.assemble(
        (f"{index}. {goal.title}", "bold"),
        "  ",
        (progress_bar(goal.progress), "cyan"),
        "  ▣" if goal.has_picture else "",
        (f"  ✉ {goal.comment_count}" if goal.comment_count else "", "dim"),
    )


def activity_label(activity: ActivitySummary) -> Text:
    return Text.assemble(
        activity.title,
        (f"  {status_label(activity.status)}", _STATUS_STYLE[activity.status]),
        (f"  {fmt_date(activity.date)}", "dim"),
        (f"  {activity.responsible_name}" if activity.responsible_name else "", "italic"),
        (f"  ✉ {activity.comment_count}" if activity.comment_count else "", "dim"),
    )


class GoalTreeView(Tree[Selected]):
    """Goals with their activities; `show` keeps the selection and what was expanded.

    A big plan (more than `EAGER_ACTIVITIES` activities) gets its activity nodes only for
    the goals that are open: the selected one, those opened before, and any the user
    opens (Enter/space). Building and measuring thousands of tree lines would otherwise
    cost more than the whole request.
    """

    DEFAULT_CSS = default_css(__file__, "goal_tree.tcss")
    EAGER_ACTIVITIES = 300

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.show_root = False
        self.guide_depth = 3
        self.goal_tree: GoalTree | None = None
        self._open: set[int] = set()
        self._lazy = False
        self._by_goal: dict[int, GoalSummary] = {}

    @property
    def selected(self) -> Selected | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def _fill(self, node: TreeNode[Selected], goal: GoalSummary) -> None:
        for activity in goal.activities:
            node.add_leaf(activity_label(activity), data=Selected("activity", activity.id, goal.id))

    def show(self, tree: GoalTree, select: Selected | None = None) -> None:
        keep = select or self.selected
        self.goal_tree = tree
        self._by_goal = {g.id: g for g in tree.goals}
        self._lazy = sum(len(g.activities) for g in tree.goals) > self.EAGER_ACTIVITIES
        self.clear()
        target: TreeNode[Selected] | None = None
        for index, goal in enumerate(tree.goals, start=1):
            goal_node = self.root.add(
                goal_label(index, goal),
                data=Selected("goal", goal.id, goal.id),
                allow_expand=bool(goal.activities),
            )
            if keep and keep.kind == "goal" and keep.id == goal.id:
                target = goal_node
            wanted = not self._lazy or goal.id in self._open or (keep and keep.goal_id == goal.id)
            if wanted and goal.activities:
                self._fill(goal_node, goal)
                goal_node.expand()
                if keep and keep.kind == "activity" and keep.goal_id == goal.id:
                    target = next(
                        (n for n in goal_node.children if n.data and n.data.id == keep.id),
                        target,
                    )
        if target is not None:
            # The node's line is known once the tree has laid out its new lines.
            self.call_after_refresh(self.move_cursor, target)
        elif tree.goals:
            self.cursor_line = 0

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[Selected]) -> None:
        node, data = event.node, event.node.data
        if data is None or data.kind != "goal":
            return
        self._open.add(data.id)
        goal = self._by_goal.get(data.id)
        if goal is not None and not node.children:
            self._fill(node, goal)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[Selected]) -> None:
        if event.node.data is not None:
            self._open.discard(event.node.data.id)

    def goal(self, goal_id: int) -> GoalSummary | None:
        return self._by_goal.get(goal_id)

    def activity(self, activity_id: int) -> ActivitySummary | None:
        if self.goal_tree is None:
            return None
        for goal in self.goal_tree.goals:
            for activity in goal.activities:
                if activity.id == activity_id:
                    return activity
        return None
