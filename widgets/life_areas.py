"""The life areas (livsområder) as a list: name, date and status, description."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sampro_contract import LifeAreaEntry
from sampro_tui.formatting import fmt_date, fmt_datetime
from sampro_tui.i18n import t
from widgets.stylesheet import default_css


def render_area(entry: LifeAreaEntry) -> Group:
    head = Text()
    head.append(t(f"life.{entry.area.value}"), style="bold")
    facts = []
    if entry.date:
        facts.append(f"{t('life.date')}: {fmt_date(entry.date)}")
    if entry.status:
        facts.append(f"{t('life.status')}: {entry.status}")
    if facts:
        head.append("   " + " · ".join(facts), style="cyan")
    body = Text(entry.description or t("life.empty"), style="" if entry.description else "dim")
    lines: list[Text] = [head, body]
    if entry.updated_at and entry.updated_by:
        lines.append(
            Text(
                t("life.updated", when=fmt_datetime(entry.updated_at), who=entry.updated_by),
                style="dim",
            )
        )
    lines.append(Text(""))
    return Group(*lines)


class LifeAreasView(OptionList):
    """One option per visible life area; the hidden ones are simply not there."""

    DEFAULT_CSS = default_css(__file__, "life_areas.tcss")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[LifeAreaEntry] = []

    def show(self, entries: list[LifeAreaEntry]) -> None:
        keep = self.highlighted
        self.entries = entries
        self.clear_options()
        self.add_options([Option(render_area(e), id=e.area.value) for e in entries])
        if entries:
            self.highlighted = min(keep or 0, len(entries) - 1)

    @property
    def current(self) -> LifeAreaEntry | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.entries):
            return None
        return self.entries[index]
