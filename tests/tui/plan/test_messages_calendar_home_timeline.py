"""Working together in the terminal client, against a live server with the demo data:
write and send a message, read it as the recipient, see the read receipt as the sender;
move through the month grid by keys and add an event."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from textual.widgets import SelectionList, Static, TabbedContent, TabPane, TextArea
from textual.widgets._footer import FooterKey, FooterLabel

from sampro_contract import MessageFolder
from sampro_tui.formatting import fmt_date
from screens.plan.calendar.event_form import EventForm
from screens.plan.calendar.pane import CalendarPane
from screens.plan.home.feed import FeedList
from screens.plan.messages.compose import ComposeScreen
from screens.plan.messages.pane import MessagesPane, MessageTable
from server.accounts.models import UserAccount
from server.calendar.models import CalendarEvent
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant
from server.plans.models import Plan
from tests.tui.helpers import fill, log_in_fully, make_app, settled, wait_until
from widgets.month_grid import MonthGrid, add_months


def demo_plan(live: Any) -> tuple[int, int]:
    """The demo plan of the owner with an account, and the relative's participant id there."""
    assert live.ctx is not None
    with live.ctx.db.read_session() as db:
        owner = db.scalars(select(UserAccount).where(UserAccount.username == "planeier")).one()
        relative = db.scalars(select(UserAccount).where(UserAccount.username == "parorende")).one()
        plan = db.scalars(select(Plan).where(Plan.owner_person_id == owner.person_id)).one()
        pid = db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan.id, Participant.person_id == relative.person_id
            )
        ).one()
        return plan.id, pid


async def open_tab(pilot: Any, live: Any, username: str, plan_id: int, tab: str) -> Any:
    await log_in_fully(pilot, live, username)
    await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
    pilot.app.open_plan(plan_id)
    await wait_until(pilot, lambda: bool(pilot.app.screen.query(f"#{tab}")))
    pilot.app.screen.query_one("#tabs", TabbedContent).active = tab
    await pilot.pause()
    return pilot.app.screen


async def open_messages(pilot: Any, live: Any, username: str, plan_id: int) -> MessagesPane:
    screen = await open_tab(pilot, live, username, plan_id, "tab-messages")
    pane = screen.query_one(MessagesPane)
    await wait_until(pilot, lambda: pane.loaded.is_set())
    pane.query_one(MessageTable).focus()
    await pilot.pause()
    return pane


async def test_write_send_read_and_see_the_receipt(demo_server: Any) -> None:
    plan_id, relative_pid = demo_plan(demo_server)
    subject = "Avlastning i høstferien"

    # The coordinator writes to the relative.
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        compose = pilot.app.screen
        picker = compose.query_one("#compose-recipients", SelectionList)
        await wait_until(pilot, lambda: picker.option_count > 0)
        picker.focus()
        for _ in range(picker.option_count + 1):  # down to the relative, then space
            at = picker.highlighted
            if at is not None and picker.get_option_at_index(at).value == relative_pid:
                break
            await pilot.press("down")
        await pilot.press("space")
        assert list(picker.selected) == [relative_pid]
        await fill(pilot, "#compose-subject", subject)
        compose.query_one("#compose-body", TextArea).focus()
        for key in ["H", "e", "i", "space", "M", "a", "r", "t", "e"]:
            await pilot.press(key)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, type(pane.screen)))
        pane.set_folder(MessageFolder.SENT)
        await wait_until(pilot, lambda: any(m.subject == subject for m in pane.items))

    with demo_server.ctx.db.read_session() as db:
        sent = db.scalars(select(Message).where(Message.subject == subject)).one()
        assert sent.body == "Hei Marte" and sent.sent_at is not None
        receipt = db.scalars(
            select(MessageRecipient).where(MessageRecipient.message_id == sent.id)
        ).one()
        assert (receipt.participant_id, receipt.read_at) == (relative_pid, None)

    # The relative sees it bold (unread) on top of the inbox, and opens it.
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "parorende", plan_id)
        first = pane.items[0]
        assert (first.subject, first.unread) == (subject, True)
        await pilot.press("enter")
        body = pane.query_one("#msg-body", Static)
        await wait_until(pilot, lambda: "Hei Marte" in str(body.render()))
        await wait_until(pilot, lambda: not pane.items[0].unread)

    with demo_server.ctx.db.read_session() as db:
        assert db.get_one(MessageRecipient, receipt.id).read_at is not None

    # The coordinator sees that, and when, it was read.
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("m")  # to the sent folder
        await wait_until(pilot, lambda: pane.folder == MessageFolder.SENT and pane.loaded.is_set())
        row = next(i for i, m in enumerate(pane.items) if m.subject == subject)
        assert (pane.items[row].read_count, pane.items[row].recipient_count) == (1, 1)
        table = pane.query_one(MessageTable)
        table.cursor_row = row
        await pilot.press("enter")
        body = pane.query_one("#msg-body", Static)
        await wait_until(pilot, lambda: "Marte Solhaug: lest" in str(body.render()))


