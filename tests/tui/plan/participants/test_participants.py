"""The Deltakere tab and the plan's tab order, against a live server with the demo data:
the coordinator changes a participant (and meets a conflict), adds an existing person;
a relative sees no admin keys and sets their own notifications. One picture of the tab."""

from __future__ import annotations

import os
import time as _time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from textual.app import App, ComposeResult
from textual.widgets import Footer, OptionList, Select, Static, TabbedContent, TabPane, Tabs

from sampro_contract import (
    Access,
    Channel,
    MyAccess,
    NotificationPrefs,
    NotifyChannel,
    Participant,
    Person,
    PlanHome,
    PlanRole,
    PlanType,
    Recipient,
    Rights,
)
from sampro_tui.i18n import set_language
from screens.plan.participants.pane import ParticipantsPane, ParticipantTable
from screens.plan.tabs import TAB_ORDER, PlanTabs
from screens.plans.screen import PlanTable
from server.accounts.models import UserAccount
from server.participants.models import Participant as ParticipantRow
from server.plans.models import Plan
from tests.tui.helpers import fill, log_in_fully, make_app, notifications, settled, wait_until
from widgets.content_form import ChooseDialog, ContentForm

# --- against the live server --------------------------------------------------------


def owner_plan(live: Any) -> int:
    """The demo plan of the owner with an account (the coordinator: koordinator)."""
    assert live.ctx is not None
    with live.ctx.db.read_session() as db:
        owner = db.scalars(select(UserAccount).where(UserAccount.username == "planeier")).one()
        return db.scalars(select(Plan.id).where(Plan.owner_person_id == owner.person_id)).one()


def participant_of(live: Any, plan_id: int, username: str) -> ParticipantRow:
    with live.ctx.db.read_session() as db:
        user = db.scalars(select(UserAccount).where(UserAccount.username == username)).one()
        row = db.scalars(
            select(ParticipantRow).where(
                ParticipantRow.plan_id == plan_id,
                ParticipantRow.person_id == user.person_id,
                ParticipantRow.removed_at.is_(None),
            )
        ).one()
        db.expunge(row)
        return row


async def open_participants(pilot: Any, live: Any, username: str, plan_id: int) -> Any:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    pilot.app.open_plan(plan_id)
    await wait_until(pilot, lambda: bool(pilot.app.screen.query("#tab-participants")))
    pilot.app.screen.query_one("#tabs", TabbedContent).active = "tab-participants"
    # The pane is mounted when its tab is first shown: a refresh later, or more under load.
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(ParticipantsPane)))
    pane = pilot.app.screen.query_one(ParticipantsPane)
    await wait_until(pilot, lambda: pane.loaded.is_set())
    pane.query_one(ParticipantTable).focus()
    await pilot.pause()
    return pane


async def choose_row(pilot: Any, pane: ParticipantsPane, name: str) -> None:
    table = pane.query_one(ParticipantTable)
    index = next(i for i, r in enumerate(pane.rows) if r.name == name)
    table.cursor_row = index
    await pilot.pause()


def visible_tab_ids(screen: Any) -> list[str]:
    if not screen.query("#tabs"):
        return []  # not composed yet
    tabs = screen.query_one("#tabs", TabbedContent).query_one(Tabs)
    return [str(tab.id).removeprefix("--content-tab-") for tab in tabs.query("Tab")]


async def test_a_coordinator_sees_the_plan_tabs_in_the_agreed_order(demo_server: Any) -> None:
    plan_id = owner_plan(demo_server)
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
        pilot.app.open_plan(plan_id)
        everything = {
            "tab-home",
            "tab-goals",
            "tab-calendar",
            "tab-messages",
            "tab-life",
            "tab-fag",
            "tab-participants",
            "tab-log",
            "tab-timeline",
        }
        await wait_until(pilot, lambda: everything <= set(visible_tab_ids(pilot.app.screen)))
        await pilot.pause()
        screen = pilot.app.screen
        shown = visible_tab_ids(screen)
        assert shown == [tab for tab in TAB_ORDER if tab in shown]
        assert shown.index("tab-fag") == shown.index("tab-life") + 1
        # Ctrl+arrows walk the tabs in the same order as they are shown.
        tabs = screen.query_one("#tabs", TabbedContent)
        tabs.active = "tab-home"
        walked = []
        for _ in shown:
            walked.append(tabs.active)
            await pilot.press("ctrl+right")
        assert walked == shown
        # ... and put the focus in the tab they land on, so its keys work at once.
        await pilot.press("ctrl+left")
        pane = tabs.get_pane(shown[-1])
        await wait_until(
            pilot, lambda: screen.focused is not None and pane in screen.focused.ancestors
        )


