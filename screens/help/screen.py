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
from widgets.stylesheet import default_css

GUIDE_NB = """\
**Pålogging.** Skriv brukernavn og passord, så engangskoden du får på SMS eller e-post
({code_valid}, ny kode hver gang). {lockout} Husk å slå av Caps Lock.

**Liste planer.** Viser planene der du er plandeltaker. Søk på fornavn og etternavn;
tomt søk viser alle. Avsluttede planer (🔒) vises bare med «Vis også avsluttede planer».
Sorter med tallene 1–0 eller ved å klikke på en kolonneoverskrift; samme kolonne igjen
snur rekkefølgen. Samtykke som utgår innen 30 dager står i rødt. Enter åpner planen.

**Hjem.** «Om meg selv» er planeiers presentasjon. Planeier og koordinator kan
redigere den og statusen (tast `e`, lagre med Ctrl+S); koordinator også planens start-
og sluttdato.

**Økt.** {session} Det du holder på å skrive, lagres som utkast. Logg ut når som helst
med Ctrl+L.

**Kommandoer.** Ctrl+P åpner kommandolinjen: gå til en plan ved å skrive planeiers navn,
til en fane i planen som er åpen, bytt passord, tema eller språk.
"""

GUIDE_EN = """\
**Logging in.** Enter username and password, then the one-time code sent by SMS or
e-mail ({code_valid}, a new one each time). {lockout} Mind Caps Lock.

**Plans.** Lists the plans you take part in. Search by first and last name; an empty
search lists all. Closed plans (🔒) appear only with "Also show closed plans". Sort
with the keys 1–0 or by clicking a column header; the same column again reverses.
Consent ending within 30 days is red. Enter opens the plan.

**Home.** "About me" is the plan owner's presentation. The owner and the coordinator
can edit it and the status (key `e`, save with Ctrl+S); the coordinator also the
plan's start and end dates.

**Session.** {session} What you are writing is saved as a draft. Log out any time with
Ctrl+L.

**Commands.** Ctrl+P opens the command palette: go to a plan by typing the owner's
name, to a tab of the open plan, change password, theme or language.
"""

# Durations in words: (one, many) per unit and language; "en time", "5 minutter".
_UNITS = {
    "nb": [
        ("en time", "{n} timer"),
        ("ett minutt", "{n} minutter"),
        ("ett sekund", "{n} sekunder"),
    ],
    "en": [("an hour", "{n} hours"), ("a minute", "{n} minutes"), ("a second", "{n} seconds")],
}
_AND = {"nb": "og", "en": "and"}

_SESSION = {
    "nb": (
        "Etter {idle} uten aktivitet blir du logget ut; en advarsel kommer {warning} før.",
        "Etter en tid uten aktivitet (tjeneren bestemmer hvor lenge) blir du logget ut; "
        "en advarsel kommer i god tid før.",
    ),
    "en": (
        "After {idle} without activity you are logged out; a warning comes {warning} before.",
        "After a while without activity (the server decides how long) you are logged out; "
        "a warning comes in good time before.",
    ),
}
_LOCKOUT = {
    "nb": (
        "{n} feil passord på rad gir utestenging i {duration}.",
        "Gjentatte feil passord gir midlertidig utestenging.",
    ),
    "en": (
        "{n} wrong passwords in a row lock the account for {duration}.",
        "Repeated wrong passwords lock the account for a while.",
    ),
}
_CODE = {
    "nb": ("gyldig i {lifetime}", "gyldig en kort stund"),
    "en": ("valid for {lifetime}", "valid for a short while"),
}


def duration_words(seconds: float, lang: str) -> str:
    """A duration in words: "en time", "1 time og 30 minutter" ... "an hour", "5 minutes".

    From a minute up, seconds are rounded to whole minutes (a code's lifetime measured
    over the network is 599.8 s, which is ten minutes to a person).
    """
    total = max(0, round(seconds))
    if total >= 60:
        total = round(total / 60) * 60
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    units = _UNITS.get(lang, _UNITS["nb"])
    parts = [
        (one if n == 1 else many.format(n=n))
        for n, (one, many) in zip((hours, minutes, secs), units, strict=True)
        if n
    ]
    if not parts:
        return units[2][1].format(n=0)
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_AND.get(lang, 'og')} {parts[-1]}"


def guide(
    lang: str,
    *,
    idle: float | None = None,
    warning: float | None = None,
    code_lifetime: float | None = None,
    lockout: tuple[int, int] | None = None,
) -> str:
    """The user guide with the times this client knows (the server's settings) in words;
    `lockout` is the server's (threshold, seconds), as the login screen fetched them."""
    lang = lang if lang in _SESSION else "nb"
    known, unknown = _SESSION[lang]
    session = (
        known.format(idle=duration_words(idle, lang), warning=duration_words(warning, lang))
        if idle is not None and warning is not None
        else unknown
    )
    code_known, code_unknown = _CODE[lang]
    code_valid = (
        code_known.format(lifetime=duration_words(code_lifetime, lang))
        if code_lifetime is not None
        else code_unknown
    )
    lockout_known, lockout_unknown = _LOCKOUT[lang]
    lockout_text = (
        lockout_known.format(n=lockout[0], duration=duration_words(lockout[1], lang))
        if lockout is not None
        else lockout_unknown
    )
    template = GUIDE_EN if lang == "en" else GUIDE_NB
    return template.format(session=session, code_valid=code_valid, lockout=lockout_text)


class HelpScreen(SamproModal):
    DEFAULT_CSS = default_css(__file__, "help.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "key.close", id="help.close"),
    ]

    def __init__(
        self, bindings: list[tuple[str, str, str]], screen_name: str | None = None
    ) -> None:
        super().__init__()
        self.bindings = bindings
        self.screen_name = screen_name

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_column(style="dim")  # the binding id, for key remaps in config.toml
        for key, description, binding_id in self.bindings:
            table.add_row(key, description, binding_id)
        with Vertical(id="help-box"), VerticalScroll():
            yield Static(t("help.title"), classes="title")
            yield Static(t("help.keys"), classes="section")
            yield Static(table, id="help-keys")
            yield Static(t("help.guide"), classes="section")
            yield Markdown(self.guide_text(), id="guide")
        yield Footer()

    def guide_text(self) -> str:
        """The guide with the session's own times once logged in (the server's settings)."""
        app = self.sampro
        timer = app.timer
        return guide(
            language(),
            idle=timer.idle_timeout if timer.active else None,
            warning=timer.warning if timer.active else None,
            code_lifetime=app.known_code_lifetime(),
            lockout=app.lockout_policy,
        )

    def action_close(self) -> None:
        self.dismiss()
