"""Puts working together into the plan shell: the Meldinger, Kalender and Tidslinje tabs
(every participant has them), and on the home tab shortcuts to every tab, the next events
and the latest messages to me (Enter goes to each), and who has visited since my last
visit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from sampro_contract import HomeFeed, MessageFolder, PlanHome, TimelineItem, TimelineKind
from sampro_tui.api import ApiError
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t

if TYPE_CHECKING:
    from sampro_contract import ActivityDetail, GoalDetail
    from screens.plan.goals.pane import GoalsPane
    from screens.plan.screen import PlanScreen

TABS = ("tab-messages", "tab-calendar", "tab-timeline")


async def install_collab(screen: PlanScreen, plan: PlanHome, today: date | None = None) -> None:
    from screens.plan.calendar.pane import CalendarPane
    from screens.plan.messages.pane import MessagesPane
    from screens.plan.timeline.pane import TimelinePane

    tabs = screen.query_one("#tabs", TabbedContent)
    panes: dict[str, tuple[str, Any]] = {
        "tab-messages": (t("collab.tab.messages"), lambda: MessagesPane(plan, id="messages")),
        "tab-calendar": (
            t("collab.tab.calendar"),
            lambda: CalendarPane(plan, today=today, id="calendar"),
        ),
        "tab-timeline": (t("collab.tab.timeline"), lambda: TimelinePane(plan, id="timeline-pane")),
    }
    for tab_id, (title, make) in panes.items():
        if not screen.query(f"#{tab_id}"):
            await tabs.add_pane(TabPane(title, make(), id=tab_id))
    await show_home_feed(screen, plan)


class FeedList(OptionList):
    """A home-feed section whose lines lead somewhere: Enter (or a click) goes there."""

    DEFAULT_CSS = """
    FeedList { height: auto; max-height: 12; border: none; padding: 0; }
    FeedList:focus { border: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.targets: dict[str, Callable[[], None]] = {}

    def set_lines(self, lines: Sequence[tuple[str, Text, Callable[[], None]]], empty: str) -> None:
        """(option id, what it shows, where Enter goes) per line; `empty` when none."""
        highlighted = self.highlighted
        self.clear_options()
        self.targets = {key: go for key, _, go in lines}
        if not lines:
            self.add_option(Option(empty, disabled=True))
            return
        self.add_options([Option(prompt, id=key) for key, prompt, _ in lines])
        if highlighted is not None:
            self.highlighted = min(highlighted, len(lines) - 1)

    @on(OptionList.OptionSelected)
    def _go(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        go = self.targets.get(event.option.id or "")
        if go is not None:
            go()


class TabLinks(FeedList):
    """Shortcuts to every tab this participant has (their rights decide which exist)."""

    def on_mount(self) -> None:
        self.refresh_links()

    def on_show(self) -> None:
        self.refresh_links()  # tabs are added by several features, some after this list

    def on_focus(self) -> None:
        self.refresh_links()

    def refresh_links(self) -> None:
        screen = self.screen
        if not screen.query("#tabs"):
            return
        tabs = screen.query_one("#tabs", TabbedContent)
        lines = []
        for pane in tabs.query(TabPane):
            if pane.id is None or pane.id == "tab-home":
                continue
            label = Text(tabs.get_tab(pane.id).label.plain)
            lines.append((pane.id, label, partial(show_tab, screen, pane.id)))
        self.set_lines(lines, "")


def show_tab(screen: Screen[Any], tab_id: str, focus: Widget | None = None) -> None:
    """Go to a tab and put the focus in it (on `focus`, or on its first list or table)."""
    from screens.plan.screen import PlanTabs

    screen.query_one("#tabs", PlanTabs).enter(tab_id, focus)


async def show_home_feed(screen: PlanScreen, plan: PlanHome) -> None:
    home = screen.query_one("#home")
    if not screen.query("#feed-events"):
        await home.mount(
            Label(t("home.links"), classes="section", id="feed-links-title"),
            TabLinks(id="feed-links"),
            Label(t("home.next_events"), classes="section"),
            FeedList(id="feed-events"),
            Label(
                t("home.latest_messages", unread="…"), classes="section", id="feed-messages-title"
            ),
            FeedList(id="feed-messages"),
            Label(t("home.visitors"), classes="section", id="feed-visitors-title"),
            Static("", id="feed-visitors"),
        )
    else:
        screen.query_one("#feed-links", TabLinks).refresh_links()
    try:
        feed: HomeFeed = await screen.sampro.api.home_feed(plan.id)
    except ApiError:
        return
    render_home_feed(screen, feed)


def go_to_event(screen: Screen[Any], day: date) -> None:
    from screens.plan.calendar.pane import CalendarPane

    pane = screen.query_one(CalendarPane)
    show_tab(screen, "tab-calendar", pane.grid)
    pane.go_to(day)


def go_to_message(screen: Screen[Any], message_id: int, inbox: bool = True) -> None:
    """Open a message in Meldinger (in the inbox folder, for a message to me)."""
    from screens.plan.messages.pane import MessagesPane, MessageTable

    pane = screen.query_one(MessagesPane)
    show_tab(screen, "tab-messages", pane.query_one(MessageTable))
    if inbox and pane.folder != MessageFolder.INBOX:
        pane.set_folder(MessageFolder.INBOX)
    pane.open_message(message_id)


def render_home_feed(screen: Screen[Any], feed: HomeFeed) -> None:
    from screens.plan.calendar.pane import event_time

    events = [
        (
            f"event-{e.id}",
            Text(
                f"{fmt_date(e.start_date)} {event_time(e)}  {e.title}"
                + (f" · {e.place}" if e.place else "")
            ),
            partial(go_to_event, screen, e.start_date),
        )
        for e in feed.next_events
    ]
    screen.query_one("#feed-events", FeedList).set_lines(events, t("home.no_events"))
    messages = [
        (
            f"message-{m.id}",
            Text(
                f"{fmt_datetime(m.at)}  {m.sender.name}: {m.subject}",
                style="bold" if m.unread else "",
            ),
            partial(go_to_message, screen, m.id),
        )
        for m in feed.latest_messages
    ]
    screen.query_one("#feed-messages-title", Label).update(
        t("home.latest_messages", unread=feed.unread_messages)
    )
    screen.query_one("#feed-messages", FeedList).set_lines(messages, t("home.no_messages"))
    title = (
        t("home.visitors_since", when=fmt_datetime(feed.my_last_visit))
        if feed.my_last_visit
        else t("home.visitors")
    )
    screen.query_one("#feed-visitors-title", Label).update(title)
    visitors = [
        f"{_esc(v.name)} ({t(f'role.{v.role.value}')}) – {fmt_datetime(v.last_visit)}"
        for v in feed.visitors
    ]
    screen.query_one("#feed-visitors", Static).update("\n".join(visitors) or t("home.no_visitors"))


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


def go_to_item(screen: Screen[Any], item: TimelineItem) -> None:
    """Enter on a timeline item: to its place in the plan."""
    if item.kind == TimelineKind.MESSAGE:
        go_to_message(screen, item.object_id, inbox=False)  # mine may be in "sent"
    elif item.kind == TimelineKind.CALENDAR:
        go_to_event(screen, item.at.date())
    elif item.kind in (TimelineKind.GOAL, TimelineKind.ACTIVITY, TimelineKind.COMMENT):
        if screen.query("#tab-goals"):
            from screens.plan.goals.pane import GoalsPane

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
    elif item.kind == TimelineKind.PARTICIPANT:
        show_tab(screen, "tab-participants" if screen.query("#tab-participants") else "tab-home")


async def select_in_goals(
    pane: GoalsPane,
    kind: str,
    object_id: int,
    detail: GoalDetail | ActivityDetail | None = None,
) -> None:
    """Select a goal or activity in the goal tree, in the history view if it is there."""
    from sampro_contract import ActivityDetail, GoalDetail
    from widgets.goal_tree import Selected

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


COMMENT_LOOKUPS = 25  # at most this many goals or activities are opened to find a comment


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