async def test_tabs_land_in_order_whatever_order_they_are_added() -> None:
    class Shell(App[None]):
        def compose(self) -> ComposeResult:
            with PlanTabs(id="tabs"):
                yield TabPane("Hjem", id="tab-home")

    async with Shell().run_test() as pilot:
        tabs = pilot.app.query_one(PlanTabs)
        for tab_id in ["tab-timeline", "tab-messages", "tab-log", "tab-goals", "tab-fag"]:
            await tabs.add_pane(TabPane(tab_id, id=tab_id))
        for tab_id in ["tab-calendar", "tab-participants", "tab-life", "tab-other"]:
            await tabs.add_pane(TabPane(tab_id, id=tab_id))
        await pilot.pause()
        expected = [
            "tab-home",
            "tab-goals",
            "tab-calendar",
            "tab-messages",
            "tab-life",
            "tab-fag",
            "tab-participants",
            "tab-log",
            "tab-timeline",
            "tab-other",  # not in the order: last
        ]
        assert visible_tab_ids(pilot.app) == expected
        assert [p.id for p in tabs.query(TabPane)] == expected


async def test_coordinator_changes_consent_and_responsibility_and_meets_a_conflict(
    demo_server: Any,
) -> None:
    plan_id = owner_plan(demo_server)
    teacher = participant_of(demo_server, plan_id, "laerer")
    soon = date.today() + timedelta(days=20)
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        pane = await open_participants(pilot, demo_server, "koordinator", plan_id)
        await choose_row(pilot, pane, "Sigrid Lunde")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        form = pilot.app.screen
        await fill(pilot, "#field-consent_expires", soon.strftime("%d.%m.%Y"))
        await fill(pilot, "#field-responsibility", "Kontaktlærer")

        # Meanwhile someone else changes the same participant: the save is refused.
        await settled(pilot, demo_server)  # no request holds the write lock now
        with demo_server.ctx.db.write_session() as db:
            db.get_one(ParticipantRow, teacher.id).version += 1
            db.commit()
        await pilot.press("ctrl+s")
        error = form.query_one("#form-error", Static)
        await wait_until(pilot, lambda: "endret denne deltakeren" in str(error.render()))
        assert pilot.app.screen is form  # the form and what was typed stay
        assert form.texts()["responsibility"] == "Kontaktlærer"

        # Saving again applies the typed values on top of the newest version.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ContentForm))

        def shown() -> Participant:
            return next(r.participant for r in pane.rows if r.participant.id == teacher.id)

        await wait_until(pilot, lambda: shown().responsibility == "Kontaktlærer")
        assert shown().consent_expires == soon
        row = next(r for r in pane.rows if r.participant.id == teacher.id)
        cells = pane.query_one(ParticipantTable)._cells(row)
        assert cells[3] == (f"{soon.strftime('%d.%m.%Y')} (om 20 d)", "danger")  # red
        rights = str(pane.query_one("#pp-rights", Static).render())
        assert "(om 20 d)" in rights

    stored = participant_of(demo_server, plan_id, "laerer")
    assert (stored.responsibility, stored.consent_expires) == ("Kontaktlærer", soon)
    assert stored.version == teacher.version + 2


async def test_coordinator_adds_an_existing_person_of_the_unit(demo_server: Any) -> None:
    plan_id = owner_plan(demo_server)
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        pane = await open_participants(pilot, demo_server, "koordinator", plan_id)
        before = len(pane.rows)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        await fill(pilot, "#field-q", "Lunde")  # already taking part: not offered
        await pilot.press("ctrl+s")
        form = pilot.app.screen
        await wait_until(pilot, lambda: "Ingen personer" in str(form.query_one("#err-q").render()))
        await fill(pilot, "#field-q", "Tveit")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChooseDialog))
        choices = pilot.app.screen.query_one(OptionList)
        choices.focus()
        choices.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        add_form = pilot.app.screen
        assert "Magnus Tveit" in str(add_form.query_one("#form-title", Static).render())
        add_form.query_one("#field-role", Select).value = "relative"
        await fill(pilot, "#field-responsibility", "Morfar")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ContentForm))
        await wait_until(pilot, lambda: len(pane.rows) == before + 1)
        added = next(r for r in pane.rows if r.name == "Magnus Tveit")
        assert pane.query_one(ParticipantTable).current_row is added
        assert "Magnus Tveit er lagt til i plangruppen." in notifications(pilot.app)

    stored = participant_of(demo_server, plan_id, "koordinator2")
    assert (stored.role, stored.responsibility) == ("relative", "Morfar")
    # The consent expiry offered is the owner's.
    assert (
        stored.consent_expires == participant_of(demo_server, plan_id, "planeier").consent_expires
    )