async def test_month_grid_moves_by_keys_and_enter_adds_an_event(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-calendar")
        pane = screen.query_one(CalendarPane)
        grid = pane.query_one(MonthGrid)
        grid.focus()
        today = date.today()
        assert grid.cursor == today
        await pilot.press("right", "down", "down", "left")
        assert grid.cursor == today + timedelta(days=14)
        await pilot.press("pagedown")
        target = add_months(today + timedelta(days=14), 1)
        assert grid.cursor == target
        await wait_until(pilot, lambda: pane.range is not None and pane.range[0] <= target)
        await pilot.press("pageup", "pagedown")
        assert grid.cursor == add_months(add_months(target, -1), 1)
        target = grid.cursor
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EventForm))
        await fill(pilot, "#event-title", "Møte med PPT")
        await fill(pilot, "#event-start", "10:00")
        await fill(pilot, "#event-end", "11:00")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, EventForm))
        await wait_until(pilot, lambda: any(e.title == "Møte med PPT" for e in pane.events))
        assert any(entry.title == "Møte med PPT" for entry in grid.entries[target])
        # Week and day views show it too; the list shows what is coming.
        other = pane.query_one("#cal-other-text", Static)
        await pilot.press("w")
        assert f"uke {target.isocalendar().week}" in str(other.render())
        assert "Møte med PPT" in str(other.render())
        await pilot.press("d")
        assert "10:00–11:00" in str(other.render())
        await pilot.press("l")
        await wait_until(pilot, lambda: "Møte med PPT" in str(other.render()))
        await pilot.press("m")
        assert grid.display and not pane.has_class("-other")
        # `n` adds too, on the day the cursor is on.
        grid.focus()
        await pilot.press("right")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EventForm))
        await fill(pilot, "#event-title", "Foreldresamtale")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(e.title == "Foreldresamtale" for e in pane.events))
    with demo_server.ctx.db.read_session() as db:
        event = db.scalars(select(CalendarEvent).where(CalendarEvent.title == "Møte med PPT")).one()
        assert (event.start_date, str(event.start_time), str(event.end_time)) == (
            target,
            "10:00:00",
            "11:00:00",
        )
        talk = db.scalars(
            select(CalendarEvent).where(CalendarEvent.title == "Foreldresamtale")
        ).one()
        assert (talk.start_date, talk.start_time) == (target + timedelta(days=1), None)


