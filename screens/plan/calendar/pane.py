"""Kalender: the owner's shared calendar. Month view (a grid with the chosen day's events
beside it), week, day and a list of coming events; Enter or `n` adds an event on the
chosen day; the author and the coordinator change or delete an event."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

import sampro_tui.collab_texts  # noqa: F401 - registers the feature's texts
from sampro_contract import CalendarEvent, CalendarEventIn, CalendarEventUpdate, PlanHome
from sampro_tui.base import SamproModal, SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from widgets.content_form import ChooseDialog, ConfirmDialog
from widgets.month_grid import (
    DAY_KEYS,
    MONTH_KEYS,
    WEEK_KEYS,
    DayEntry,
    MonthGrid,
    add_months,
    grid_start,
    month_name,
    translate_groups,
)

VIEWS = ("month", "week", "day", "list")


def event_time(e: CalendarEvent) -> str:
    if e.all_day:
        return t("cal.all_day")
    start = e.start_time.strftime("%H:%M") if e.start_time else ""
    end = e.end_time.strftime("%H:%M") if e.end_time else ""
    return f"{start}–{end}" if end else start


def event_line(e: CalendarEvent, with_date: bool = False) -> str:
    when = event_time(e)
    if with_date:
        when = f"{fmt_date(e.start_date)} {when}"
        if e.end_date != e.start_date:
            when += f" → {fmt_date(e.end_date)}"
    place = f" · {e.place}" if e.place else ""
    return f"{when}  {e.title}{place}"


def touches(e: CalendarEvent, day: date) -> bool:
    return e.start_date <= day <= e.end_date


class OtherView(VerticalScroll, inherit_bindings=False):
    """The week, day and list views. The arrows and PgUp/PgDn move the chosen day (the
    pane's keys), as in the month grid; Ctrl+arrows (and the mouse wheel) scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+up", "scroll_up", "key.scroll_up", show=False),
        Binding("ctrl+down", "scroll_down", "key.scroll_down", show=False),
        Binding("ctrl+home", "scroll_home", show=False),
        Binding("ctrl+end", "scroll_end", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)


class CalendarPane(SamproPaneMixin, Vertical):
    """The Kalender tab. Its workers' failures are shown as messages (a lost session goes
    back to login) through SamproPaneMixin."""

    DEFAULT_CSS = """
    CalendarPane { height: 1fr; }
    CalendarPane #cal-head { height: 1; padding: 0 1; text-style: bold; color: $accent; }
    CalendarPane #cal-main { height: 1fr; }
    CalendarPane #cal-grid { width: 1fr; }
    CalendarPane #cal-side { width: 40; border-left: solid $panel-lighten-2; padding: 0 1; }
    CalendarPane #cal-day-title { text-style: bold; }
    CalendarPane #cal-day-events { height: 1fr; border: none; }
    CalendarPane #cal-other { height: 1fr; display: none; }
    CalendarPane.-other #cal-main { display: none; }
    CalendarPane.-other #cal-other { display: block; }
    CalendarPane #cal-help { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # In the week, day and list views the grid is hidden; the keys still move the day
        # as they do in the grid: left/right a day, up/down a week, PgUp/PgDn a month.
        Binding("left", "grid('move', -1)", "key.day_back", group=DAY_KEYS),
        Binding("right", "grid('move', 1)", "key.day_next", group=DAY_KEYS),
        Binding("up", "grid('move', -7)", "key.week_back", group=WEEK_KEYS),
        Binding("down", "grid('move', 7)", "key.week_next", group=WEEK_KEYS),
        Binding("pageup", "grid('month', -1)", "key.month_back", group=MONTH_KEYS),
        Binding("pagedown", "grid('month', 1)", "key.month_next", group=MONTH_KEYS),
        Binding("home", "grid('today', 0)", "key.today"),
        Binding("enter,n", "grid('add', 0)", "key.new_event"),
        Binding("m", "view('month')", "key.month", id="calendar.month"),
        Binding("w", "view('week')", "key.week", id="calendar.week"),
        Binding("d", "view('day')", "key.day", id="calendar.day"),
        Binding("l", "view('list')", "key.list", id="calendar.list"),
        Binding("e", "edit", "key.edit", id="calendar.edit"),
        Binding("delete", "delete", "key.delete", id="calendar.delete"),
    ]

    def __init__(self, plan: PlanHome, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        translate_groups(self)
        self.plan = plan
        self.today = today or date.today()
        self.view = "month"
        self.events: list[CalendarEvent] = []
        self.range: tuple[date, date] | None = None  # the days the grid shows
        self.loaded: tuple[date, date] | None = None  # the days `events` are for
        self.cache: dict[tuple[date, date], list[CalendarEvent]] = {}
        self.coming: list[CalendarEvent] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="cal-head")
        with Horizontal(id="cal-main"):
            yield MonthGrid(self.today, id="cal-grid")
            with Vertical(id="cal-side"):
                yield Label("", id="cal-day-title")
                yield OptionList(id="cal-day-events")
        with OtherView(id="cal-other"):
            yield Static("", id="cal-other-text")
        yield Static(t("cal.help"), id="cal-help")

    @property
    def grid(self) -> MonthGrid:
        return self.query_one(MonthGrid)

    @property
    def api(self) -> Any:
        return self.app.api  # type: ignore[attr-defined]

    # --- data -----------------------------------------------------------------------

    @on(MonthGrid.RangeShown)
    def _range(self, event: MonthGrid.RangeShown) -> None:
        self.range = (event.first, event.last)
        cached = self.cache.get(self.range)
        if cached is not None:
            self.show_events(cached)  # fetched ahead: no wait for the server
        self.fetch(event.first, event.last, show=cached is None)

    @work(group="calendar-fetch", exit_on_error=False)
    async def fetch(self, first: date, last: date, show: bool = True, ahead: bool = True) -> None:
        events: list[CalendarEvent] = await self.api.events(
            self.plan.id, from_date=first, to_date=last, limit=5000
        )
        changed = self.cache.get((first, last)) != events
        self.cache[(first, last)] = events
        if len(self.cache) > 12:
            self.cache.pop(next(iter(self.cache)))
        if self.range == (first, last) and (show or changed):
            self.show_events(events)
        if ahead and self.range == (first, last):
            # The neighbouring months, so that moving there paints at once.
            for months in (1, -1):
                other = grid_start(add_months(self.grid.cursor, months))
                span = (other, other + timedelta(days=41))
                if span not in self.cache:
                    self.fetch(*span, show=False, ahead=False)

    def show_events(self, events: list[CalendarEvent]) -> None:
        self.events = events
        self.loaded = self.range
        self.grid.set_entries(
            (e.start_date, e.end_date, DayEntry(e.start_time, e.title)) for e in events
        )
        self.show_day(self.grid.cursor)
        if self.view in ("week", "day"):
            self.show_other()

    def reload(self) -> None:
        self.cache.clear()
        if self.range is not None:
            self.fetch(*self.range)

    # --- showing --------------------------------------------------------------------

    @on(MonthGrid.DateMoved)
    def _moved(self, event: MonthGrid.DateMoved) -> None:
        if self.loaded != self.range:
            return  # the new month's events are on their way; shown when they come
        self.show_day(event.day)
        if self.view in ("week", "day"):
            self.show_other()

    def day_events(self, day: date) -> list[CalendarEvent]:
        found = [e for e in self.events if touches(e, day)]
        return sorted(found, key=lambda e: (not e.all_day, e.start_time or time(0)))

    def show_day(self, day: date) -> None:
        self.query_one("#cal-head", Static).update(
            f"{month_name(day).capitalize()} · {t('cal.view.' + self.view)}"
        )
        self.query_one("#cal-day-title", Label).update(fmt_date(day))
        listing = self.query_one("#cal-day-events", OptionList)
        listing.clear_options()
        events = self.day_events(day)
        if not events:
            listing.add_option(Option(t("cal.no_events"), disabled=True))
        for e in events:
            listing.add_option(Option(event_line(e), id=str(e.id)))

    def show_other(self) -> None:
        day = self.grid.cursor
        lines: list[str] = []
        if self.view == "week":
            monday = day - timedelta(days=day.weekday())
            names = t("cal.weekdays").split()
            lines.append(f"[b]{t('cal.week_no', n=monday.isocalendar().week)}[/b]")
            for i in range(7):
                d = monday + timedelta(days=i)
                mark = " ◀" if d == day else ""
                lines.append(f"\n[b]{names[i]} {fmt_date(d)}{mark}[/b]")
                events = self.day_events(d)
                lines += [f"  {_esc(event_line(e))}" for e in events] or ["  –"]
        elif self.view == "day":
            lines.append(f"[b]{fmt_date(day)}[/b]")
            for e in self.day_events(day):
                lines.append(f"\n[b]{_esc(event_time(e))}[/b]  {_esc(e.title)}")
                if e.place:
                    lines.append(f"  {_esc(e.place)}")
                if e.description:
                    lines.append(f"  {_esc(e.description)}")
                lines.append(f"  [dim]{_esc(t('cal.by', name=e.created_by.name))}[/dim]")
            if len(lines) == 1:
                lines.append(t("cal.no_events"))
        else:
            lines += [_esc(event_line(e, with_date=True)) for e in self.coming]
            if not self.coming:
                lines.append(t("cal.no_coming"))
        self.query_one("#cal-other-text", Static).update("\n".join(lines))

    def action_view(self, view: str) -> None:
        self.view = view if view in VIEWS else "month"
        self.set_class(self.view != "month", "-other")
        self.show_day(self.grid.cursor)
        if self.view == "list":
            self.load_coming()
        elif self.view != "month":
            self.show_other()
        if self.view == "month":
            self.grid.focus()
        else:
            self.query_one("#cal-other").focus()

    def action_grid(self, action: str, amount: int) -> None:
        if action == "move":
            self.grid.action_move(amount)
        elif action == "month":
            self.grid.action_month(amount)
        elif action == "today":
            self.grid.action_today()
        else:
            self.grid.action_add()

    @work(exclusive=True, group="calendar-coming", exit_on_error=False)
    async def load_coming(self) -> None:
        self.coming = await self.api.events(self.plan.id, from_date=self.today, limit=200)
        self.show_other()

    # --- adding and changing --------------------------------------------------------

    @on(MonthGrid.AddRequested)
    def _add(self, event: MonthGrid.AddRequested) -> None:
        if self.plan.closed:
            self.app.notify(t("plan.closed"), severity="warning")
            return
        self.app.push_screen(EventForm(self.plan, event.day), self._saved)

    def _selected_event(self) -> CalendarEvent | None:
        listing = self.query_one("#cal-day-events", OptionList)
        events = self.day_events(self.grid.cursor)
        index = listing.highlighted
        if index is None and len(events) == 1:
            index = 0
        if index is None or index >= len(events):
            return None
        return events[index]

    async def _pick_event(self) -> CalendarEvent | None:
        """The event to change: the one highlighted in the month view's day list; in the
        other views (where that list is hidden) the day's only event, or one chosen."""
        if self.view == "month":
            return self._selected_event()
        events = self.day_events(self.grid.cursor)
        if len(events) <= 1:
            return events[0] if events else None
        choices = [(event_line(e), e) for e in events]
        title = t("cal.choose_event", date=fmt_date(self.grid.cursor))
        chosen = await self.app.push_screen_wait(ChooseDialog(title, choices))
        return chosen if isinstance(chosen, CalendarEvent) else None

    async def _event_to_change(self) -> CalendarEvent | None:
        """The picked event, if this participant may change it (else said why)."""
        e = await self._pick_event()
        if e is not None and not e.can_edit:
            self.app.notify(t("cal.not_yours"), severity="warning")
            return None
        return e

    @work(exclusive=True, group="calendar-change", exit_on_error=False)
    async def action_edit(self) -> None:
        e = await self._event_to_change()
        if e is not None:
            self.app.push_screen(EventForm(self.plan, e.start_date, e), self._saved)

    @work(exclusive=True, group="calendar-change", exit_on_error=False)
    async def action_delete(self) -> None:
        from sampro_tui.api import ApiError, ServerUnreachable
        from sampro_tui.errors import describe

        e = await self._event_to_change()
        if e is None:
            return
        question = t("cal.confirm_delete", title=e.title, date=fmt_date(e.start_date))
        if not await self.app.push_screen_wait(ConfirmDialog(question)):
            return
        try:
            await self.api.delete_event(self.plan.id, e.id)
        except (ApiError, ServerUnreachable) as error:
            self.app.notify(describe(error), severity="error")
            return
        self.app.notify(t("cal.deleted"))
        self.reload()

    @on(OptionList.OptionSelected, "#cal-day-events")
    def _open_event(self, event: OptionList.OptionSelected) -> None:
        self.action_edit()

    def _saved(self, result: Any) -> None:
        if isinstance(result, CalendarEvent):
            self.grid.go_to(result.start_date)
        self.reload()
        if self.view == "list":
            self.load_coming()

    def go_to(self, day: date) -> None:
        self.grid.go_to(day)
        self.grid.focus()


def _esc(text: str) -> str:
    return text.replace("[", r"\[")


def parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_time(text: str) -> time | bool | None:
    """A time, None for empty, False for something that is not a time."""
    text = text.strip().replace(".", ":")
    if not text:
        return None
    if text.isdigit() and len(text) <= 2:
        text += ":00"
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return False


class EventForm(SamproModal):
    """A new calendar event on a day, or a change to one."""

    DEFAULT_CSS = """
    EventForm { align: center middle; }
    EventForm #event-form { width: 72; height: auto; max-height: 95%; border: thick $accent;
        background: $surface; padding: 0 1; }
    EventForm #event-times { height: auto; }
    EventForm #event-times Input { width: 1fr; }
    EventForm #event-description { height: 5; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", id="event.save", priority=True),
        Binding("escape", "cancel", "key.cancel", id="event.cancel"),
    ]

    def __init__(self, plan: PlanHome, day: date, event: CalendarEvent | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.day = day
        self.event = event

    def compose(self) -> ComposeResult:
        e = self.event
        title = t("cal.edit_title") if e else t("cal.new_title", date=fmt_date(self.day))
        with Vertical(id="event-form"):
            yield Label(f"[b]{title}[/b]")
            yield Label(t("cal.title"))
            yield Input(e.title if e else "", id="event-title", max_length=200)
            with Horizontal(id="event-times"):
                with Vertical():
                    yield Label(t("cal.date"))
                    yield Input(fmt_date(e.start_date if e else self.day), id="event-date")
                with Vertical():
                    yield Label(t("cal.start"))
                    start = e.start_time.strftime("%H:%M") if e and e.start_time else ""
                    yield Input(start, id="event-start")
                with Vertical():
                    yield Label(t("cal.end"))
                    end = e.end_time.strftime("%H:%M") if e and e.end_time else ""
                    yield Input(end, id="event-end")
            yield Label(t("cal.end_date"))
            end_date = fmt_date(e.end_date) if e and e.end_date != e.start_date else ""
            yield Input(end_date, id="event-end-date")
            yield Label(t("cal.place"))
            yield Input(e.place if e else "", id="event-place", max_length=200)
            yield Label(t("cal.description"))
            yield TextArea(e.description if e else "", id="event-description")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#event-title", Input).focus()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @work(exclusive=True, group="event-save", exit_on_error=False)
    async def action_save(self) -> None:
        title = self._value("#event-title").strip()
        if not title:
            self.notify(t("cal.need_title"), severity="warning")
            return
        start_date = parse_date(self._value("#event-date"))
        end_text = self._value("#event-end-date").strip()
        end_date = parse_date(end_text) if end_text else start_date
        if start_date is None or end_date is None:
            self.notify(t("cal.bad_date"), severity="warning")
            return
        start, end = parse_time(self._value("#event-start")), parse_time(self._value("#event-end"))
        if start is False or end is False:
            self.notify(t("cal.bad_time"), severity="warning")
            return
        start_time = start if isinstance(start, time) else None
        end_time = end if isinstance(end, time) and start_time else None
        place = self._value("#event-place")
        description = self.query_one("#event-description", TextArea).text
        api = self.app.api  # type: ignore[attr-defined]
        if self.event is None:
            saved = await api.create_event(
                self.plan.id,
                CalendarEventIn(
                    title=title,
                    start_date=start_date,
                    start_time=start_time,
                    end_date=end_date,
                    end_time=end_time,
                    place=place,
                    description=description,
                ),
            )
        else:
            saved = await api.update_event(
                self.plan.id,
                self.event.id,
                CalendarEventUpdate(
                    version=self.event.version,
                    title=title,
                    start_date=start_date,
                    start_time=start_time,
                    end_date=end_date,
                    end_time=end_time,
                    all_day=start_time is None,
                    place=place,
                    description=description,
                ),
            )
        self.app.notify(t("cal.saved"))
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
