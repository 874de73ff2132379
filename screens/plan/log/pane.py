"""Logg: the plan's log newest first (time, who, role, action, object), for participants
with the log right, within what their other rights show (the server filters).

The log grows without end, so it is read in pages into a virtual table: the next page is
fetched as the cursor nears the end of what is loaded (or with `m`). The text filter
narrows the loaded entries at once; fetching older pages goes on under the filter.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from sampro_contract import LogEntry, Page, PlanHome, PlanRole
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_datetime
from sampro_tui.i18n import t
from widgets.plan_table import Cell, Column, VirtualTable
from widgets.stylesheet import default_css

if TYPE_CHECKING:
    pass

PAGE_SIZE = 200
NEAR_END_ROWS = 20  # fetch the next page when the cursor is this close to the end
DETAIL_CHARS = 300  # a log entry's detail is shown cut to this length
ROLES = {r.value for r in PlanRole}


def _known(key: str, fallback: str) -> str:
    text = t(key)
    return fallback if text == key else text


def role_label(role: str | None) -> str:
    if role in ROLES:
        return t(f"role.{role}")
    return _known(f"plog.role.{role}", role) if role else ""


def action_label(action: str) -> str:
    return _known(f"plog.action.{action}", action.replace("_", " "))


def object_label(entry: LogEntry) -> str:
    if not entry.object_type:
        return ""
    name = _known(f"plog.obj.{entry.object_type}", entry.object_type.replace("_", " "))
    return f"{name} #{entry.object_id}" if entry.object_id else name


def entry_cells(entry: LogEntry) -> list[Cell]:
    return [
        (fmt_datetime(entry.at), None),
        (entry.username or "–", None),
        (role_label(entry.role), None),
        (action_label(entry.action), None),
        (object_label(entry), None),
    ]


def detail_text(entry: LogEntry | None) -> str:
    if entry is None or not entry.detail:
        return ""
    text = "; ".join(f"{key}: {value}" for key, value in entry.detail.items())
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def columns() -> list[Column]:
    return [
        Column("at", t("plog.col.when"), 17),
        Column("who", t("plog.col.who"), 18),
        Column("role", t("plog.col.role"), 20),
        Column("action", t("plog.col.action"), 24),
        Column("object", t("plog.col.object"), 36),
    ]


class LogTable(VirtualTable[LogEntry]):
    class NearEnd(Message):
        """The cursor came close to the last row shown: time to fetch older entries."""

    class Moved(Message):
        """The cursor moved: show the entry's detail."""

    def watch_cursor_row(self, old: int, new: int) -> None:
        super().watch_cursor_row(old, new)
        self.post_message(self.Moved())
        if self.rows and new >= len(self.rows) - NEAR_END_ROWS:
            self.post_message(self.NearEnd())


class LogPane(SamproPaneMixin, Vertical):
    """The Logg tab."""

    DEFAULT_CSS = default_css(__file__, "log.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "key.plog_filter", id="log.filter"),
        Binding("m", "more", "key.plog_more", id="log.more"),
        Binding("f5", "reload", "key.refresh", id="log.refresh"),
    ]

    def __init__(self, plan: PlanHome, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self.plan = plan
        self.entries: list[LogEntry] = []
        self.texts: list[str] = []  # per entry, what the filter searches (lower case)
        self.total = 0
        self.pages = 0  # pages read since the last reload
        self.last_page_full = False  # a full page: there may be older entries
        self.filter_text = ""
        self.loaded = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield Input(placeholder=t("plog.filter"), id="plog-filter")
        yield LogTable(columns(), entry_cells, id="plog-table")
        yield Static("", id="plog-detail")
        yield Static("", id="plog-count")

    def on_show(self, event: events.Show) -> None:
        """Read each time the tab is shown: the log is where one's latest actions land."""
        self.load()

    # --- loading --------------------------------------------------------------------

    @work(exclusive=True, group="log-load", exit_on_error=False)
    async def load(self) -> None:
        page: Page[LogEntry] = await self.sampro.api.plan_log(self.plan.id, PAGE_SIZE)
        self.entries, self.texts, self.pages = [], [], 0
        self._add(page)
        self.show(keep_cursor=False)
        self.loaded.set()

    @work(exclusive=True, group="log-more", exit_on_error=False)
    async def load_more(self) -> None:
        """The next page of older entries, under those loaded."""
        pages = self.pages
        if not self.has_more or not self.entries:
            return
        # Older than the last one loaded: entries written meanwhile do not shift the pages.
        oldest = self.entries[-1].id
        page = await self.sampro.api.plan_log(self.plan.id, PAGE_SIZE, before_id=oldest)
        if self.pages != pages:
            return  # reloaded meanwhile
        self._add(page)
        self.show(keep_cursor=True)

    @property
    def has_more(self) -> bool:
        return self.last_page_full

    def _add(self, page: Page[LogEntry]) -> None:
        self.pages += 1
        self.total = page.total
        self.last_page_full = len(page.items) >= PAGE_SIZE
        for entry in page.items:
            self.entries.append(entry)
            words = [text for text, _ in entry_cells(entry)] + [detail_text(entry)]
            self.texts.append(" ".join(words).lower())

    def show(self, keep_cursor: bool) -> None:
        needle = self.filter_text.lower().strip()
        if needle:
            rows = [e for e, text in zip(self.entries, self.texts, strict=True) if needle in text]
            count = t(
                "plog.count_filtered",
                matches=len(rows),
                loaded=len(self.entries),
                total=self.total,
            )
        else:
            rows = list(self.entries)
            count = t("plog.count", shown=len(rows), total=self.total) if rows else t("plog.empty")
        if self.has_more:
            count += t("plog.more")
        self.query_one(LogTable).set_rows(rows, keep_cursor=keep_cursor)
        self.query_one("#plog-count", Static).update(count)
        self._show_detail()
        if self.is_attached:
            self.screen.refresh_bindings()

    @on(LogTable.Moved)
    def _show_detail(self) -> None:
        entry = self.query_one(LogTable).current_row
        self.query_one("#plog-detail", Static).update(detail_text(entry))

    @on(LogTable.NearEnd)
    def _near_end(self) -> None:
        if self.has_more:
            self.load_more()

    # --- keys -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return self.has_more
        return True

    def action_more(self) -> None:
        self.load_more()

    def action_reload(self) -> None:
        self.load()

    def action_filter(self) -> None:
        self.query_one("#plog-filter", Input).focus()

    @on(Input.Changed, "#plog-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.show(keep_cursor=False)

    @on(Input.Submitted, "#plog-filter")
    def _to_table(self, event: Input.Submitted) -> None:
        self.query_one(LogTable).focus()
