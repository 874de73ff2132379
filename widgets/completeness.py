"""What the plan still lacks of the regulation's list, for the coordinator on the plan's
home; Enter on an item goes to the tab where it is fixed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.widgets import OptionList, TabbedContent
from textual.widgets.option_list import Option

import sampro_tui.content_texts  # noqa: F401 - registers the feature's texts
from sampro_contract import Completeness
from sampro_tui.i18n import t

# Where each item is fixed: the tab's id in the plan shell.
TABS = {
    "goals": "tab-goals",
    "life_areas": "tab-life",
    "participants": "tab-participants",
    "home": "tab-home",
}


class CompletenessList(OptionList):
    DEFAULT_CSS = """
    CompletenessList { height: auto; max-height: 10; border: none; margin: 0 0 1 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.targets: list[str] = []

    def show(self, completeness: Completeness) -> None:
        self.clear_options()
        missing = [i for i in completeness.items if not i.covered]
        self.targets = [i.fix_in for i in missing]
        if not missing:
            self.add_option(Option(Text("✔ " + t("completeness.all_done"), style="green")))
            return
        self.add_options(
            [
                Option(Text("✘ ", style="bold red") + Text(t(f"completeness.{i.key}")))
                for i in missing
            ]
        )

    @on(OptionList.OptionSelected)
    def _go(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not 0 <= event.option_index < len(self.targets):
            return
        tab = TABS.get(self.targets[event.option_index], "")
        tabs = self.screen.query(TabbedContent)
        if tab and tabs and tabs.first().query(f"#{tab}"):
            tabs.first().active = tab
        else:
            where = t(f"completeness.where.{self.targets[event.option_index]}")
            self.app.notify(t("completeness.go_missing", where=where))