async def test_week_and_day_views_move_by_week_day_and_month(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-calendar")
        pane = screen.query_one(CalendarPane)
        grid = pane.query_one(MonthGrid)
        grid.focus()
        today = date.today()
        other = pane.query_one("#cal-other-text", Static)
        await pilot.press("w")
        assert "uke" in str(other.render())
        await pilot.press("down")  # a week on, not a scroll
        assert grid.cursor == today + timedelta(days=7)
        await wait_until(
            pilot, lambda: f"uke {grid.cursor.isocalendar().week}" in str(other.render())
        )
        await pilot.press("up", "up", "left")
        assert grid.cursor == today - timedelta(days=8)
        await pilot.press("pagedown")
        assert grid.cursor == add_months(today - timedelta(days=8), 1)
        await pilot.press("d", "down", "right")
        moved = add_months(today - timedelta(days=8), 1) + timedelta(days=8)
        assert grid.cursor == moved
        await wait_until(pilot, lambda: fmt_date(moved) in str(other.render()))
        await pilot.press("home")
        assert grid.cursor == today
        # The footer names the moving keys.
        footer = " ".join(str(k.description) for k in pilot.app.screen.query(FooterKey))
        labels = " ".join(str(label.render()) for label in pilot.app.screen.query(FooterLabel))
        assert "uke" in labels and "måned" in labels and "dag" in labels, (footer, labels)


async def test_a_message_being_written_is_saved_as_a_draft_when_the_session_expires(
    demo_server: Any,
) -> None:
    from server.profile.models import Draft

    plan_id, relative_pid = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#compose-subject")))
        compose = pilot.app.screen
        picker = compose.query_one("#compose-recipients", SelectionList)
        await wait_until(pilot, lambda: picker.option_count > 0)
        picker.select(relative_pid)
        await fill(pilot, "#compose-subject", "Halvskrevet referat")
        compose.query_one("#compose-body", TextArea).load_text("Første punkt")
        pilot.app.expire_session()
        await wait_until(pilot, lambda: pilot.app.screen.id == "login")
        # At once a draft of the message itself (under arbeid), not a generic form draft.
        with demo_server.ctx.db.read_session() as db:
            draft = db.scalars(
                select(Message).where(Message.subject == "Halvskrevet referat")
            ).one()
            assert (draft.sent_at, draft.body) == (None, "Første punkt")
            receipts = db.scalars(
                select(MessageRecipient.participant_id).where(
                    MessageRecipient.message_id == draft.id
                )
            ).all()
            assert list(receipts) == [relative_pid]
            assert db.scalars(select(Draft.key)).all() == []
        # After logging in again it is in the drafts folder, and opens in the form.
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        assert not isinstance(pilot.app.screen, ComposeScreen)  # nothing to restore
        pane.set_folder(MessageFolder.DRAFTS)
        await wait_until(pilot, lambda: any(m.subject == "Halvskrevet referat" for m in pane.items))
        pane.query_one(MessageTable).cursor_row = next(
            i for i, m in enumerate(pane.items) if m.subject == "Halvskrevet referat"
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        form = pilot.app.screen
        await wait_until(pilot, lambda: bool(form.query("#compose-subject")))
        assert form.query_one("#compose-subject").value == "Halvskrevet referat"
        assert form.query_one("#compose-body", TextArea).text == "Første punkt"
        reopened = form.query_one("#compose-recipients", SelectionList)
        await wait_until(pilot, lambda: list(reopened.selected) == [relative_pid])
        await pilot.pause()


async def test_when_the_message_draft_cannot_be_saved_the_form_goes_to_the_generic_store(
    demo_server: Any,
) -> None:
    """The fallback: a form the messages API refuses (here: a stale draft version) is kept
    in /me/drafts and comes back in the form after the next login."""
    from server.profile.models import Draft

    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("n")
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#compose-subject")))
        compose = pilot.app.screen
        assert isinstance(compose, ComposeScreen)
        await fill(pilot, "#compose-subject", "Første utkast")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: compose.draft_id is not None)
        await settled(pilot, demo_server)  # no request holds the write lock now
        with demo_server.ctx.db.writing() as db:  # changed elsewhere meanwhile
            db.get_one(Message, compose.draft_id).version += 1
        await fill(pilot, "#compose-subject", "Andre utkast")
        pilot.app.expire_session()
        await wait_until(pilot, lambda: pilot.app.screen.id == "login")
        with demo_server.ctx.db.read_session() as db:
            [saved] = db.scalars(select(Draft)).all()
            assert saved.payload["subject"] == "Andre utkast"
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
        pilot.app.open_plan(plan_id)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen), timeout=15)
        form = pilot.app.screen
        await wait_until(pilot, lambda: bool(form.query("#compose-subject")))
        assert form.query_one("#compose-subject").value == "Andre utkast"
        restored = form.query_one("#compose-recipients", SelectionList)
        await wait_until(pilot, lambda: restored.option_count > 0)  # fully up before closing
        await pilot.pause()


