"""What the plan still lacks of the regulation's list, for the coordinator on the plan's
home; Enter on an item goes to the tab where it is fixed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import OptionList, TabbedContent
from textual.widgets.option_list import Option

from sampro_contract import Completeness, CompletenessItem
from sampro_tui.i18n import t
from widgets.stylesheet import default_css

# Where each item is fixed: the tab's id in the plan shell.
TABS = {
    "goals": "tab-goals",
    "life_areas": "tab-life",
    "participants": "tab-participants",
    "home": "tab-home",
}


def item_text(item: CompletenessItem) -> str:
    """The client's own words for an item; the server's (English) for an item it has added
    since this client was made."""
    key = f"completeness.{item.key}"
    text = t(key)
    return item.message if text == key else text


class CompletenessList(OptionList):
    DEFAULT_CSS = default_css(__file__, "completeness.tcss")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.targets: list[str] = []

    def on_focus(self) -> None:
        # Tabbing in lands on the first item, so Enter acts at once.
        if self.highlighted is None and self.targets:
            self.highlighted = 0

    def show(self, completeness: Completeness) -> None:
        self.clear_options()
        missing = [i for i in completeness.items if not i.covered]
        self.targets = [i.fix_in for i in missing]
        if not missing:
            self.add_option(Option(Text("✔ " + t("completeness.all_done"), style="green")))
            return
        self.add_options(
            [Option(Text("✘ ", style="bold red") + Text(item_text(i))) for i in missing]
        )

    @on(OptionList.OptionSelected)
    async def _go(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not 0 <= event.option_index < len(self.targets):
            return
        fix_in = self.targets[event.option_index]
        tab = TABS.get(fix_in, "")
        tabs = self.screen.query(TabbedContent)
        if tab and tabs and tabs.first().query(f"#{tab}"):
            tabs.first().active = tab
            if fix_in == "home":  # the plan's dates: into the home editor's date fields
                await self.screen.run_action("edit_dates")
            return
        # The tab is not there (not in this client, or not for these rights): say so, and
        # what to do instead, rather than doing nothing.
        where = t(f"completeness.where.{fix_in}")
        if where == f"completeness.where.{fix_in}":
            where = fix_in
        self.app.notify(t("completeness.tab_missing", where=where), severity="warning", timeout=10)
