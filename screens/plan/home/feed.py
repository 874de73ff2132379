"""The home feed on the Hjem tab: shortcuts to every tab, the next events and the latest
messages to me (Enter goes to each), and who has visited since my last visit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widgets import Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from sampro_contract import HomeFeed
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from screens.plan.tabs import HOME_TAB, show_tab
from widgets.stylesheet import default_css


class FeedList(OptionList):
    """A home-feed section whose lines lead somewhere: Enter (or a click) goes there."""

    DEFAULT_CSS = default_css(__file__, "feed.tcss")

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
        self.refresh_links()  # the tabs may be added after this list

    def on_focus(self) -> None:
        self.refresh_links()

    def refresh_links(self) -> None:
        screen = self.screen
        if not screen.query("#tabs"):
            return
        tabs = screen.query_one("#tabs", TabbedContent)
        lines = []
        for pane in tabs.query(TabPane):
            if pane.id is None or pane.id == HOME_TAB:
                continue
            label = Text(tabs.get_tab(pane.id).label.plain)
            lines.append((pane.id, label, partial(show_tab, screen, pane.id)))
        self.set_lines(lines, "")


def feed_widgets() -> list[Label | FeedList | Static]:
    """The feed's sections, empty until the feed is read."""
    return [
        Label(t("home.links"), classes="section", id="feed-links-title"),
        TabLinks(id="feed-links"),
        Label(t("home.next_events"), classes="section"),
        FeedList(id="feed-events"),
        Label(t("home.latest_messages", unread="…"), classes="section", id="feed-messages-title"),
        FeedList(id="feed-messages"),
        Label(t("home.visitors"), classes="section", id="feed-visitors-title"),
        Static("", id="feed-visitors"),
    ]


def _go_to_event(screen: Screen[Any], day: date) -> None:
    from screens.plan.calendar.pane import open_in_calendar

    open_in_calendar(screen, day)


def _go_to_message(screen: Screen[Any], message_id: int) -> None:
    from screens.plan.messages.pane import open_in_messages

    open_in_messages(screen, message_id)


def render_home_feed(screen: Screen[Any], feed: HomeFeed) -> None:
    from screens.plan.calendar.pane import event_time

    events = [
        (
            f"event-{e.id}",
            Text(
                f"{fmt_date(e.start_date)} {event_time(e)}  {e.title}"
                + (f" · {e.place}" if e.place else "")
            ),
            partial(_go_to_event, screen, e.start_date),
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
            partial(_go_to_message, screen, m.id),
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
