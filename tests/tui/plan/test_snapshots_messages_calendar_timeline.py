"""Pictures of the month grid, the message list and the timeline, on fixed data."""

from __future__ import annotations

import os
import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

from sampro_contract import (
    Access,
    CalendarEvent,
    MessageKind,
    MessageListItem,
    MyAccess,
    Page,
    ParticipantRef,
    Person,
    PlanHome,
    PlanRole,
    PlanType,
    Rights,
    Timeline,
    TimelineItem,
    TimelineKind,
)
from sampro_tui.i18n import set_language
from screens.plan.calendar.pane import CalendarPane
from screens.plan.messages.pane import MessagesPane, MessageTable
from screens.plan.timeline.pane import TimelinePane
from tests.tui.helpers import wait_until

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 3, 2)

PLAN = PlanHome(
    id=1,
    unit_id=1,
    type=PlanType.IP,
    short_name="IP",
    owner=Person(id=1, first_name="Aksel", last_name="Berg"),
    start_date=None,
    end_date=None,
    owner_consent_expires=None,
    presentation="",
    status_text="",
    status_updated_at=None,
    closed=False,
    closed_at=None,
    last_archived=None,
    version=1,
    me=MyAccess(
        participant_id=2,
        role=PlanRole.COORDINATOR,
        rights=Rights(goals=Access.WRITE),
        consent_expires=None,
        is_coordinator=True,
    ),
)


def ref(pid: int, name: str, role: PlanRole = PlanRole.PROVIDER) -> ParticipantRef:
    return ParticipantRef(participant_id=pid, name=name, role=role)


MESSAGES = [
    ("Solveig Aune", "Innkalling til ansvarsgruppemøte", MessageKind.MESSAGE, None, 1, True),
    ("Per Lien", "Referat fra møtet 12. februar", MessageKind.MINUTES, "Ansvarsgruppe", 5, True),
    ("Aksel Berg", "Takk for sist", MessageKind.MESSAGE, None, 8, False),
    ("Per Lien", "Notat etter kontroll", MessageKind.NOTE, "Helse", 12, False),
    ("Solveig Aune", "Spørsmål om skyss til fritidsklubben", MessageKind.MESSAGE, None, 20, False),
]


def event(
    i: int, title: str, day: date, start: time | None = None, end: date | None = None
) -> CalendarEvent:
    return CalendarEvent(
        id=i,
        title=title,
        start_date=day,
        start_time=start,
        end_date=end or day,
        end_time=None,
        all_day=start is None,
        place="Rådhuset" if start else "",
        description="",
        created_by=ref(2, "Kari Koordinator", PlanRole.COORDINATOR),
        created_at=NOW,
        can_edit=True,
        version=1,
    )


