"""What the Mål og aktiviteter tab shows of the chosen goal or activity, and its comments."""

from __future__ import annotations

from rich.text import Text

from sampro_contract import (
    ActivityDetail,
    Comment,
    GoalDetail,
)
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from widgets.goal_tree import progress_bar, status_label


def render_comments(comments: list[Comment]) -> Text:
    text = Text()
    text.append(t("goals.comments") + "\n", style="bold")
    if not comments:
        text.append(t("goals.no_comments"), style="dim")
        return text
    for c in comments:
        text.append(f"{c.author_name}", style="bold")
        text.append(f" · {fmt_datetime(c.created_at)}", style="dim")
        if c.edited_at:
            text.append(f" ({t('goals.edited')})", style="dim")
        text.append(f"\n{c.body}\n\n")
    return text


def render_goal(goal: GoalDetail) -> Text:
    text = Text()
    text.append(goal.title + "\n", style="bold underline")
    text.append(f"{t('goals.registered')}: ", style="bold")
    text.append(fmt_date(goal.registered_on) + "\n")
    text.append(f"{t('goals.progress')}: ", style="bold")
    text.append(progress_bar(goal.progress) + "\n")
    if goal.in_history and goal.moved_to_history_at:
        text.append(t("goals.in_history", when=fmt_date(goal.moved_to_history_at)) + "\n")
    if goal.description:
        text.append(f"\n{goal.description}\n")
    if goal.has_picture:
        kind = (goal.picture_type or "").removeprefix("image/").upper()
        text.append("\n▣ " + t("goals.has_picture", type=kind) + "\n", style="italic")
    return text


def render_activity(act: ActivityDetail, goal_title: str) -> Text:
    text = Text()
    text.append(act.title + "\n", style="bold underline")
    rows = [
        (t("activity.goal"), goal_title),
        (t("activity.date"), fmt_date(act.date)),
        (t("activity.status"), status_label(act.status)),
        (t("activity.when"), act.when),
        (t("activity.responsible"), act.responsible_name or ""),
    ]
    for label, value in rows:
        if value:
            text.append(f"{label}: ", style="bold")
            text.append(value + "\n")
    if act.description:
        text.append(f"\n{act.description}\n")
    return text