async def test_coordinator_registers_a_new_person_who_then_logs_in_with_the_sent_password(
    demo_server: Any,
) -> None:
    plan_id = owner_plan(demo_server)
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        pane = await open_participants(pilot, demo_server, "koordinator", plan_id)
        before = len(pane.rows)
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        form = pilot.app.screen
        await pilot.press("ctrl+s")  # mandatory names first, before anything is sent
        await wait_until(
            pilot, lambda: "fylles ut" in str(form.query_one("#err-last_name").render())
        )
        await fill(pilot, "#field-first_name", "Randi")
        await fill(pilot, "#field-last_name", "Ødegård")
        await fill(pilot, "#field-username", "randi.fysio")
        await fill(pilot, "#field-workplace", "Fysioterapitjenesten")
        await pilot.press("ctrl+s")  # SMS codes without a mobile: the server names the field
        await wait_until(pilot, lambda: str(form.query_one("#err-mobile").render()).strip() != "")
        assert str(form.query_one("#err-mobile").render()).strip() == (
            "Mobilnummer trengs når engangskoden skal gå på SMS."  # the type, in Norwegian
        )
        assert len(pane.rows) == before
        await fill(pilot, "#field-mobile", "+47 912 34 567")
        await fill(pilot, "#field-responsibility", "Fysioterapi to ganger i uka")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ContentForm))
        await wait_until(pilot, lambda: len(pane.rows) == before + 1)
        added = next(r for r in pane.rows if r.name == "Randi Ødegård")
        assert added.participant.role == PlanRole.PROVIDER
        assert added.participant.has_account
        assert added.participant.responsibility == "Fysioterapi to ganger i uka"
        assert any("midlertidig passord er sendt" in n for n in notifications(pilot.app))

    sent = [m for m in demo_server.sent_to("randi.fysio") if "Midlertidig passord" in m["body"]]
    assert len(sent) == 1 and sent[0]["channel"] == "sms"
    temporary = sent[0]["body"].split("Midlertidig passord: ")[1].split(". ")[0]
    demo_server.accounts["randi.fysio"] = temporary
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        await log_in_fully(pilot, demo_server, "randi.fysio")
        await wait_until(pilot, lambda: pilot.app.screen.id == "password")


async def test_a_coordinator_finds_a_plan_whose_consent_ran_out_and_renews_it(
    demo_server: Any,
) -> None:
    plan_id = owner_plan(demo_server)
    yesterday = date.today() - timedelta(days=1)
    owner_row = participant_of(demo_server, plan_id, "planeier")
    with demo_server.ctx.db.write_session() as db:
        for username in ("planeier", "koordinator"):
            row = db.get_one(ParticipantRow, participant_of(demo_server, plan_id, username).id)
            row.consent_expires = yesterday
        db.commit()
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
        table = pilot.app.screen.query_one(PlanTable)
        await wait_until(pilot, lambda: any(p.id == plan_id for p in table.rows))
        listed = next(p for p in table.rows if p.id == plan_id)
        assert listed.consent_days is not None and listed.consent_days < 0
        pilot.app.open_plan(plan_id)
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#tab-participants")))
        screen = pilot.app.screen
        await pilot.pause()
        note = str(screen.query_one("#closed-note", Static).render())
        assert "Samtykket for denne planen er utløpt" in note
        tab_ids = [pane.id for pane in screen.query(TabPane)]
        assert tab_ids == ["tab-home", "tab-participants"]  # nothing else of the plan
        screen.query_one("#tabs", TabbedContent).active = "tab-participants"
        await wait_until(pilot, lambda: bool(screen.query(ParticipantsPane)))
        pane = screen.query_one(ParticipantsPane)
        await wait_until(pilot, lambda: pane.loaded.is_set())
        pane.query_one(ParticipantTable).focus()
        index = next(i for i, r in enumerate(pane.rows) if r.participant.id == owner_row.id)
        pane.query_one(ParticipantTable).cursor_row = index
        await pilot.pause()
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        renewed = date.today() + timedelta(days=365)
        await fill(pilot, "#field-consent_expires", renewed.strftime("%d.%m.%Y"))
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ContentForm))
        # The renewal opens the plan again: its tabs come back and the note goes.
        await wait_until(pilot, lambda: bool(screen.query("#tab-goals")))
        await wait_until(pilot, lambda: not screen.query_one("#closed-note", Static).display)
    assert participant_of(demo_server, plan_id, "koordinator").consent_expires == renewed


