"""A month calendar grid: six weeks of days with their events, moved by keys.

Left/right move a day, up/down a week, PgUp/PgDn a month, Home goes to today; Enter or
`n` asks for a new event on the chosen day. The grid holds no data source of its own:
it tells its parent which days it shows (`RangeShown`) and is given the events.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from sampro_tui.base import translate_bindings
from sampro_tui.formatting import fmt_time
from sampro_tui.i18n import t
from widgets.stylesheet import default_css


@dataclass(frozen=True)
class DayEntry:
    """What a day cell shows of an event."""

    start: time | None
    title: str


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def grid_start(day: date) -> date:
    """The Monday on or before the first of `day`'s month."""
    first = day.replace(day=1)
    return first - timedelta(days=first.weekday())


def month_name(day: date) -> str:
    return f"{t('cal.months').split()[day.month - 1]} {day.year}"


# The moving keys are shown in the footer as three groups: "←→ dag ↑↓ uke PgUp PgDn måned".
DAY_KEYS = Binding.Group("key.by_day", compact=True)
WEEK_KEYS = Binding.Group("key.by_week", compact=True)
MONTH_KEYS = Binding.Group("key.by_month")


def translate_groups(node: DOMNode) -> None:
    """After `translate_bindings`: the footer groups' descriptions in the current language
    (`translate_bindings` translates each binding's own description only)."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, group=Binding.Group(t(b.group.description), b.group.compact))
            if b.group is not None
            else b
            for b in bindings
        ]


class MonthGrid(Widget, can_focus=True):
    DEFAULT_CSS = default_css(__file__, "month_grid.tcss")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "month-grid--header",
        "month-grid--cursor",
        "month-grid--cursor-blurred",
        "month-grid--today",
        "month-grid--other",
        "month-grid--event",
        "month-grid--rule",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "key.day_back", group=DAY_KEYS, id="grid.day_back"),
        Binding("right", "move(1)", "key.day_next", group=DAY_KEYS, id="grid.day_next"),
        Binding("up", "move(-7)", "key.week_back", group=WEEK_KEYS, id="grid.week_back"),
        Binding("down", "move(7)", "key.week_next", group=WEEK_KEYS, id="grid.week_next"),
        Binding("pageup", "month(-1)", "key.month_back", group=MONTH_KEYS, id="grid.month_back"),
        Binding("pagedown", "month(1)", "key.month_next", group=MONTH_KEYS, id="grid.month_next"),
        Binding("home", "today", "key.today", id="grid.today"),
        Binding("enter,n", "add", "key.new_event", id="grid.add"),
    ]

    cursor: reactive[date] = reactive(date(2000, 1, 1), always_update=True)

    class DateMoved(Message):
        def __init__(self, grid: MonthGrid, day: date) -> None:
            super().__init__()
            self.grid = grid
            self.day = day

    class RangeShown(Message):
        """The grid now shows these days (six weeks around a month): fetch their events."""

        def __init__(self, grid: MonthGrid, first: date, last: date) -> None:
            super().__init__()
            self.grid = grid
            self.first = first
            self.last = last

    class AddRequested(Message):
        def __init__(self, grid: MonthGrid, day: date) -> None:
            super().__init__()
            self.grid = grid
            self.day = day

    def __init__(
        self,
        today: date,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        translate_groups(self)
        self.today = today
        self.entries: dict[date, list[DayEntry]] = {}
        self._shown: date | None = None  # the first day of the grid last announced
        self._version = 0  # bumped when the entries change
        self._cache_key: object = None
        self._cache: list[Strip] = []
        self._styles: dict[str, Style] = {}
        self.set_reactive(MonthGrid.cursor, today)

    def on_mount(self) -> None:
        self._announce()

    # --- data -----------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return grid_start(self.cursor)

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=41)

    def set_entries(self, entries: Iterable[tuple[date, date, DayEntry]]) -> None:
        """Events as (first day, last day, what to show); a multi-day one fills each day."""
        by_day: dict[date, list[DayEntry]] = {}
        first, last = self.first_day, self.last_day
        for start, end, entry in entries:
            day = max(start, first)
            while day <= min(end, last):
                by_day.setdefault(day, []).append(entry)
                day += timedelta(days=1)
        for items in by_day.values():
            items.sort(key=lambda e: (e.start is not None, e.start or time(0)))
        self.entries = by_day
        self._version += 1
        self.refresh()

    # --- moving ---------------------------------------------------------------------

    def _announce(self) -> None:
        first = self.first_day
        if first != self._shown:
            self._shown = first
            self.entries = {}
            self._version += 1
            self.post_message(self.RangeShown(self, first, self.last_day))

    def watch_cursor(self, day: date) -> None:
        self._announce()
        self.post_message(self.DateMoved(self, day))
        self.refresh()

    def go_to(self, day: date) -> None:
        self.cursor = day

    def action_move(self, days: int) -> None:
        self.cursor = self.cursor + timedelta(days=days)

    def action_month(self, months: int) -> None:
        self.cursor = add_months(self.cursor, months)

    def action_today(self) -> None:
        self.cursor = self.today

    def action_add(self) -> None:
        self.post_message(self.AddRequested(self, self.cursor))

    # --- drawing --------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"month-grid--{name}")
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache_key = None

    def render_line(self, y: int) -> Strip:
        """Line API: the grid is built once per change as strips, not as Rich text (which
        Textual would parse and wrap on every paint)."""
        lines = self._strips()
        if y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def _strips(self) -> list[Strip]:
        key = (self.cursor, self.size, self.has_focus, self._version, self.today)
        if key == self._cache_key:
            return self._cache
        width, height = self.size.width, self.size.height
        week_col = 4
        cell = max(6, (width - week_col) // 7 - 1)
        lines_per_week = max(2, (height - 1) // 6)
        rule = self._style("rule")
        header = self._style("header")
        lines: list[Strip] = []
        segments = [Segment(set_cell_size(t("cal.week_col"), week_col), header)]
        for name in t("cal.weekdays").split():
            segments.append(Segment("│", rule))
            segments.append(Segment(set_cell_size(f" {name}", cell), header))
        used = week_col + 7 * (cell + 1)
        pad = Segment(" " * max(0, width - used), self.rich_style)
        # The length is known, so Strip need not measure every segment again.
        lines.append(Strip([*segments, pad], max(width, used)))
        first = self.first_day
        month = self.cursor.month
        for week in range(6):
            monday = first + timedelta(days=7 * week)
            for line in range(lines_per_week):
                label = f"{monday.isocalendar().week:>3} " if line == 0 else ""
                segments = [Segment(set_cell_size(label, week_col), header)]
                for weekday in range(7):
                    day = monday + timedelta(days=weekday)
                    segments.append(Segment("│", rule))
                    segments.append(Segment(*self._cell(day, line, cell, month)))
                segments.append(pad)
                lines.append(Strip(segments, max(width, used)))
        self._cache_key, self._cache = key, lines
        return lines

    def _cell(self, day: date, line: int, width: int, month: int) -> tuple[str, Style]:
        entries = self.entries.get(day, [])
        base = Style()
        if day.month != month:
            base = self._style("other")
        if line == 0:
            mark = "•" if entries else " "
            text = f"{day.day:>2}{mark}"
            style = base
            if day == self.today:
                style = base + self._style("today")
            if day == self.cursor:
                style = style + self._style("cursor" if self.has_focus else "cursor-blurred")
            return set_cell_size(text, width), style
        room = max(0, (self.size.height - 1) // 6 - 1)
        index = line - 1
        if index < len(entries):
            if index == room - 1 and len(entries) > room:
                text = t("cal.more", n=len(entries) - index)
            else:
                entry = entries[index]
                prefix = f"{fmt_time(entry.start)} " if entry.start else ""
                text = prefix + entry.title
            if cell_len(text) > width:
                text = set_cell_size(text, width - 1) + "…"
            style = base if day.month != month else self._style("event")
            if day == self.cursor:
                style = style + self._style("cursor-blurred")
            return set_cell_size(text, width), style
        style = self._style("cursor-blurred") if day == self.cursor else base
        return " " * width, style

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