async def test_home_shows_events_messages_visitors_and_timeline_enter_goes_to_the_item(
    demo_server: Any,
) -> None:
    from screens.plan.timeline.pane import TimelinePane

    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "parorende", plan_id, "tab-home")
        await wait_until(pilot, lambda: bool(screen.query("#feed-events")))
        events = screen.query_one("#feed-events", FeedList)
        await wait_until(pilot, lambda: bool(events.targets))
        visitors = screen.query_one("#feed-visitors", Static)
        assert "Ingrid Haugland" in str(visitors.render())  # the coordinator looked in lately
        assert screen.query_one("#feed-messages", FeedList).targets

        screen.query_one("#tabs", TabbedContent).active = "tab-timeline"
        await wait_until(pilot, lambda: bool(screen.query(TimelinePane)))
        pane = screen.query_one(TimelinePane)
        await wait_until(pilot, lambda: pane.loaded_at is not None)
        listing = pane.query_one("#timeline")
        index = next(i for i, item in enumerate(pane.items) if item and item.kind == "calendar")
        item = pane.items[index]
        assert item is not None and item.future
        listing.focus()
        await pilot.pause()  # the tabs hear of the focus before Enter is pressed
        listing.highlighted = index
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: screen.query_one("#tabs", TabbedContent).active == "tab-calendar"
        )
        assert screen.query_one(MonthGrid).cursor == item.at.date()


async def test_home_links_events_and_messages_go_where_they_say(demo_server: Any) -> None:
    from screens.plan.home.feed import FeedList, TabLinks

    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "parorende", plan_id, "tab-home")
        tabs = screen.query_one("#tabs", TabbedContent)
        await wait_until(pilot, lambda: bool(screen.query("#feed-links")))
        links = screen.query_one("#feed-links", TabLinks)
        present = [p.id for p in tabs.query(TabPane) if p.id != "tab-home"]
        # Every tab the relative has, in the tabs' order, and nothing else.
        await wait_until(pilot, lambda: list(links.targets) == present)
        assert {"tab-goals", "tab-messages", "tab-calendar", "tab-timeline"} <= set(present)
        links.focus()
        await wait_until(pilot, lambda: links.has_focus)
        await pilot.pause()  # the tabs hear of the focus before Enter is pressed
        links.highlighted = present.index("tab-goals")
        await pilot.press("enter")
        await wait_until(pilot, lambda: tabs.active == "tab-goals")
        goals_tab = tabs.get_pane("tab-goals")
        # The focus moves into the tab (Enter does not leave it on the hidden home tab).
        await wait_until(
            pilot,
            lambda: pilot.app.focused is not None and goals_tab in pilot.app.focused.ancestors,
        )

        # The latest message to me: Enter opens it in Meldinger.
        tabs.active = "tab-home"
        feed = screen.query_one("#feed-messages", FeedList)
        await wait_until(pilot, lambda: bool(feed.targets))
        first = next(iter(feed.targets))
        message_id = int(first.removeprefix("message-"))
        await pilot.pause()
        feed.focus()
        await wait_until(pilot, lambda: feed.has_focus)
        await pilot.pause()  # the tabs hear of the focus before Enter is pressed
        feed.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: tabs.active == "tab-messages")
        messages = screen.query_one(MessagesPane)
        await wait_until(
            pilot, lambda: messages.current is not None and messages.current.id == message_id
        )

        # The next event: Enter shows its day in Kalender.
        tabs.active = "tab-home"
        upcoming = screen.query_one("#feed-events", FeedList)
        await pilot.pause()
        upcoming.focus()
        await wait_until(pilot, lambda: upcoming.has_focus)
        await pilot.pause()  # the tabs hear of the focus before Enter is pressed
        upcoming.highlighted = 0
        event_id = int(next(iter(upcoming.targets)).removeprefix("event-"))
        with demo_server.ctx.db.read_session() as db:
            day = db.get_one(CalendarEvent, event_id).start_date
        await pilot.press("enter")
        await wait_until(pilot, lambda: tabs.active == "tab-calendar")
        assert screen.query_one(MonthGrid).cursor == day


