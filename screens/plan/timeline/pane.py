"""Tidslinje: the plan's events newest first, future calendar entries above a marker for
today, a marker at my last login, new items highlighted; Enter goes to the item."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sampro_contract import PlanHome, Timeline, TimelineItem, TimelineKind
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_date, fmt_datetime, fmt_wall_datetime
from sampro_tui.i18n import t
from screens.plan.tabs import HOME_TAB, show_tab
from widgets.stylesheet import default_css

NEAR_END_ITEMS = 10  # fetch older items when the cursor is this close to the end

ICONS = {
    TimelineKind.GOAL: "◎",
    TimelineKind.ACTIVITY: "▸",
    TimelineKind.COMMENT: "✎",
    TimelineKind.MESSAGE: "✉",
    TimelineKind.CALENDAR: "▦",
    TimelineKind.PARTICIPANT: "☺",
    TimelineKind.OTHER: "·",
}


def item_when(item: TimelineItem) -> str:
    # Calendar entries are wall-clock times (sent tagged UTC); others are instants.
    if item.kind == TimelineKind.CALENDAR:
        return fmt_date(item.at) if item.all_day else fmt_wall_datetime(item.at)
    return fmt_datetime(item.at)


def item_text(item: TimelineItem) -> Text:
    kind = t(f"tl.kind.{item.kind.value}")
    text = Text()
    text.append(f"{item_when(item):<17}", style="dim")
    text.append(f"{ICONS[item.kind]} {kind:<12}", style="bold" if item.new else "")
    text.append(item.title or "", style="bold" if item.new else "")
    if item.by:
        text.append(f"  {t('tl.by', name=item.by)}", style="dim")
    if item.new:
        text.append(f"  {t('tl.new')}", style="bold reverse")
    return text


def marker(label: str) -> Option:
    return Option(Text(f"──── {label} " + "─" * 40, style="bold"), disabled=True)


def timeline_options(timeline: Timeline) -> tuple[list[Option], list[TimelineItem | None]]:
    """The list's lines and, per line, its item (None for a marker)."""
    options: list[Option] = []
    items: list[TimelineItem | None] = []
    today_done = False
    login_done = timeline.last_login is None
    for item in timeline.items:
        if not item.future and not today_done:
            options.append(marker(t("tl.today") + " " + fmt_date(timeline.now)))
            items.append(None)
            today_done = True
        if (
            not login_done
            and not item.future
            and timeline.last_login is not None
            and item.at <= timeline.last_login
        ):
            options.append(marker(t("tl.last_login", when=fmt_datetime(timeline.last_login))))
            items.append(None)
            login_done = True
        options.append(Option(item_text(item)))
        items.append(item)
    if not today_done:
        options.append(marker(t("tl.today") + " " + fmt_date(timeline.now)))
        items.append(None)
    if not login_done and timeline.last_login is not None:
        options.append(marker(t("tl.last_login", when=fmt_datetime(timeline.last_login))))
        items.append(None)
    if not timeline.items:
        options.append(Option(t("tl.empty"), disabled=True))
        items.append(None)
    return options, items


class TimelinePane(SamproPaneMixin, Vertical):
    """The Tidslinje tab. Its workers' failures are shown as messages (a lost session goes
    back to login) through SamproPaneMixin."""

    DEFAULT_CSS = default_css(__file__, "timeline.tcss")

    class Go(Message):
        """Enter on an item: the plan shell takes the user to it."""

        def __init__(self, item: TimelineItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, plan: PlanHome, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.plan = plan
        self.items: list[TimelineItem | None] = []
        self.loaded_at: datetime | None = None
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield OptionList(id="timeline")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="timeline", exit_on_error=False)
    async def load(self) -> None:
        timeline: Timeline = await self.app.api.timeline(self.plan.id)  # type: ignore[attr-defined]
        self.show(timeline)

    def show(self, timeline: Timeline) -> None:
        self.timeline = timeline
        options, self.items = timeline_options(timeline)
        listing = self.query_one("#timeline", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(options)
        if highlighted is not None:
            listing.highlighted = min(highlighted, len(options) - 1)
        self.loaded_at = timeline.now

    @on(OptionList.OptionHighlighted, "#timeline")
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        if (
            self.timeline is not None
            and self.timeline.has_more
            and event.option_index >= len(self.items) - NEAR_END_ITEMS
        ):
            self.load_older(self.timeline)

    @work(exclusive=True, group="timeline-older", exit_on_error=False)
    async def load_older(self, shown: Timeline) -> None:
        """Older items, appended below, as the cursor nears the end of what is shown."""
        past = [i for i in shown.items if not i.future]
        if not past:
            return
        # The cursor (time, kind and id of the last item) never skips items sharing a
        # time; `before` is for a server that gives none.
        older: Timeline = await self.app.api.timeline(  # type: ignore[attr-defined]
            self.plan.id,
            cursor=shown.next_cursor,
            before=None if shown.next_cursor else past[-1].at,
        )
        if self.timeline is not shown:
            return  # reloaded meanwhile
        seen = {(i.object_type, i.object_id, i.at) for i in shown.items}
        fresh = [
            i
            for i in older.items
            if not i.future and (i.object_type, i.object_id, i.at) not in seen
        ]
        self.show(
            shown.model_copy(update={"items": shown.items + fresh, "has_more": older.has_more})
        )

    @on(OptionList.OptionSelected, "#timeline")
    def _go(self, event: OptionList.OptionSelected) -> None:
        item = self.items[event.option_index] if event.option_index < len(self.items) else None
        if item is not None:
            go_to_item(self.screen, item)


def go_to_item(screen: Screen[Any], item: TimelineItem) -> None:
    """Enter on a timeline item: to its place in the plan, on the tab that owns it."""
    if item.kind == TimelineKind.MESSAGE:
        from screens.plan.messages.pane import open_in_messages

        open_in_messages(screen, item.object_id, inbox=False)  # mine may be in "sent"
    elif item.kind == TimelineKind.CALENDAR:
        from screens.plan.calendar.pane import open_in_calendar

        open_in_calendar(screen, item.at.date())
    elif item.kind in (TimelineKind.GOAL, TimelineKind.ACTIVITY, TimelineKind.COMMENT):
        if screen.query("#tab-goals"):
            from screens.plan.goals.find import open_in_goals

            open_in_goals(screen, item)
    elif item.kind == TimelineKind.PARTICIPANT:
        show_tab(screen, "tab-participants" if screen.query("#tab-participants") else HOME_TAB)