EVENTS = [
    event(1, "Ansvarsgruppemøte", date(2026, 3, 2), time(9, 0)),
    event(2, "Fysioterapi", date(2026, 3, 4), time(14, 0)),
    event(3, "Kontroll", date(2026, 3, 4), time(10, 15)),
    event(4, "Avlastningshelg", date(2026, 3, 13), None, date(2026, 3, 15)),
    event(5, "Foreldremøte", date(2026, 3, 19), time(18, 0)),
    event(6, "Vinterferie", date(2026, 2, 23), None, date(2026, 2, 27)),
]


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class FakeApi:
    async def messages(self, plan_id: int, folder: Any, **kw: Any) -> Page[MessageListItem]:
        items = [
            MessageListItem(
                id=i + 1,
                kind=kind,
                category=category,
                subject=subject,
                sender=ref(10 + i, sender),
                recipients="Kari Koordinator",
                recipient_count=1,
                read_count=0 if unread else 1,
                at=at(3, 2, 8, 0).replace(day=max(1, 2 - days // 30))
                if days < 2
                else datetime(2026, 2, 28 - days, 12, 0, tzinfo=UTC),
                unread=unread,
            )
            for i, (sender, subject, kind, category, days, unread) in enumerate(MESSAGES)
        ]
        return Page[MessageListItem](items=items, total=len(items), page=1, page_size=200)

    async def drafts(self) -> list[Any]:
        return []

    async def events(self, plan_id: int, **kw: Any) -> list[CalendarEvent]:
        return EVENTS

    async def timeline(self, plan_id: int, limit: int = 200) -> Timeline:
        def item(
            kind: TimelineKind,
            title: str,
            at: datetime,
            new: bool,
            future: bool = False,
            by: str | None = "Kari Koordinator",
        ) -> TimelineItem:
            return TimelineItem(
                kind=kind,
                object_type=kind.value,
                object_id=1,
                at=at,
                all_day=False,
                title=title,
                by=by,
                new=new,
                future=future,
            )

        return Timeline(
            items=[
                item(
                    TimelineKind.CALENDAR,
                    "Foreldremøte",
                    at(3, 19, 18, 0),
                    False,
                    True,
                ),
                item(
                    TimelineKind.CALENDAR,
                    "Fysioterapi",
                    at(3, 4, 14, 0),
                    True,
                    True,
                ),
                item(
                    TimelineKind.MESSAGE,
                    "Innkalling til ansvarsgruppemøte",
                    at(3, 2, 8, 0),
                    True,
                    by="Solveig Aune",
                ),
                item(
                    TimelineKind.GOAL,
                    "Gå til skolen selv",
                    at(3, 1, 15, 0),
                    True,
                ),
                item(
                    TimelineKind.COMMENT,
                    "",
                    at(2, 26, 10, 0),
                    False,
                    by="Per Lien",
                ),
                item(
                    TimelineKind.PARTICIPANT,
                    "Per Lien",
                    at(2, 20, 10, 0),
                    False,
                ),
                item(
                    TimelineKind.ACTIVITY,
                    "Svømmetrening hver tirsdag",
                    at(2, 12, 9, 0),
                    False,
                ),
            ],
            last_login=at(2, 28, 12, 0),
            now=NOW,
            has_more=False,
        )


class PaneApp(App[None]):
    def __init__(self, make: Callable[[], Widget]) -> None:
        super().__init__()
        self.api = FakeApi()
        self._make = make

    def compose(self) -> ComposeResult:
        yield self._make()
        yield Footer()


def frozen(make: Callable[[], Widget]) -> PaneApp:
    os.environ["TZ"] = "Europe/Oslo"
    _time.tzset()
    set_language("nb")
    return PaneApp(make)


def test_month_grid(snap_compare: Any) -> None:
    async def ready(pilot: Any) -> None:
        pane = pilot.app.query_one(CalendarPane)
        await wait_until(pilot, lambda: bool(pane.events))
        pane.grid.focus()
        await pilot.press("right", "right")  # to Wednesday the 4th: two events
        await pilot.pause()

    app = frozen(lambda: CalendarPane(PLAN, today=TODAY, id="calendar"))
    assert snap_compare(app, terminal_size=(130, 36), run_before=ready)


def test_message_list(snap_compare: Any) -> None:
    async def ready(pilot: Any) -> None:
        pane = pilot.app.query_one(MessagesPane)
        await wait_until(pilot, lambda: pane.loaded.is_set())
        pane.query_one(MessageTable).focus()
        await pilot.pause()

    app = frozen(lambda: MessagesPane(PLAN, id="messages"))
    assert snap_compare(app, terminal_size=(130, 30), run_before=ready)


def test_timeline(snap_compare: Any) -> None:
    async def ready(pilot: Any) -> None:
        pane = pilot.app.query_one(TimelinePane)
        await wait_until(pilot, lambda: pane.loaded_at is not None)
        await pilot.pause()

    app = frozen(lambda: TimelinePane(PLAN, id="timeline-pane"))
    assert snap_compare(app, terminal_size=(110, 20), run_before=ready)
