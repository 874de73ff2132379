"""What the Deltakere tab shows of a participant: the table's row and cells, and the card
(person, contact, consent and rights)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text

from sampro_contract import (
    Access,
    NotificationPrefs,
    NotifyChannel,
    Participant,
    Person,
    PlanRole,
)
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from widgets.plan_table import Cell, Column

CONSENT_WARNING_DAYS = 30  # the seeds: red in the last 30 days
ROLE_RANK = {PlanRole.OWNER: 0, PlanRole.COORDINATOR: 1, PlanRole.RELATIVE: 2, PlanRole.PROVIDER: 3}
AREA_RIGHTS = (
    "goals",
    "activities",
    "life_work",
    "life_housing",
    "life_leisure",
    "life_health",
    "life_social",
    "life_economy",
    "documents",
    "professional_plans",
)
FLAG_RIGHTS = ("log", "print", "edit_presentation")
NOTIFY_KINDS = tuple(NotificationPrefs.model_fields)
ADMIN_ACTIONS = {"add", "add_new", "edit", "remove"}
# How a new person logs in: the account's code channel, or no account at all.
ACCOUNT_CHOICES = ("sms", "email", "none")


@dataclass
class Row:
    """One participant as the list shows them."""

    participant: Participant
    me: bool
    notify: list[NotifyChannel] | None  # how they hear of new messages; None: not known

    @property
    def name(self) -> str:
        return full_name(self.participant.person)


def full_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}"


def consent_cell(expires: date | None, today: date) -> Cell:
    """The expiry date with the days left; red in the last 30 days and once expired."""
    if expires is None:
        return t("pp.consent_none"), None
    days = (expires - today).days
    when = fmt_date(expires)
    if days < 0:
        return t("pp.consent_expired", date=when), "danger"
    text = (
        t("pp.consent_today", date=when)
        if days == 0
        else t("pp.consent_days", date=when, days=days)
    )
    return text, "danger" if days <= CONSENT_WARNING_DAYS else None


def ways_text(channels: list[NotifyChannel]) -> str:
    return ", ".join(t(f"pp.notify.{c.value}") for c in channels) or t("pp.notify.none")


def notify_cell(row: Row) -> str:
    if not row.participant.has_account:
        return t("pp.no_login")
    return ways_text(row.notify) if row.notify is not None else "–"


def row_cells(row: Row, today: date) -> list[Cell]:
    p = row.participant
    name = f"{row.name} {t('pp.me')}" if row.me else row.name
    return [
        (name, None),
        (t(f"role.{p.role.value}"), None),
        (p.responsibility, None),
        consent_cell(p.consent_expires, today),
        (notify_cell(row), None),
    ]


def columns() -> list[Column]:
    return [
        Column("name", t("pp.col.name"), 28),
        Column("role", t("pp.col.role"), 20),
        Column("responsibility", t("pp.col.responsibility"), 24),
        Column("consent", t("pp.col.consent"), 24),
        Column("notify", t("pp.col.notify"), 18),
    ]


def _field(text: Text, label: str, value: str, style: str = "") -> None:
    text.append(f"{label}: ", style="bold")
    text.append((value or "–") + "\n", style=style)


def card_person(row: Row, prefs: NotificationPrefs | None) -> Text:
    p = row.participant
    text = Text()
    text.append(t("pp.card.person") + "\n", style="bold underline")
    _field(text, t("pp.name"), row.name)
    _field(text, t("pp.birth"), fmt_date(p.person.birth_date))
    _field(text, t("pp.workplace"), p.person.workplace or "")
    _field(text, t("pp.position"), p.person.position or "")
    _field(text, t("pp.responsibility"), p.responsibility)
    if row.me and prefs is not None:
        text.append("\n" + t("pp.card.notifications") + "\n", style="bold underline")
        for kind in NOTIFY_KINDS:
            _field(text, t(f"pp.kind.{kind}"), ways_text(getattr(prefs, kind)))
    return text


def card_contact(row: Row) -> Text:
    p = row.participant
    text = Text()
    text.append(t("pp.card.contact") + "\n", style="bold underline")
    _field(text, t("pp.code_via"), t(f"channel.{p.channel.value}") if p.channel else "")
    _field(text, t("pp.email"), p.person.email or "")
    _field(text, t("pp.mobile"), p.person.mobile or "")
    _field(text, t("pp.account"), t("pp.has_account") if p.has_account else t("pp.no_account"))
    return text


def card_rights(row: Row, today: date) -> Text:
    p = row.participant
    text = Text()
    text.append(t("pp.card.consent") + "\n", style="bold underline")
    _field(text, t("pp.role"), t(f"role.{p.role.value}"))
    consent, warn = consent_cell(p.consent_expires, today)
    _field(text, t("pp.consent"), consent, "bold red" if warn else "")
    if p.role == PlanRole.COORDINATOR:
        text.append(t("pp.all_rights") + "\n", style="italic")
        return text
    for name in AREA_RIGHTS:
        level: Access = getattr(p.rights, name)
        _field(text, t(f"right.{name}"), t(f"access.{level.value}"))
    for name in FLAG_RIGHTS:
        _field(text, t(f"right.{name}"), t("pp.yes") if getattr(p.rights, name) else t("pp.no"))
    return text
