"""Help (?/F1): the keys of the screen in front and a short user guide."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Markdown, Static

from sampro_tui.base import SamproModal
from sampro_tui.i18n import language, t

GUIDE_NB = """\
**Pålogging.** Skriv brukernavn og passord, så engangskoden du får på SMS eller e-post
(gyldig i 10 minutter, ny kode hver gang). Tre feil passord på rad gir 10 minutters
utestenging. Husk å slå av Caps Lock.

**Liste planer.** Viser planene der du er plandeltaker. Søk på fornavn og etternavn;
tomt søk viser alle. Avsluttede planer (🔒) vises bare med «Vis også avsluttede planer».
Sorter med tallene 1–0 eller ved å klikke på en kolonneoverskrift; samme kolonne igjen
snur rekkefølgen. Samtykke som utgår innen 30 dager står i rødt. Enter åpner planen.

**Hjem.** «Om meg selv» er planeiers presentasjon. Planeier og koordinator kan
redigere den og statusen (tast `e`, lagre med Ctrl+S).

**Økt.** Etter en time uten aktivitet blir du logget ut; en advarsel kommer 5 minutter
før. Det du holder på å skrive, lagres som utkast. Logg ut når som helst med Ctrl+L.

**Kommandoer.** Ctrl+P åpner kommandolinjen: gå til en plan ved å skrive planeiers navn,
bytt passord, tema eller språk.
"""

GUIDE_EN = """\
**Logging in.** Enter username and password, then the one-time code sent by SMS or
e-mail (valid for 10 minutes, a new one each time). Three wrong passwords in a row lock
the account for 10 minutes. Mind Caps Lock.

**Plans.** Lists the plans you take part in. Search by first and last name; an empty
search lists all. Closed plans (🔒) appear only with "Also show closed plans". Sort
with the keys 1–0 or by clicking a column header; the same column again reverses.
Consent ending within 30 days is red. Enter opens the plan.

**Home.** "About me" is the plan owner's presentation. The owner and the coordinator
can edit it and the status (key `e`, save with Ctrl+S).

**Session.** After an hour without activity you are logged out; a warning comes 5
minutes before. What you are writing is saved as a draft. Log out any time with Ctrl+L.

**Commands.** Ctrl+P opens the command palette: go to a plan by typing the owner's
name, change password, theme or language.
"""


class HelpScreen(SamproModal):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .section { text-style: bold; color: $accent; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "key.close", id="help.close"),
    ]

    def __init__(self, bindings: list[tuple[str, str]], screen_name: str | None = None) -> None:
        super().__init__(id="help")
        self.bindings = bindings
        self.screen_name = screen_name

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, description in self.bindings:
            table.add_row(key, description)
        with Vertical(id="help-box"), VerticalScroll():
            yield Static(t("help.title"), classes="title")
            yield Static(t("help.keys"), classes="section")
            yield Static(table, id="help-keys")
            yield Static(t("help.guide"), classes="section")
            yield Markdown(GUIDE_EN if language() == "en" else GUIDE_NB, id="guide")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss()