async def test_a_relative_has_no_admin_keys_and_sets_own_notifications(demo_server: Any) -> None:
    plan_id = owner_plan(demo_server)
    async with make_app(demo_server).run_test(size=(150, 44)) as pilot:
        pane = await open_participants(pilot, demo_server, "parorende", plan_id)
        await choose_row(pilot, pane, "Sigrid Lunde")
        actions = {b.binding.action for b in pilot.app.screen.active_bindings.values()}
        assert not actions & {"add", "edit", "remove"}
        assert "notifications" in actions
        await pilot.press("n", "e", "x")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ContentForm)

        await pilot.press("m")  # my own card
        row = pane.query_one(ParticipantTable).current_row
        assert row is not None and row.me and row.name == "Marte Solhaug"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
        form = pilot.app.screen
        form.query_one("#field-new_message", Select).value = "both"
        form.query_one("#field-new_comment", Select).value = "email"
        form.query_one("#field-new_participant", Select).value = "none"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ContentForm))
        await wait_until(pilot, lambda: "e-post" in str(pane.query_one("#pp-person").render()))
        prefs = await pilot.app.api.notification_prefs(plan_id)

    assert prefs.new_message == [NotifyChannel.EMAIL, NotifyChannel.SMS]
    assert prefs.new_comment == [NotifyChannel.EMAIL]
    assert prefs.new_participant == []


# --- a picture of the tab, on fixed data ----------------------------------------------

TODAY = date(2026, 3, 2)


def person(i: int, first: str, last: str, **kw: Any) -> Person:
    return Person(id=i, first_name=first, last_name=last, **kw)


def participant(
    i: int,
    who: Person,
    role: PlanRole,
    expires: date | None,
    responsibility: str,
    rights: Rights | None = None,
    channel: Channel | None = Channel.SMS,
) -> Participant:
    return Participant(
        id=i,
        person=who,
        role=role,
        rights=rights or Rights(goals=Access.READ, activities=Access.WRITE),
        consent_expires=expires,
        consent_valid=expires is None or expires >= TODAY,
        responsibility=responsibility,
        has_account=channel is not None,
        channel=channel,
        version=1,
    )


PEOPLE = [
    participant(1, person(1, "Aksel", "Berg"), PlanRole.OWNER, date(2026, 9, 1), ""),
    participant(
        2,
        person(2, "Kari", "Koordinator", email="kari@example.invalid", mobile="40000000"),
        PlanRole.COORDINATOR,
        date(2026, 9, 1),
        "Koordinator",
    ),
    participant(
        3,
        person(3, "Marte", "Solhaug", birth_date=date(1984, 5, 17), email="marte@example.invalid"),
        PlanRole.RELATIVE,
        date(2026, 3, 14),
        "Mor",
        Rights(goals=Access.READ, life_health=Access.READ, log=True),
        Channel.EMAIL,
    ),
    participant(
        4,
        person(4, "Per", "Lien", workplace="Helsestasjonen", position="Helsesykepleier"),
        PlanRole.PROVIDER,
        date(2026, 2, 20),
        "Helse",
    ),
    participant(5, person(5, "Solveig", "Aune"), PlanRole.PROVIDER, None, "Avlastning", None, None),
]


class FakeApi:
    async def participants(self, plan_id: int) -> list[Participant]:
        return PEOPLE

    async def recipients(self, plan_id: int) -> list[Recipient]:
        def r(i: int, notify: list[NotifyChannel]) -> Recipient:
            p = PEOPLE[i - 1]
            name = f"{p.person.first_name} {p.person.last_name}"
            return Recipient(
                participant_id=i, name=name, role=p.role, responsibility="", notify=notify
            )

        return [r(1, [NotifyChannel.SMS]), r(3, [NotifyChannel.SMS, NotifyChannel.EMAIL])]

    async def notification_prefs(self, plan_id: int) -> NotificationPrefs:
        return NotificationPrefs(new_message=[NotifyChannel.EMAIL])


def make_plan() -> PlanHome:
    return PlanHome(
        id=1,
        unit_id=1,
        type=PlanType.IP,
        short_name="IP",
        owner=PEOPLE[0].person,
        start_date=None,
        end_date=None,
        owner_consent_expires=date(2026, 9, 1),
        presentation="",
        status_text="",
        status_updated_at=None,
        closed=False,
        closed_at=None,
        last_archived=datetime(2026, 1, 1, tzinfo=UTC),
        version=1,
        me=MyAccess(
            participant_id=2,
            role=PlanRole.COORDINATOR,
            rights=Rights(),
            consent_expires=None,
            is_coordinator=True,
        ),
    )


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.api = FakeApi()

    def compose(self) -> ComposeResult:
        yield ParticipantsPane(make_plan(), today=TODAY, id="participants-pane")
        yield Footer()


def test_participants_tab_in_norwegian(snap_compare: Any) -> None:
    os.environ["TZ"] = "Europe/Oslo"
    _time.tzset()
    set_language("nb")

    async def ready(pilot: Any) -> None:
        pane = pilot.app.query_one(ParticipantsPane)
        await wait_until(pilot, lambda: pane.loaded.is_set())
        table = pane.query_one(ParticipantTable)
        table.focus()
        table.cursor_row = 2  # Marte Solhaug: a relative with a few rights
        await pilot.pause()

    assert snap_compare(PaneApp(), terminal_size=(130, 36), run_before=ready)