async def test_timeline_enter_on_a_comment_selects_what_it_is_on(demo_server: Any) -> None:
    from datetime import UTC, datetime

    from screens.plan.goals.pane import GoalsPane
    from screens.plan.timeline.pane import TimelinePane
    from server.goals.models import Comment
    from server.timeline.models import PlanEvent

    plan_id, relative_pid = demo_plan(demo_server)
    with demo_server.ctx.db.writing() as db:  # the demo has no "new participant" event
        db.add(
            PlanEvent(
                plan_id=plan_id,
                kind="new_participant",
                object_type="participant",
                object_id=relative_pid,
                actor_participant_id=relative_pid,
                created_at=datetime.now(UTC),
                notified_at=datetime.now(UTC),
            )
        )
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-timeline")
        tabs = screen.query_one("#tabs", TabbedContent)
        pane = screen.query_one(TimelinePane)
        await wait_until(pilot, lambda: pane.loaded_at is not None)
        listing = pane.query_one("#timeline")
        for object_type in ("activity_comment", "goal_comment"):
            tabs.active = "tab-timeline"
            index = next(
                i
                for i, item in enumerate(pane.items)
                if item is not None and item.object_type == object_type
            )
            item = pane.items[index]
            assert item is not None
            with demo_server.ctx.db.read_session() as db:
                comment = db.get_one(Comment, item.object_id)
                expected = (
                    ("activity", comment.activity_id)
                    if object_type == "activity_comment"
                    else ("goal", comment.goal_id)
                )
            listing.focus()
            await pilot.pause()
            listing.highlighted = index
            await pilot.press("enter")
            await wait_until(pilot, lambda: tabs.active == "tab-goals")
            goals = screen.query_one(GoalsPane)

            def selected(goals: GoalsPane = goals, expected: tuple[str, Any] = expected) -> bool:
                sel = goals.view.selected
                return sel is not None and (sel.kind, sel.id) == expected

            await wait_until(pilot, selected)

        # A new participant leads to the participants tab (or home without one).
        tabs.active = "tab-timeline"
        index = next(
            i
            for i, item in enumerate(pane.items)
            if item is not None and item.kind == "participant"
        )
        listing.focus()
        await pilot.pause()  # the tabs hear of the focus before Enter is pressed
        listing.highlighted = index
        await pilot.press("enter")
        target = "tab-participants" if screen.query("#tab-participants") else "tab-home"
        await wait_until(pilot, lambda: tabs.active == target)


