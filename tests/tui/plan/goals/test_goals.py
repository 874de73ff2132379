"""Goals and activities, life areas and professional plans in the plan shell, against a real
server with the demo data: create, comment, reorder, history, and what a reader sees."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.widgets import Static, TabbedContent, TextArea

from sampro_contract import Access
from screens.plan.goals.pane import GoalsPane
from screens.plan.life_areas.pane import LifeAreasPane
from screens.plans.screen import PlanTable
from server.goals.models import Goal
from tests.tui.helpers import fill, make_app, notifications, wait_until
from tests.tui.plans.test_plans import open_plan_list
from widgets.content_form import ConfirmDialog, ContentForm
from widgets.goal_tree import GoalTreeView

WRITE_KEYS = {
    "B",
    "n",
    "a",
    "e",
    "m",
    "h",
    "r",
    "delete",
    "ctrl+up",
    "ctrl+down",
    "left_square_bracket",
    "right_square_bracket",
}


async def open_goals(pilot: Any, live: Any, username: str) -> GoalsPane:
    app = pilot.app
    screen = await open_plan_list(pilot, live, username)
    screen.query_one(PlanTable).focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: getattr(app.screen, "plan", None) is not None)
    await wait_until(pilot, lambda: bool(app.screen.query("#tab-goals")))
    app.screen.query_one("#tabs", TabbedContent).active = "tab-goals"
    await wait_until(pilot, lambda: bool(app.screen.query(GoalsPane)))
    pane = app.screen.query_one(GoalsPane)
    await wait_until(pilot, lambda: pane.tree_data is not None)
    pane.query_one(GoalTreeView).focus()
    await pilot.pause()
    return pane


def shown_keys(app: Any) -> set[str]:
    """The keys the footer offers now."""
    return {key for key, b in app.screen.active_bindings.items() if b.binding.show}


def goal_titles(pane: GoalsPane) -> list[str]:
    assert pane.tree_data is not None
    return [g.title for g in pane.tree_data.goals]


async def test_coordinator_creates_goal_activity_comment_reorders_and_moves_to_history(
    demo_server: Any,
) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server, "koordinator")
        before = goal_titles(pane)
        # A new goal: the mandatory title is checked before anything is sent.
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        form = app.screen
        await fill(pilot, "#field-title", "")
        await pilot.press("ctrl+s")
        await wait_until(
            pilot, lambda: "Må fylles ut." in str(form.query_one("#err-title", Static).render())
        )
        assert app.screen is form
        await fill(pilot, "#field-title", "Gå tur hver dag")
        await fill(pilot, "#field-progress", "30")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        await wait_until(pilot, lambda: "Gå tur hver dag" in goal_titles(pane))
        assert goal_titles(pane)[-1] == "Gå tur hver dag"
        new_id = next(g.id for g in pane.tree_data.goals if g.title == "Gå tur hver dag")  # type: ignore[union-attr]
        await wait_until(
            pilot, lambda: getattr(pane.query_one(GoalTreeView).selected, "id", 0) == new_id
        )
        # An activity under it.
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        await fill(pilot, "#field-title", "Tur rundt vannet")
        await fill(pilot, "#field-when", "Hver morgen")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        await wait_until(
            pilot,
            lambda: (
                pane.tree_data is not None
                and [a.title for a in pane.tree_data.goals[-1].activities] == ["Tur rundt vannet"]
            ),
        )
        # A comment on the activity (it is selected after saving).
        await wait_until(
            pilot, lambda: getattr(pane.query_one(GoalTreeView).selected, "kind", "") == "activity"
        )
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        app.screen.query_one("#field-body", TextArea).load_text("Fint vær i dag")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        await wait_until(
            pilot,
            lambda: "Fint vær i dag" in str(pane.query_one("#goal-comments", Static).render()),
        )
        # The save reloads the tree beside the details: let that land before moving the
        # cursor, or the rebuilt tree puts it back on the activity (seen under load).
        await wait_until(
            pilot,
            lambda: not any(w.group == "goals-load" and not w.is_finished for w in pane.workers),
        )
        # Reorder: the new goal (last) one up.
        tree = pane.query_one(GoalTreeView)
        goal_node = next(
            n for n in tree.root.children if n.data and n.data.id == pane.tree_data.goals[-1].id
        )  # type: ignore[union-attr]
        tree.move_cursor(goal_node)
        await pilot.pause()
        await pilot.press("ctrl+up")
        await wait_until(
            pilot, lambda: len(goal_titles(pane)) > 1 and goal_titles(pane)[-2] == "Gå tur hver dag"
        )
        assert (
            goal_titles(pane) == [*before[:-1], "Gå tur hver dag", before[-1]] if before else True
        )
        # To history, after a question.
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Gå tur hver dag" not in goal_titles(pane))
        await pilot.press("v")  # the history view
        await wait_until(pilot, lambda: pane.history and "Gå tur hver dag" in goal_titles(pane))
        assert demo_server.ctx is not None
        with demo_server.ctx.db.read_session() as db:
            goal = db.scalars(select(Goal).where(Goal.title == "Gå tur hver dag")).one()
        assert goal.in_history and goal.progress == 30
        assert "Lagret." in notifications(app)


async def test_a_reader_sees_no_write_keys_and_no_tab_without_the_right(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server, "parorende")  # goals and activities: read
        assert pane.plan.me.rights.goals == Access.READ
        await wait_until(pilot, lambda: pane.query_one(GoalTreeView).selected is not None)
        await pilot.pause()
        assert not WRITE_KEYS & shown_keys(app), WRITE_KEYS & shown_keys(app)
        assert "v" in shown_keys(app)  # the history view is for readers too
        assert "k" in shown_keys(app)  # whoever may read a goal may comment on it
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ContentForm)
        # Life areas: only the ones the relative may read, and no edit key.
        assert app.screen.query("#tab-life")
        assert not app.screen.query("#tab-fag")  # no right to professional plans
        app.screen.query_one("#tabs", TabbedContent).active = "tab-life"
        await wait_until(pilot, lambda: bool(app.screen.query(LifeAreasPane)))
        life = app.screen.query_one(LifeAreasPane)
        await wait_until(pilot, lambda: bool(life.query_one("#life-areas").entries))  # type: ignore[attr-defined]
        areas = {e.area.value for e in life.query_one("#life-areas").entries}  # type: ignore[attr-defined]
        assert areas <= {"health", "leisure"}
        life.query_one("#life-areas").focus()
        await pilot.pause()
        assert "e" not in shown_keys(app)


async def test_coordinator_attaches_a_picture_from_a_file_and_bad_files_are_refused(
    demo_server: Any, tmp_path: Any
) -> None:
    import zlib

    # A real 1x1 PNG, made here so the server's content check has something true to read.
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
    picture = tmp_path / "tur.png"
    picture.write_bytes(png)
    not_a_picture = tmp_path / "notat.png"
    not_a_picture.write_text("dette er tekst, ikke et bilde")
    too_big = tmp_path / "stor.png"
    too_big.write_bytes(png[:8] + b"\0" * (3 * 1024 * 1024))

    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server, "koordinator")
        assert pane.tree_data is not None and pane.tree_data.goals
        goal_id = pane.tree_data.goals[0].id
        tree = pane.query_one(GoalTreeView)
        tree.move_cursor(next(n for n in tree.root.children if n.data and n.data.id == goal_id))
        await pilot.pause()
        assert "B" in shown_keys(app)

        async def upload(path: str) -> ContentForm:
            await pilot.press("B")
            await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
            form = app.screen
            assert isinstance(form, ContentForm)
            await fill(pilot, "#field-path", path)
            await pilot.press("ctrl+s")
            return form

        # A file that is not there: the field says so, nothing is sent.
        form = await upload(str(tmp_path / "finnes-ikke.png"))
        await wait_until(
            pilot,
            lambda: "Kan ikke lese filen" in str(form.query_one("#err-path", Static).render()),
        )
        await pilot.press("escape")
        # Text named .png: the content is looked at (as the server does) and refused.
        form = await upload(str(not_a_picture))
        await wait_until(
            pilot,
            lambda: (
                str(form.query_one("#err-path", Static).render())
                == "ikke et bilde: bare JPEG, PNG og GIF er tillatt"
            ),
        )
        assert app.screen is form
        await pilot.press("escape")
        # A picture over 2 MB: refused before anything is read in full or sent.
        form = await upload(str(too_big))
        await wait_until(
            pilot,
            lambda: (
                str(form.query_one("#err-path", Static).render())
                == "bildet er 3,0 MB; høyst 2 MB er tillatt"
            ),
        )
        await pilot.press("escape")
        # A real PNG is attached.
        await upload(str(picture))
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        await wait_until(pilot, lambda: "Bildet er lagt til målet." in notifications(app))
    assert demo_server.ctx is not None
    with demo_server.ctx.db.read_session() as db:
        goal = db.get(Goal, goal_id)
        assert goal is not None and goal.picture_type == "image/png"


async def test_enter_on_a_goal_or_activity_in_the_timeline_selects_it_in_the_goal_tree(
    demo_server: Any,
) -> None:
    from screens.plan.timeline.pane import TimelinePane
    from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab

    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-timeline")
        pane = screen.query_one(TimelinePane)
        await wait_until(pilot, lambda: pane.loaded_at is not None)
        tabs = screen.query_one("#tabs", TabbedContent)
        for kind in ("activity", "goal"):
            index = next(i for i, it in enumerate(pane.items) if it and it.kind == kind)
            item = pane.items[index]
            assert item is not None and item.title  # named, not just "a goal"
            tabs.active = "tab-timeline"
            await pilot.pause()
            listing = pane.query_one("#timeline")
            listing.focus()
            listing.highlighted = index
            await pilot.press("enter")
            await wait_until(pilot, lambda: tabs.active == "tab-goals")
            tree = screen.query_one(GoalTreeView)
            await wait_until(
                pilot,
                lambda item=item, tree=tree: (  # type: ignore[misc]
                    tree.selected is not None
                    and (tree.selected.kind, tree.selected.id) == (item.kind, item.object_id)
                ),
            )


async def test_the_keyboard_moves_between_the_plans_tabs(demo_server: Any) -> None:
    from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab

    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-home")
        await wait_until(pilot, lambda: bool(screen.query("#tab-timeline")))  # all installed
        await pilot.pause()
        tabs = screen.query_one("#tabs", TabbedContent)
        order = [p.id for p in tabs.query("TabPane")]
        assert order[0] == "tab-home" and "tab-goals" in order and "tab-timeline" in order
        await pilot.press("ctrl+right")
        await wait_until(pilot, lambda: tabs.active == order[1])
        await pilot.press("ctrl+left", "ctrl+left")
        await wait_until(pilot, lambda: tabs.active == order[-1])  # wraps around


async def test_the_client_refuses_a_picture_in_the_servers_own_words(demo_server: Any) -> None:
    """The client's check and the server's refusal say the same (English is the server's)."""
    from sampro_tui.api import ApiError
    from sampro_tui.i18n import set_language
    from screens.plan.goals.pictures import picture_problem

    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server, "koordinator")
        assert pane.tree_data is not None
        goal = pane.tree_data.goals[0]
        for data in (
            b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024),
            b"%PDF-1.7 tekst",
            b"\x89PNG\r\n\x1a\n" + b"<script>noe annet</script>",  # starts like one, is not
        ):
            try:
                await app.api.set_goal_picture(pane.plan_id, goal.id, goal.version, data)
            except ApiError as error:
                assert isinstance(error.details, dict)
                server_says = error.details["fields"]["data_base64"]
            else:
                raise AssertionError("the server took a file it should refuse")
            set_language("en")
            try:
                assert picture_problem(data) == server_says
            finally:
                set_language("nb")


async def test_history_offers_no_write_keys_but_restore(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server, "koordinator")
        assert pane.tree_data is not None and pane.tree_data.goals
        goal_id = pane.tree_data.goals[0].id
        await app.api.goal_to_history(pane.plan_id, goal_id)
        await pilot.press("v")
        await wait_until(
            pilot,
            lambda: pane.history and goal_id in [g.id for g in pane.tree_data.goals],  # type: ignore[union-attr]
        )
        tree = pane.query_one(GoalTreeView)
        tree.move_cursor(next(n for n in tree.root.children if n.data and n.data.id == goal_id))
        await wait_until(pilot, lambda: getattr(tree.selected, "id", None) == goal_id)
        await pilot.pause()
        shown = shown_keys(app)
        assert "r" in shown  # the coordinator restores
        assert not (WRITE_KEYS - {"r"}) & shown, (WRITE_KEYS - {"r"}) & shown
        await pilot.press("delete")  # hidden keys do nothing either
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
