"""The Hjem tab's editor: the owner's presentation and status, and for the coordinator the
plan period (dd.mm.yyyy), checked before anything is sent."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static, TextArea

from sampro_contract import PlanHome
from sampro_tui.formatting import fmt_date, parse_date
from sampro_tui.i18n import t

# The plan period: (the update's field, which is also the plan's, input id, label key).
PERIOD_FIELDS = (
    ("start_date", "edit-start", "plan.start_date"),
    ("end_date", "edit-end", "plan.end_date"),
)


class HomeEditor(Vertical):
    """The form under the presentation; shown while the home tab is being edited."""

    def compose(self) -> ComposeResult:
        yield Label(t("plan.edit_title"), classes="section")
        yield Label(t("plan.about"))
        yield TextArea(id="edit-presentation", soft_wrap=True, tab_behavior="focus")
        yield Label(t("plan.status"))
        yield Input(id="edit-status", max_length=2000)
        with Vertical(id="editor-dates"):  # the coordinator's
            yield Label(t("plan.period"))
            with Horizontal(id="editor-date-row"):
                yield Label(t("plan.start_date"), classes="date-label")
                yield Input(id="edit-start", placeholder=t("date.placeholder"), max_length=10)
                yield Label(t("plan.end_date"), classes="date-label")
                yield Input(id="edit-end", placeholder=t("date.placeholder"), max_length=10)
            yield Static("", id="edit-dates-error", classes="error")
        with Horizontal(id="editor-buttons"):
            yield Button(t("key.save"), variant="primary", id="save")
            yield Button(t("key.cancel"), id="cancel")

    @property
    def presentation(self) -> str:
        return self.query_one("#edit-presentation", TextArea).text

    @property
    def status(self) -> str:
        return self.query_one("#edit-status", Input).value

    def texts(self) -> tuple[str, str, str, str]:
        """What the form holds: presentation, status, start and end as typed."""
        return (
            self.presentation,
            self.status,
            self.query_one("#edit-start", Input).value,
            self.query_one("#edit-end", Input).value,
        )

    def fill(
        self,
        plan: PlanHome,
        presentation: str | None,
        status: str | None,
        start: str | None,
        end: str | None,
    ) -> None:
        """The plan's texts, or those given (a draft's), into the fields."""
        self.query_one("#edit-presentation", TextArea).load_text(
            plan.presentation if presentation is None else presentation
        )
        self.query_one("#edit-status", Input).value = plan.status_text if status is None else status
        # Only the coordinator changes the plan period (the server says so too).
        self.query_one("#editor-dates").display = plan.me.is_coordinator
        self.query_one("#edit-start", Input).value = (
            fmt_date(plan.start_date) if start is None else start
        )
        self.query_one("#edit-end", Input).value = fmt_date(plan.end_date) if end is None else end
        self.show_error("")

    def show_error(self, message: str | Text) -> None:
        self.query_one("#edit-dates-error", Static).update(message)

    def dates(self, plan: PlanHome) -> dict[str, date] | None:
        """The period's changed dates for the update, or None after showing what is wrong."""
        if not plan.me.is_coordinator:
            return {}
        values: dict[str, date | None] = {}
        for name, input_id, label in PERIOD_FIELDS:
            field = self.query_one(f"#{input_id}", Input)
            text = field.value.strip()
            if not text:
                if getattr(plan, name) is not None:
                    self.show_error(t("plan.date_required", field=t(label)))
                    field.focus()
                    return None
                values[name] = None
                continue
            parsed = parse_date(text)
            if parsed is None:
                self.show_error(t("plan.bad_date", field=t(label)))
                field.focus()
                return None
            values[name] = parsed
        start, end = values["start_date"], values["end_date"]
        if start is not None and end is not None and end < start:
            self.show_error(t("plan.end_before_start"))
            self.query_one("#edit-end", Input).focus()
            return None
        self.show_error("")
        return {
            name: value
            for name, value in values.items()
            if value is not None and value != getattr(plan, name)
        }