def add_old_messages(
    live: Any,
    plan_id: int,
    to_pid: int,
    count: int,
    subject: str,
    step: timedelta,
    *,
    with_events: bool = False,
) -> None:
    """`count` read messages from the coordinator to one participant, oldest first, written
    straight to the database (faster than the API for hundreds); with their plan events
    when the timeline should show them."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from server.timeline.models import PlanEvent

    assert live.ctx is not None
    with live.ctx.db.writing() as db:
        coordinator = db.scalars(
            select(Participant.id).where(
                Participant.plan_id == plan_id, Participant.role == "coordinator"
            )
        ).one()
        start = datetime(2020, 1, 1, tzinfo=UTC)
        for n in range(count):
            at = start + n * step
            message_id = db.execute(
                insert(Message)
                .values(
                    plan_id=plan_id,
                    sender_participant_id=coordinator,
                    kind="message",
                    subject=f"{subject} {n}",
                    body="...",
                    sent_at=at,
                    created_at=at,
                )
                .returning(Message.id)
            ).scalar_one()
            db.execute(
                insert(MessageRecipient).values(
                    message_id=message_id,
                    participant_id=to_pid,
                    plan_id=plan_id,
                    read_at=at,
                    sent_at=at,
                )
            )
            if with_events:
                db.execute(
                    insert(PlanEvent).values(
                        plan_id=plan_id,
                        kind="new_message",
                        object_type="message",
                        object_id=message_id,
                        actor_participant_id=coordinator,
                        created_at=at,
                        notified_at=at,
                    )
                )


async def test_a_long_inbox_loads_its_next_pages_as_the_cursor_nears_the_end(
    demo_server: Any,
) -> None:
    from screens.plan.messages.pane import PAGE_SIZE

    plan_id, relative_pid = demo_plan(demo_server)
    add_old_messages(
        demo_server, plan_id, relative_pid, PAGE_SIZE + 60, "Gammel melding", timedelta(hours=1)
    )
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "parorende", plan_id)
        assert pane.total > PAGE_SIZE + 60 - 1 and len(pane.items) == PAGE_SIZE
        await pilot.press("end")
        await wait_until(pilot, lambda: len(pane.items) == pane.total)
        subjects = [m.subject for m in pane.items]
        assert len(set(m.id for m in pane.items)) == len(subjects)  # no row twice
        assert subjects[-1] == "Gammel melding 0"  # newest first, so the oldest is last


async def test_the_timeline_loads_older_items_as_the_cursor_nears_the_end(
    demo_server: Any,
) -> None:
    from screens.plan.timeline.pane import TimelinePane

    plan_id, relative_pid = demo_plan(demo_server)
    old = 230  # more than one page (200) of the timeline
    add_old_messages(
        demo_server,
        plan_id,
        relative_pid,
        old,
        "Eldre melding",
        timedelta(days=1),
        with_events=True,
    )
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "parorende", plan_id, "tab-timeline")
        pane = screen.query_one(TimelinePane)
        await wait_until(pilot, lambda: pane.timeline is not None)
        assert pane.timeline is not None and pane.timeline.has_more
        listing = pane.query_one("#timeline")
        listing.focus()
        for _ in range(4):  # End, then End again as more arrives
            await pilot.press("end")
            await settled(pilot, demo_server)  # the next page, if one was asked for
        await wait_until(
            pilot, lambda: pane.timeline is not None and not pane.timeline.has_more, timeout=15
        )
        titles = [i.title for i in pane.timeline.items]
        assert titles[-1] == "Eldre melding 0"  # the oldest, last
        assert sum(1 for x in titles if x.startswith("Eldre melding")) == old


async def test_leaving_a_plan_and_coming_back_in_one_burst_of_keys_is_no_crash(
    demo_server: Any,
) -> None:
    """Over a slow link keys come in bursts: Escape and Enter on the same plan can both be
    handled before the plan's screen (and its tabs, still being added) has been taken
    down. At any moment of that (here: after 0 to 3 frames), the plan opens again."""
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(140, 50)) as pilot:
        await log_in_fully(pilot, demo_server, "koordinator")
        await wait_until(pilot, lambda: pilot.app.screen.id == "plans-screen")
        pilot.app.open_plan(plan_id)
        for frames in range(4):
            await wait_until(pilot, lambda: bool(pilot.app.screen.query("#tab-home")))
            for _ in range(frames):
                await asyncio.sleep(0)
            # What Escape and Enter do, handled one right after the other.
            pilot.app.screen.action_back()
            pilot.app.open_plan(plan_id)
            await wait_until(pilot, lambda: pilot.app.screen.id == f"plan-{plan_id}")
        await wait_until(pilot, lambda: bool(pilot.app.screen.query("#tab-messages")))
        assert app._exception is None
