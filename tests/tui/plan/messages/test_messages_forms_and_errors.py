"""Working together, the gaps of the third round, against a live server: failures in the
tabs are said (a lost session goes back to login), a compose form whose save fails can
still be closed without losing its text, reply from the sent folder, reply to all,
forward, deleting a draft asks first, search covers all folders, sorting keys, the
category field, and Enter on a timeline comment goes straight to what it is on."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from textual.widgets import Input, Select, SelectionList, Static, TabbedContent, TextArea

from sampro_contract import MessageFolder, MessageSort, SortOrder
from screens.plan.messages.compose import ComposeScreen
from screens.plan.messages.pane import MessagesPane, MessageTable
from server.log.models import AuditLog
from server.messages.models import Message
from server.profile.models import Draft
from tests.tui.helpers import make_app, notifications, wait_until
from tests.tui.in_process import StoppingServer
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_messages, open_tab
from widgets.content_form import ConfirmDialog


async def as_app(pilot: Any, live: Any, method: str, path: str, body: Any = None) -> Any:
    """A call with the app's own session, from another client (as a second window). It
    awaits, never blocks: the server answers on this same event loop."""
    async with httpx.AsyncClient(transport=live.transport, base_url=live.url) as client:
        r = await client.request(
            method,
            f"/api/v1{path}",
            headers={"Authorization": f"Bearer {pilot.app.api.token}"},
            json=body,
        )
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


async def send_as_app(pilot: Any, live: Any, plan_id: int, to: list[int], subject: str) -> Any:
    body = {"subject": subject, "body": "Tekst", "recipient_ids": to, "send": True}
    return await as_app(pilot, live, "POST", f"/plans/{plan_id}/messages", body)


def body_text(pane: MessagesPane) -> str:
    return str(pane.query_one("#msg-body", Static).render())


async def open_row(pilot: Any, pane: MessagesPane, subject: str) -> None:
    await wait_until(pilot, lambda: any(m.subject == subject for m in pane.items))
    table = pane.query_one(MessageTable)
    table.focus()
    table.cursor_row = next(i for i, m in enumerate(pane.items) if m.subject == subject)
    await pilot.press("enter")
    await wait_until(pilot, lambda: pane.current is not None and pane.current.subject == subject)


# --- 1. failures are said ---------------------------------------------------------------


async def test_a_session_lost_while_loading_messages_returns_to_login(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        await as_app(pilot, demo_server, "POST", "/auth/logout")  # logged out from elsewhere
        pane.load()
        await wait_until(pilot, lambda: pilot.app.screen.id == "login", timeout=15)


async def test_messages_and_calendar_say_when_the_server_cannot_be_reached(
    demo_server: Any,
) -> None:
    from screens.plan.calendar.pane import CalendarPane
    from screens.plan.timeline.pane import TimelinePane

    live = demo_server
    server = StoppingServer(live.transport)
    plan_id, _ = demo_plan(live)
    async with make_app(live, transport=server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, live, "koordinator", plan_id)
        server.stopped = True
        pane.load()
        said = "Får ikke kontakt med tjeneren"
        await wait_until(pilot, lambda: any(said in n for n in notifications(pilot.app)))
        count = len(notifications(pilot.app))
        screen = pilot.app.screen
        screen.query_one(CalendarPane).reload()
        await wait_until(pilot, lambda: len(notifications(pilot.app)) > count)
        count = len(notifications(pilot.app))
        screen.query_one(TimelinePane).load()
        await wait_until(pilot, lambda: len(notifications(pilot.app)) > count)
        assert all(said in n for n in notifications(pilot.app)[-2:])


# --- 2. a compose form whose save fails -------------------------------------------------


async def test_a_form_whose_draft_changed_elsewhere_closes_without_losing_the_text(
    demo_server: Any,
) -> None:
    plan_id, relative_pid = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        body = {
            "subject": "Utkast til mor",
            "body": "Første",
            "recipient_ids": [relative_pid],
            "send": False,
        }
        draft = await as_app(pilot, demo_server, "POST", f"/plans/{plan_id}/messages", body)
        pane.set_folder(MessageFolder.DRAFTS)
        await wait_until(pilot, lambda: any(m.id == draft["id"] for m in pane.items))
        table = pane.query_one(MessageTable)
        table.cursor_row = next(i for i, m in enumerate(pane.items) if m.id == draft["id"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        compose = pilot.app.screen
        await wait_until(pilot, lambda: compose.saved_state is not None)
        # Meanwhile the same draft is changed in another window: this form's version is old.
        change = {"version": draft["version"], "body": "Endret i et annet vindu"}
        path = f"/plans/{plan_id}/messages/{draft['id']}"
        await as_app(pilot, demo_server, "PATCH", path, change)
        compose.query_one("#compose-body", TextArea).text = "Min viktige tekst"
        await pilot.press("escape")
        status = compose.query_one("#compose-status", Static)
        await wait_until(pilot, lambda: "Kunne ikke lagre" in str(status.render()))
        assert pilot.app.screen is compose  # stays open, and says why
        assert "Noen andre har endret" in str(status.render())

        await pilot.press("escape")  # again: asks before closing unsaved
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("j")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, type(pane.screen)))
        assert "Min viktige tekst" in pilot.app.clipboard
        assert any("utklippstavlen" in n for n in notifications(pilot.app))
    with demo_server.ctx.db.read_session() as db:
        kept = db.scalars(select(Draft).where(Draft.plan_id == plan_id)).all()
        assert [d.payload["body"] for d in kept] == ["Min viktige tekst"]
        assert db.get_one(Message, draft["id"]).body == "Endret i et annet vindu"


async def test_the_discard_key_asks_and_no_keeps_the_form(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        compose = pilot.app.screen
        compose.query_one("#compose-subject", Input).value = "Ikke send"
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("escape")  # no
        await wait_until(pilot, lambda: pilot.app.screen is compose)


# --- 4., 7. reply, reply to all, forward, delete, search, sort ----------------------------


async def test_reply_reply_all_and_forward_go_to_the_right_people(demo_server: Any) -> None:
    plan_id, relative_pid = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        recipients = await as_app(pilot, demo_server, "GET", f"/plans/{plan_id}/recipients")
        other = next(r["participant_id"] for r in recipients if r["participant_id"] != relative_pid)
        await send_as_app(pilot, demo_server, plan_id, [relative_pid, other], "Til to")
        pane.set_folder(MessageFolder.SENT)
        await open_row(pilot, pane, "Til to")

        async def compose_with(key: str) -> tuple[set[int], str, str]:
            await pilot.press(key)
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
            compose = pilot.app.screen
            picker = compose.query_one("#compose-recipients", SelectionList)
            await wait_until(pilot, lambda: picker.option_count > 0)
            got = set(picker.selected)
            subject = compose.query_one("#compose-subject", Input).value
            text = compose.query_one("#compose-body", TextArea).text
            await pilot.press("ctrl+g")  # close without a draft: nothing written yet?
            if isinstance(pilot.app.screen, ConfirmDialog):
                await pilot.press("j")
            await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ComposeScreen))
            return got, subject, text

        # From the sent folder a reply goes to those I wrote to, not to me.
        assert (await compose_with("r"))[:2] == ({relative_pid, other}, "SV: Til to")
        assert (await compose_with("a"))[0] == {relative_pid, other}
        got, subject, text = await compose_with("f")
        assert (got, subject) == (set(), "VS: Til to") and "Tekst" in text

    # The relative answers the coordinator; reply to all also reaches the other one.
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "parorende", plan_id)
        await open_row(pilot, pane, "Til to")
        sender = pane.current.sender.participant_id if pane.current else None
        assert (await compose_with_keys(pilot, "r")) == {sender}
        assert (await compose_with_keys(pilot, "a")) == {sender, other}


async def compose_with_keys(pilot: Any, key: str) -> set[int]:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
    picker = pilot.app.screen.query_one("#compose-recipients", SelectionList)
    await wait_until(pilot, lambda: picker.option_count > 0)
    got = set(picker.selected)
    await pilot.press("ctrl+g")
    if isinstance(pilot.app.screen, ConfirmDialog):
        await pilot.press("j")
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ComposeScreen))
    return got


async def test_deleting_a_draft_asks_first(demo_server: Any) -> None:
    plan_id, relative_pid = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        body = {"subject": "Slett meg", "body": "x", "recipient_ids": [relative_pid], "send": False}
        draft = await as_app(pilot, demo_server, "POST", f"/plans/{plan_id}/messages", body)
        pane.set_folder(MessageFolder.DRAFTS)
        await wait_until(pilot, lambda: any(m.id == draft["id"] for m in pane.items))
        table = pane.query_one(MessageTable)
        table.cursor_row = next(i for i, m in enumerate(pane.items) if m.id == draft["id"])
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        assert "Slett meg" in str(pilot.app.screen.query_one("#confirm-question").render())
        await pilot.press("escape")  # no: still there
        await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ConfirmDialog))
        with demo_server.ctx.db.read_session() as db:
            assert db.get(Message, draft["id"]) is not None
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))
        await pilot.press("j")
        await wait_until(pilot, lambda: all(m.id != draft["id"] for m in pane.items))
        with demo_server.ctx.db.read_session() as db:
            assert db.get(Message, draft["id"]) is None


async def test_search_covers_all_folders_and_the_sort_keys_work(demo_server: Any) -> None:
    plan_id, relative_pid = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        pane = await open_messages(pilot, demo_server, "koordinator", plan_id)
        await send_as_app(pilot, demo_server, plan_id, [relative_pid], "Zebra sendt")
        body = {"subject": "Zebra utkast", "body": "x", "recipient_ids": [], "send": False}
        await as_app(pilot, demo_server, "POST", f"/plans/{plan_id}/messages", body)

        # `s` moves the sort to the next column, `o` reverses.
        pane.set_folder(MessageFolder.SENT)
        await wait_until(pilot, lambda: pane.loaded.is_set())
        for expected in (MessageSort.READ, MessageSort.RECIPIENT, MessageSort.SUBJECT):
            await pilot.press("s")  # after Dato: Lest, then round to Til, Emne
            await wait_until(pilot, lambda e=expected: pane.sort == e)  # type: ignore[misc]
        assert pane.order is SortOrder.ASC
        await pilot.press("o")
        await wait_until(pilot, lambda: pane.order is SortOrder.DESC)
        subjects = [m.subject for m in pane.items]
        await wait_until(
            pilot, lambda: [m.subject for m in pane.items] == sorted(subjects, reverse=True)
        )

        # `/` searches subject and text in all my folders.
        await pilot.press("slash")
        search = pane.query_one("#msg-search", Input)
        assert search.has_focus
        for key in "zebra":
            await pilot.press(key)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                {m.subject for m in pane.items}
                == {
                    "Zebra sendt",
                    "Zebra utkast",
                }
            ),
        )
        folders = {m.subject: m.folder for m in pane.items}
        assert folders == {"Zebra sendt": MessageFolder.SENT, "Zebra utkast": MessageFolder.DRAFTS}
        assert "alle mapper" in str(pane.query_one("#msg-count", Static).render())
        table = pane.query_one(MessageTable)
        assert table.columns[0].label == "Mappe"
        # Enter on a draft among the results opens it for editing.
        await open_draft_from_results(pilot, pane, "Zebra utkast")

        # An empty search goes back to the folder.
        await pilot.press("slash")
        search.value = ""
        await pilot.press("enter")
        await wait_until(pilot, lambda: not pane.searching and pane.loaded.is_set())
        await wait_until(pilot, lambda: "Zebra utkast" not in {m.subject for m in pane.items})


async def open_draft_from_results(pilot: Any, pane: MessagesPane, subject: str) -> None:
    table = pane.query_one(MessageTable)
    table.focus()
    table.cursor_row = next(i for i, m in enumerate(pane.items) if m.subject == subject)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
    assert pilot.app.screen.query_one("#compose-subject", Input).value == subject
    await pilot.press("escape")  # nothing changed: closes at once
    await wait_until(pilot, lambda: not isinstance(pilot.app.screen, ComposeScreen))


async def test_the_category_field_is_there_for_notes_and_minutes_only(demo_server: Any) -> None:
    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        await open_messages(pilot, demo_server, "koordinator", plan_id)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        compose = pilot.app.screen
        category = compose.query_one("#compose-category", Input)
        kind = compose.query_one("#compose-kind", Select)
        assert not category.display
        kind.value = "note"
        await wait_until(pilot, lambda: category.display)
        kind.value = "message"
        await wait_until(pilot, lambda: not category.display)


# --- 6. Enter on a timeline comment --------------------------------------------------------


async def test_enter_on_a_timeline_comment_goes_straight_to_its_goal(demo_server: Any) -> None:
    from screens.plan.goals.pane import GoalsPane
    from screens.plan.timeline.pane import TimelinePane

    plan_id, _ = demo_plan(demo_server)
    async with make_app(demo_server).run_test(size=(140, 44)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-timeline")
        # Two goals with the same title, both commented on: the title cannot tell them apart.
        ids = []
        for text in ("Første", "Andre"):
            goal = await as_app(
                pilot,
                demo_server,
                "POST",
                f"/plans/{plan_id}/goals",
                {"title": "Samme tittel", "registered_on": date.today().isoformat()},
            )
            comment = {"goal_id": goal["id"], "body": text}
            await as_app(pilot, demo_server, "POST", f"/plans/{plan_id}/comments", comment)
            ids.append(goal["id"])
        first, second = ids
        pane = screen.query_one(TimelinePane)
        pane.load()
        await wait_until(
            pilot,
            lambda: any(i is not None and i.goal_id == second for i in pane.items),
        )
        index = next(
            n
            for n, i in enumerate(pane.items)
            if i is not None and i.object_type == "goal_comment" and i.goal_id == second
        )
        with demo_server.ctx.db.read_session() as db:
            last_log = db.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1))
        listing = pane.query_one("#timeline")
        listing.focus()
        await pilot.pause()
        listing.highlighted = index
        await pilot.press("enter")
        tabs = screen.query_one("#tabs", TabbedContent)
        await wait_until(pilot, lambda: tabs.active == "tab-goals")
        goals = screen.query_one(GoalsPane)
        await wait_until(
            pilot,
            lambda: (
                goals.view.selected is not None
                and (goals.view.selected.kind, goals.view.selected.id) == ("goal", second)
            ),
        )
    with demo_server.ctx.db.read_session() as db:
        opened = db.scalars(
            select(AuditLog.object_id).where(
                AuditLog.id > last_log, AuditLog.action == "read", AuditLog.object_type == "goal"
            )
        ).all()
    assert str(first) not in opened  # straight there: no other goal opened to look
