"""A virtual, sortable table: renders only the lines on screen (Textual's Line API).

The built-in DataTable measures every cell of every row, which takes seconds for ten
thousand plans. This table has fixed column widths and asks for a row's cells only
when the row is painted, keeping recently painted lines in an LRU cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sampro_tui.base import translate_bindings
from widgets.stylesheet import default_css

RowT = TypeVar("RowT")

# A cell: its text and an optional component class name for its style.
Cell = tuple[str, str | None]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    align_right: bool = False


class VirtualTable(ScrollView, Generic[RowT], can_focus=True):
    """Rows of any type; `cells(row)` gives one Cell per column when a row is painted."""

    DEFAULT_CSS = default_css(__file__, "plan_table.tcss")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blurred",
        "virtual-table--even",
        "virtual-table--odd",
        "virtual-table--danger",
        "virtual-table--mark",
        "virtual-table--dim",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home,g", "first", show=False),
        Binding("end,G", "last", show=False),
        Binding("left,h", "scroll_left", show=False),
        Binding("right,l", "scroll_right", show=False),
        Binding("enter", "select", "key.open", id="table.open"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class RowSelected(Message):
        """Enter, a double click, or a click in the first column chose a row."""

        def __init__(self, table: VirtualTable[Any], index: int, row: Any) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

    class HeaderClicked(Message):
        def __init__(self, table: VirtualTable[Any], column: Column) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(
        self,
        columns: Sequence[Column],
        cells: Callable[[RowT], Sequence[Cell]],
        *,
        row_style: Callable[[RowT], str | None] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        translate_bindings(self)
        self.columns = list(columns)
        self._cells = cells
        self._row_style = row_style
        self.rows: list[RowT] = []
        self.sort_key: str | None = None
        self.sort_descending = False
        self._lines: LRUCache[tuple[int, int], Strip] = LRUCache(512)
        self._total_width = sum(c.width + 1 for c in self.columns)

    # --- data -----------------------------------------------------------------------

    def set_rows(self, rows: list[RowT], keep_cursor: bool = False) -> None:
        self.rows = rows
        self._lines.clear()
        self.virtual_size = Size(self._total_width, len(rows) + 1)
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(0, 0, animate=False, immediate=True)
        else:
            self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self.refresh()

    def append_rows(self, rows: Sequence[RowT]) -> None:
        self.rows.extend(rows)
        self.virtual_size = Size(self._total_width, len(self.rows) + 1)
        self.refresh()

    def set_sort(self, key: str | None, descending: bool) -> None:
        self.sort_key = key
        self.sort_descending = descending
        self.refresh()

    @property
    def current_row(self) -> RowT | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # --- rendering ------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"virtual-table--{name}")

    def _line(self, parts: list[tuple[str, Style]]) -> Strip:
        return Strip([Segment(text, style) for text, style in parts], self._total_width)

    def _fit(self, text: str, column: Column) -> str:
        width = cell_len(text)
        if width > column.width:
            return set_cell_size(text, column.width - 1) + "… "
        if column.align_right:
            return " " * (column.width - width) + text + " "
        return set_cell_size(text, column.width) + " "

    def _header(self) -> Strip:
        style = self._style("header")
        parts = []
        for column in self.columns:
            label = column.label
            if column.key == self.sort_key:
                label = f"{label} {'▼' if self.sort_descending else '▲'}"
            parts.append((set_cell_size(label, column.width) + " ", style))
        return self._line(parts)

    def _row(self, index: int, cursor: bool) -> Strip:
        row = self.rows[index]
        base = self._style("even" if index % 2 == 0 else "odd")
        extra = self._row_style(row) if self._row_style else None
        if extra:
            base = base + self._style(extra)
        if cursor:
            base = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        parts = []
        for column, (text, cell_class) in zip(self.columns, self._cells(row), strict=False):
            style = base
            if cell_class and not cursor:
                style = base + self._style(cell_class)
            elif cell_class and cursor:
                style = self._style(cell_class) + base
            parts.append((self._fit(text, column), style))
        return self._line(parts)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            strip = self._header()
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, self.rich_style)
            cursor = index == self.cursor_row
            cache_key = (index, 1 + int(self.has_focus) if cursor else 0)
            cached = self._lines.get(cache_key)
            if cached is None:
                cached = self._row(index, cursor)
                self._lines[cache_key] = cached
            strip = cached
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    # --- cursor and keys ------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, immediate=True)
        self.refresh()

    def _move(self, row: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(len(self.rows) - 1, row))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor_row + direction * self._visible_rows)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, row))

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def column_at(self, x: int) -> Column | None:
        x += int(self.scroll_x)
        for column in self.columns:
            if x < column.width + 1:
                return column
            x -= column.width + 1
        return None

    async def _on_click(self, event: events.Click) -> None:
        event.stop()
        column = self.column_at(event.x)
        if event.y == 0:
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor_row = index
            if event.chain >= 2 or (column is not None and column is self.columns[0]):
                self.action_select()
