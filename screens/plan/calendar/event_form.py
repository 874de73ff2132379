"""A calendar event's form (new or changed): title, date or dates, times, place and note,
checked before anything is sent."""

from __future__ import annotations

from datetime import date, time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, TextArea

from sampro_contract import CalendarEvent, CalendarEventIn, CalendarEventUpdate, PlanHome
from sampro_tui.base import SamproModal
from sampro_tui.formatting import fmt_date, fmt_time, parse_date, parse_time
from sampro_tui.i18n import t
from widgets.stylesheet import default_css


class EventForm(SamproModal):
    """A new calendar event on a day, or a change to one."""

    DEFAULT_CSS = default_css(__file__, "event_form.tcss")
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
                    start = fmt_time(e.start_time) if e else ""
                    yield Input(start, id="event-start")
                with Vertical():
                    yield Label(t("cal.end"))
                    end = fmt_time(e.end_time) if e else ""
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
