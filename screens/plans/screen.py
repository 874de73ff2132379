"""The plan list (Liste planer): my plans, searchable and sortable, quick with thousands."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Footer, Input, Static

from sampro_contract import PlanListItem, PlanSort, SortOrder
from sampro_tui.base import SamproScreen
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from widgets.plan_table import Cell, Column, VirtualTable
from widgets.session_bar import SessionBar

PAGE_SIZE = 1000  # the server's maximum; the first page paints before the rest arrive
CONSENT_WARNING_DAYS = 30
PADLOCK = "🔒"

# Column key (a PlanSort value), its i18n key and width, in the seeds' order.
COLUMNS: list[tuple[PlanSort, str, int, bool]] = [
    (PlanSort.OWNER, "col.owner", 24, False),
    (PlanSort.SHORT_NAME, "col.short_name", 20, False),
    (PlanSort.TYPE, "col.type", 4, False),
    (PlanSort.BIRTH_DATE, "col.birth_date", 10, False),
    (PlanSort.CHANGED, "col.changed", 11, False),
    (PlanSort.NEW_MESSAGES, "col.new_messages", 10, False),
    (PlanSort.CONSENT_DAYS, "col.consent_days", 14, False),
    (PlanSort.START_DATE, "col.start_date", 10, False),
    (PlanSort.END_DATE, "col.end_date", 10, False),
    (PlanSort.LAST_ARCHIVED, "col.last_archived", 13, False),
]


def owner_name(plan: PlanListItem) -> str:
    return f"{plan.owner_last_name}, {plan.owner_first_name}"


def plan_cells(plan: PlanListItem) -> list[Cell]:
    """One plan as the list shows it: marks for changes, messages, consent, padlock."""
    owner = f"{PADLOCK} {owner_name(plan)}" if plan.closed else owner_name(plan)
    consent: Cell = ("", None)
    if plan.consent_days is not None:
        if plan.consent_days < 0:
            consent = (t("consent.expired"), "danger")
        else:
            style = "danger" if plan.consent_days <= CONSENT_WARNING_DAYS else None
            consent = (t("consent.days", days=plan.consent_days), style)
    return [
        (owner, None),
        (plan.short_name, None),
        (plan.type.value, None),
        (fmt_date(plan.birth_date), None),
        (f"● {t('mark.changed')}" if plan.changed else "", "mark" if plan.changed else None),
        (
            f"✉ {plan.new_messages}" if plan.new_messages else "",
            "mark" if plan.new_messages else None,
        ),
        consent,
        (fmt_date(plan.start_date), None),
        (fmt_date(plan.end_date), None),
        (fmt_date(plan.last_archived), None),
    ]


def plan_row_style(plan: PlanListItem) -> str | None:
    return "dim" if plan.closed else None


class PlanTable(VirtualTable[PlanListItem]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "sort(0)", show=False),
        Binding("2", "sort(1)", show=False),
        Binding("3", "sort(2)", show=False),
        Binding("4", "sort(3)", show=False),
        Binding("5", "sort(4)", show=False),
        Binding("6", "sort(5)", show=False),
        Binding("7", "sort(6)", show=False),
        Binding("8", "sort(7)", show=False),
        Binding("9", "sort(8)", show=False),
        Binding("0", "sort(9)", show=False),
        Binding("s", "next_sort", "key.sort", id="plans.sort"),
    ]

    def action_sort(self, index: int) -> None:
        if 0 <= index < len(self.columns):
            self.post_message(self.HeaderClicked(self, self.columns[index]))

    def action_next_sort(self) -> None:
        keys = [c.key for c in self.columns]
        current = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.action_sort((current + 1) % len(keys))


class PlanListScreen(SamproScreen):
    CSS_PATH = "plans.tcss"
    AUTO_FOCUS = "#plans"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f,slash", "search", "key.search", id="plans.search"),
        Binding("ctrl+o", "toggle_closed", "key.closed", id="plans.closed"),
        Binding("r", "reverse", "key.reverse", id="plans.reverse"),
        Binding("f5", "reload", "key.refresh", id="plans.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="plans-screen")
        self.plans: list[PlanListItem] = []
        self.total = 0
        self.sort = PlanSort.OWNER
        self.order = SortOrder.ASC
        self.first_name = ""
        self.last_name = ""
        self.include_closed = False
        self.loading_text = t("plans.loading")

    def compose(self) -> ComposeResult:
        yield SessionBar()
        with Horizontal(id="search-bar"):
            yield Input(self.first_name, placeholder=t("plans.first_name"), id="first-name")
            yield Input(self.last_name, placeholder=t("plans.last_name"), id="last-name")
            yield Checkbox(t("plans.show_closed"), self.include_closed, id="show-closed")
            yield Button(t("plans.search"), id="search")
        table = PlanTable(
            [Column(key.value, t(label), width, right) for key, label, width, right in COLUMNS],
            plan_cells,
            row_style=plan_row_style,
            id="plans",
        )
        yield table
        yield Static("", id="plans-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PlanTable).set_sort(self.sort.value, self.order is SortOrder.DESC)
        if self.plans:
            self.query_one(PlanTable).set_rows(self.plans)
            self.update_status()
        else:
            self.reload()

    async def retranslate(self) -> None:
        await super().retranslate()
        self.on_mount()

    def update_status(self, loading: bool = False) -> None:
        if loading:
            text = self.loading_text
        elif not self.plans:
            text = t("plans.empty")
        else:
            label = next(t(lab) for key, lab, _, _ in COLUMNS if key is self.sort)
            order = t("plans.desc" if self.order is SortOrder.DESC else "plans.asc")
            text = (
                t("plans.count", shown=len(self.plans), total=self.total)
                + " · "
                + t("plans.sorted", column=label, order=order)
            )
        self.query_one("#plans-status", Static).update(text)

    # --- loading ----------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()

    @work(exclusive=True, group="plans", exit_on_error=False)
    async def reload(self) -> None:
        """First page at once, the rest appended as it arrives (server sorts and pages)."""
        api = self.sampro.api
        table = self.query_one(PlanTable)
        selected = table.current_row.id if table.current_row else None
        self.update_status(loading=True)
        query = dict(
            first_name=self.first_name,
            last_name=self.last_name,
            include_closed=self.include_closed,
            sort=self.sort,
            order=self.order,
            page_size=PAGE_SIZE,
        )
        from sampro_tui.api import ApiError, ServerUnreachable

        try:
            page = await api.list_plans(page=1, **query)  # type: ignore[arg-type]
            self.plans = list(page.items)
            self.total = page.total
            table.set_rows(self.plans)
            self.update_status(loading=len(self.plans) < self.total)
            number = 1
            while len(self.plans) < self.total and page.items:
                number += 1
                page = await api.list_plans(page=number, **query)  # type: ignore[arg-type]
                table.append_rows(page.items)  # the table shares self.plans
                self.update_status(loading=len(self.plans) < self.total)
        except (ApiError, ServerUnreachable) as error:
            if isinstance(error, ApiError) and error.session_lost:
                raise  # the app takes the user back to login
            self.show_load_error(error)
            return
        self.update_status()
        if selected is not None:
            for index, plan in enumerate(self.plans):
                if plan.id == selected:
                    table.cursor_row = index
                    break
        if not self.first_name and not self.last_name:
            from sampro_tui.commands import index_entry

            self.sampro.plan_index = [index_entry(p) for p in self.plans]
            self.sampro.plan_index_partial = False

    def show_load_error(self, error: BaseException) -> None:
        """A page failed: say so, and how many rows did arrive (they stay usable)."""
        from sampro_tui.errors import describe

        if self.plans:
            text = t("plans.partial", shown=len(self.plans), total=self.total)
        else:
            text = t("plans.failed")
        self.query_one("#plans-status", Static).update(f"{text} {describe(error)}")

    # --- search, sort, open -----------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#last-name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#search")
    def _search(self) -> None:
        self.first_name = self.query_one("#first-name", Input).value
        self.last_name = self.query_one("#last-name", Input).value
        self.reload()
        self.query_one(PlanTable).focus()

    @on(Checkbox.Changed, "#show-closed")
    def _show_closed_changed(self, event: Checkbox.Changed) -> None:
        if event.value != self.include_closed:
            self.include_closed = event.value
            self.reload()

    def action_toggle_closed(self) -> None:
        self.query_one("#show-closed", Checkbox).toggle()

    def action_reverse(self) -> None:
        self.set_sort(self.sort, reverse=True)

    @on(VirtualTable.HeaderClicked)
    def _header(self, event: VirtualTable.HeaderClicked) -> None:
        self.set_sort(PlanSort(event.column.key), reverse=PlanSort(event.column.key) is self.sort)

    def set_sort(self, sort: PlanSort, reverse: bool) -> None:
        """Sort on a column; choosing the same column again reverses the order."""
        if reverse:
            self.order = SortOrder.DESC if self.order is SortOrder.ASC else SortOrder.ASC
        else:
            self.sort, self.order = sort, SortOrder.ASC
        self.query_one(PlanTable).set_sort(self.sort.value, self.order is SortOrder.DESC)
        self.reload()

    @on(VirtualTable.RowSelected)
    def _open(self, event: VirtualTable.RowSelected) -> None:
        plan = event.row
        assert isinstance(plan, PlanListItem)
        self.sampro.open_plan(plan.id)
