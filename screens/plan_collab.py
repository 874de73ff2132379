"""Puts working together into the plan shell: the Meldinger, Kalender and Tidslinje tabs
(every participant has them), and on the home tab the next events, the latest messages
to me and who has visited since my last visit."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from textual.screen import Screen
from textual.widgets import Label, Static, TabbedContent, TabPane

import sampro_tui.collab_texts  # noqa: F401 - registers the feature's texts
from sampro_contract import HomeFeed, PlanHome, TimelineItem, TimelineKind
from sampro_tui.api import ApiError
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t

if TYPE_CHECKING:
    from screens.plan import PlanScreen

TABS = ("tab-messages", "tab-calendar", "tab-timeline")


async def install_collab(screen: PlanScreen, plan: PlanHome, today: date | None = None) -> None:
    from screens.calendar import CalendarPane
    from screens.messages import MessagesPane
    from screens.timeline import TimelinePane

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


async def show_home_feed(screen: PlanScreen, plan: PlanHome) -> None:
    home = screen.query_one("#home")
    if not screen.query("#feed-events"):
        await home.mount(
            Label(t("home.next_events"), classes="section"),
            Static("", id="feed-events"),
            Label(
                t("home.latest_messages", unread="…"), classes="section", id="feed-messages-title"
            ),
            Static("", id="feed-messages"),
            Label(t("home.visitors"), classes="section", id="feed-visitors-title"),
            Static("", id="feed-visitors"),
            Static(t("home.links"), classes="hint", id="feed-links"),
        )
    try:
        feed: HomeFeed = await screen.sampro.api.home_feed(plan.id)
    except ApiError:
        return
    render_home_feed(screen, feed)


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


def render_home_feed(screen: Screen[Any], feed: HomeFeed) -> None:
    from screens.calendar import event_time

    events = [
        f"{fmt_date(e.start_date)} {event_time(e)}  {_esc(e.title)}"
        + (f" · {_esc(e.place)}" if e.place else "")
        for e in feed.next_events
    ]
    screen.query_one("#feed-events", Static).update("\n".join(events) or t("home.no_events"))
    messages = [
        ("[b]" if m.unread else "")
        + f"{fmt_datetime(m.at)}  {_esc(m.sender.name)}: {_esc(m.subject)}"
        + ("[/b]" if m.unread else "")
        for m in feed.latest_messages
    ]
    screen.query_one("#feed-messages-title", Label).update(
        t("home.latest_messages", unread=feed.unread_messages)
    )
    screen.query_one("#feed-messages", Static).update("\n".join(messages) or t("home.no_messages"))
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


def go_to_item(screen: Screen[Any], item: TimelineItem) -> None:
    """Enter on a timeline item: to its place in the plan."""
    from screens.calendar import CalendarPane
    from screens.messages import MessagesPane

    tabs = screen.query_one("#tabs", TabbedContent)
    if item.kind == TimelineKind.MESSAGE:
        tabs.active = "tab-messages"
        screen.query_one(MessagesPane).open_message(item.object_id)
    elif item.kind == TimelineKind.CALENDAR:
        tabs.active = "tab-calendar"
        screen.query_one(CalendarPane).go_to(item.at.date())
    elif item.kind in (TimelineKind.GOAL, TimelineKind.ACTIVITY, TimelineKind.COMMENT):
        if screen.query("#tab-goals"):
            tabs.active = "tab-goals"
            if item.kind != TimelineKind.COMMENT:
                from screens.goals import GoalsPane

                screen.query_one(GoalsPane).go_to(item.object_type, item.object_id)
    elif item.kind == TimelineKind.PARTICIPANT:
        tabs.active = "tab-home"
