"""Goals and activities in the terminal client against a real server with the demo data:
editing keeps what was not touched, moves, restore, delete with its question, comments one
wrote, server field errors under their fields, drafts, saving a picture, life-area dates,
and tabs hidden without the read right."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Select, Static, TabbedContent, TextArea
from textual.widgets.tree import TreeNode

from sampro_contract import Access, DraftIn, PlanRole, Rights
from screens.plan.goals.pane import GoalsPane
from server.accounts.models import UserAccount
from server.goals.models import Activity, Comment, Goal
from server.life_areas.models import LifeAreaText
from server.participants.models import Participant
from tests.tui.helpers import fill, make_app, notifications, settled, wait_until
from tests.tui.plan.test_messages_calendar_home_timeline import demo_plan, open_tab
from widgets.content_form import ChooseDialog, ConfirmDialog, ContentForm
from widgets.goal_tree import GoalTreeView, Selected


async def open_goals(pilot: Any, live: Any, username: str = "koordinator") -> GoalsPane:
    plan_id, _ = demo_plan(live)
    screen = await open_tab(pilot, live, username, plan_id, "tab-goals")
    pane = screen.query_one(GoalsPane)
    await wait_until(pilot, lambda: pane.tree_data is not None)
    pane.view.focus()
    await pilot.pause()
    return pane


def node_of(tree: GoalTreeView, kind: str, object_id: int) -> TreeNode[Selected]:
    for goal in tree.root.children:
        for node in (goal, *goal.children):
            if node.data and (node.data.kind, node.data.id) == (kind, object_id):
                return node
    raise AssertionError(f"no {kind} {object_id} in the tree")


async def pick(pilot: Any, pane: GoalsPane, kind: str, object_id: int) -> None:
    """Put the tree's cursor on a goal or an activity."""
    tree = pane.view
    await wait_until(pilot, lambda: any(True for _ in tree.root.children))
    tree.move_cursor(node_of(tree, kind, object_id))
    await wait_until(
        pilot,
        lambda: (
            tree.selected is not None
            and (tree.selected.kind, tree.selected.id) == (kind, object_id)
        ),
    )
    await pilot.pause()


def rows(live: Any, model: Any, *where: Any) -> list[Any]:
    with live.ctx.db.read_session() as db:
        found = list(db.scalars(select(model).where(*where)).all())
        db.expunge_all()
        return found


def activities_of(pane: GoalsPane, goal_id: int) -> list[int]:
    assert pane.tree_data is not None
    goal = next(g for g in pane.tree_data.goals if g.id == goal_id)
    return [a.id for a in goal.activities]


async def open_form(pilot: Any, key: str) -> ContentForm:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContentForm))
    form = pilot.app.screen
    assert isinstance(form, ContentForm)
    await pilot.pause()
    return form


async def save(pilot: Any, form: ContentForm) -> None:
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: pilot.app.screen is not form)


# --- editing keeps what was not touched ------------------------------------------------------


async def test_editing_an_activitys_title_keeps_a_responsible_who_has_left_the_plan(
    demo_server: Any,
) -> None:
    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        coordinator = pane.plan.me.participant_id
        act = next(
            a
            for a in rows(demo_server, Activity, Activity.plan_id == plan_id)
            if a.responsible_participant_id not in (None, coordinator)
        )
        responsible = act.responsible_participant_id
        # The responsible person leaves the plan after the tree was loaded: the form's list
        # is fetched when it opens, and no longer holds them.
        await settled(pilot, demo_server)  # no request holds the write lock now
        with demo_server.ctx.db.writing() as db:
            row = db.get(Participant, responsible)
            row.removed_at = row.created_at
        await pick(pilot, pane, "activity", act.id)
        form = await open_form(pilot, "e")
        field = form.query_one("#field-responsible_participant_id", Select)
        assert field.value == str(responsible)  # not blank
        spec = next(f for f in form.fields if f.name == "responsible_participant_id")
        label = next(text for text, value in spec.options if value == str(responsible))
        assert label.endswith("(ikke lenger deltaker)"), label
        await fill(pilot, "#field-title", "Ny tittel på aktiviteten")
        await save(pilot, form)
        await wait_until(pilot, lambda: "Lagret." in notifications(app))
    [stored] = rows(demo_server, Activity, Activity.id == act.id)
    assert stored.title == "Ny tittel på aktiviteten"
    assert stored.responsible_participant_id == responsible


async def test_editing_a_goal(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = pane.tree_data.goals[0]
        await pick(pilot, pane, "goal", goal.id)
        form = await open_form(pilot, "e")
        await fill(pilot, "#field-title", "Et tydeligere mål")
        await fill(pilot, "#field-progress", "85")
        await save(pilot, form)
        await wait_until(
            pilot,
            lambda: "Et tydeligere mål" in str(pane.query_one("#goal-details", Static).render()),
        )
        assert "Et tydeligere mål" in [g.title for g in pane.tree_data.goals]
    [stored] = rows(demo_server, Goal, Goal.id == goal.id)
    assert (stored.title, stored.progress, stored.version) == (
        "Et tydeligere mål",
        85,
        goal.version + 1,
    )


# --- ordering, moving, history, deleting ---------------------------------------------------


async def test_moving_an_activity_up_down_and_to_another_goal(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = next(g for g in pane.tree_data.goals if len(g.activities) >= 2)
        first, second = goal.activities[0].id, goal.activities[1].id
        await pick(pilot, pane, "activity", second)
        await pilot.press("ctrl+up")
        await wait_until(pilot, lambda: activities_of(pane, goal.id)[:2] == [second, first])
        positions = {
            a.id: a.position for a in rows(demo_server, Activity, Activity.goal_id == goal.id)
        }
        assert positions[second] == 0 and positions[first] == 1
        await wait_until(pilot, lambda: getattr(pane.view.selected, "id", None) == second)
        await pilot.press("right_square_bracket")  # down again
        await wait_until(pilot, lambda: activities_of(pane, goal.id)[:2] == [first, second])
        # To another goal: the choice lists the other goals, Enter takes the first.
        await wait_until(pilot, lambda: getattr(pane.view.selected, "id", None) == second)
        await pilot.pause()
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, ChooseDialog))
        dialog = app.screen
        assert isinstance(dialog, ChooseDialog)
        target = dialog.choices[0][1]
        assert target != goal.id
        await pilot.press("enter")
        await wait_until(pilot, lambda: second in activities_of(pane, target))
        assert second not in activities_of(pane, goal.id)
        assert activities_of(pane, target)[-1] == second  # put last under its new goal
    [moved] = rows(demo_server, Activity, Activity.id == second)
    assert moved.goal_id == target


async def test_restoring_a_goal_from_history(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal_id = pane.tree_data.goals[0].id
        await app.api.goal_to_history(pane.plan_id, goal_id)
        await pilot.press("v")
        await wait_until(
            pilot,
            lambda: pane.history and goal_id in [g.id for g in pane.tree_data.goals],  # type: ignore[union-attr]
        )
        await pick(pilot, pane, "goal", goal_id)
        await pilot.press("r")
        await wait_until(pilot, lambda: goal_id not in [g.id for g in pane.tree_data.goals])  # type: ignore[union-attr]
        await pilot.press("v")
        await wait_until(
            pilot,
            lambda: not pane.history and pane.tree_data.goals[-1].id == goal_id,  # type: ignore[union-attr]
        )
    [stored] = rows(demo_server, Goal, Goal.id == goal_id)
    assert not stored.in_history


async def test_the_history_view_shows_the_goal_its_cursor_starts_on(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        first = pane.tree_data.goals[0]
        await app.api.goal_to_history(pane.plan_id, first.id)
        await wait_until(pilot, lambda: pane.detail is not None and pane.detail.id == first.id)
        await pilot.press("v")  # the cursor stays on the first line: no highlight event
        await wait_until(pilot, lambda: pane.history and bool(pane.tree_data.goals))  # type: ignore[union-attr]
        shown = pane.tree_data.goals[0]  # type: ignore[union-attr]
        details = pane.query_one("#goal-details", Static)
        await wait_until(pilot, lambda: shown.title in str(details.render()))
        assert pane.view.selected == Selected("goal", shown.id, shown.id)


async def test_delete_asks_first_no_keeps_it_yes_deletes_it(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = next(g for g in pane.tree_data.goals if g.activities)
        act = goal.activities[0]
        await pick(pilot, pane, "activity", act.id)
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert act.title in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("escape")  # no
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await settled(pilot, demo_server)  # a delete, had one been sent, would be back
        assert rows(demo_server, Activity, Activity.id == act.id)
        assert act.id in activities_of(pane, goal.id)
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: act.id not in activities_of(pane, goal.id))
        assert not rows(demo_server, Activity, Activity.id == act.id)
        # A goal too, after the same question ("Nei" by its button, then yes).
        await pick(pilot, pane, "goal", goal.id)
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-no")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert rows(demo_server, Goal, Goal.id == goal.id)
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-yes")
        await wait_until(pilot, lambda: goal.id not in [g.id for g in pane.tree_data.goals])  # type: ignore[union-attr]
        assert "Slettet." in notifications(app)
    assert not rows(demo_server, Goal, Goal.id == goal.id)


# --- comments, server field errors, drafts ---------------------------------------------------


async def test_editing_and_deleting_ones_own_comment(demo_server: Any) -> None:
    from sampro_contract import CommentCreate

    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal_id = pane.tree_data.goals[0].id
        mine = await app.api.add_comment(pane.plan_id, CommentCreate(goal_id=goal_id, body="Først"))
        pane.reload(Selected("goal", goal_id, goal_id))
        await wait_until(
            pilot,
            lambda: pane.detail is not None and mine.id in [c.id for c in pane.detail.comments],
        )
        await pick(pilot, pane, "goal", goal_id)
        # K: my comments; Enter takes the first (the only one of mine), then "Endre".
        await pilot.press("K")
        await wait_until(pilot, lambda: isinstance(app.screen, ChooseDialog))
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ChooseDialog) and app.screen.choices[0][1] == "edit",  # type: ignore[attr-defined]
        )
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContentForm))
        form = app.screen
        assert isinstance(form, ContentForm)
        assert form.query_one("#field-body", TextArea).text == "Først"
        form.query_one("#field-body", TextArea).load_text("Endret av meg")
        await save(pilot, form)
        await wait_until(
            pilot,
            lambda: "Endret av meg" in str(pane.query_one("#goal-comments", Static).render()),
        )
        [stored] = rows(demo_server, Comment, Comment.id == mine.id)
        assert (stored.body, stored.version) == ("Endret av meg", 2)
        # Then delete it: K, Enter, down to "Slett", Enter, and yes to the question.
        await wait_until(
            pilot,
            lambda: pane.detail is not None and any(c.version == 2 for c in pane.detail.comments),
        )
        await pilot.press("K")
        await wait_until(pilot, lambda: isinstance(app.screen, ChooseDialog))
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ChooseDialog) and app.screen.choices[0][1] == "edit",  # type: ignore[attr-defined]
        )
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: "Endret av meg" not in str(pane.query_one("#goal-comments", Static).render()),
        )
    assert not rows(demo_server, Comment, Comment.id == mine.id)


async def test_a_server_field_error_shows_under_its_field(demo_server: Any) -> None:
    """A person chosen as responsible leaves the plan while the form is open: the server's
    refusal lands under the responsible field, and the form stays open with the text."""
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = pane.tree_data.goals[0]
        await pick(pilot, pane, "goal", goal.id)
        form = await open_form(pilot, "a")
        spec = next(f for f in form.fields if f.name == "responsible_participant_id")
        chosen = next(
            int(value) for _, value in spec.options if int(value) != pane.plan.me.participant_id
        )
        form.query_one("#field-responsible_participant_id", Select).value = str(chosen)
        await fill(pilot, "#field-title", "Ukentlig samtale")
        await settled(pilot, demo_server)  # no request holds the write lock now
        with demo_server.ctx.db.writing() as db:
            row = db.get(Participant, chosen)
            row.removed_at = row.created_at
        await pilot.press("ctrl+s")
        error = form.query_one("#err-responsible_participant_id", Static)
        await wait_until(pilot, lambda: str(error.render()).strip() != "")
        assert str(error.render()) == (  # the server's type, said in Norwegian
            "Personen er fjernet fra planen og kan ikke ha ansvar. Velg en annen."
        )
        assert app.screen is form
        assert str(form.query_one("#err-title", Static).render()) == ""
        await pilot.press("escape")
    assert not rows(demo_server, Activity, Activity.title == "Ukentlig samtale")


async def test_a_cancelled_form_forgets_its_draft(demo_server: Any) -> None:
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = pane.tree_data.goals[0]
        key = f"plan-{pane.plan_id}-goal-{goal.id}"
        payload = {"title": "Tekst fra forrige økt", "registered_on": "", "progress": ""}
        await app.api.save_draft(
            key, DraftIn(kind="plan_content", plan_id=pane.plan_id, payload=payload)
        )
        await pick(pilot, pane, "goal", goal.id)
        form = await open_form(pilot, "e")
        assert form.query_one("#field-title").value == "Tekst fra forrige økt"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContentForm))
        for _ in range(50):  # the form's worker removes it just after the form closes
            if key not in [d.key for d in await app.api.drafts()]:
                break
            await pilot.pause(0.05)
        else:
            raise AssertionError("the cancelled form's draft is still kept")
        # Offered no more: the form opens with the goal's own title.
        form = await open_form(pilot, "e")
        assert form.query_one("#field-title").value == goal.title  # type: ignore[attr-defined]
        await pilot.press("escape")


# --- pictures, life areas, tabs --------------------------------------------------------------


def real_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


async def test_saving_a_picture_asks_where_and_never_overwrites(
    demo_server: Any, tmp_path: Path
) -> None:
    png = real_png()
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        pane = await open_goals(pilot, demo_server)
        assert pane.tree_data is not None
        goal = pane.tree_data.goals[0]
        await app.api.set_goal_picture(pane.plan_id, goal.id, goal.version, png)
        pane.reload(Selected("goal", goal.id, goal.id))
        await wait_until(
            pilot, lambda: bool(pane.view.goal(goal.id) and pane.view.goal(goal.id).has_picture)
        )  # type: ignore[union-attr]
        await pick(pilot, pane, "goal", goal.id)
        form = await open_form(pilot, "b")
        offered = Path(form.query_one("#field-path").value)  # type: ignore[attr-defined]
        assert (
            offered.name.startswith(f"maal-{pane.plan_id}-{goal.id}") and offered.suffix == ".png"
        )
        assert not offered.exists()
        target = tmp_path / "bilde.png"
        await fill(pilot, "#field-path", str(target))
        await save(pilot, form)
        await wait_until(pilot, lambda: target.exists())
        assert target.read_bytes() == png
        assert target.stat().st_mode & 0o077 == 0  # the owner's only
        await wait_until(pilot, lambda: f"Bildet er lagret i {target}." in notifications(app))
        # The same name again: refused under the field, the file left as it was.
        target.write_bytes(b"mitt eget")
        form = await open_form(pilot, "b")
        await fill(pilot, "#field-path", str(target))
        await pilot.press("ctrl+s")
        error = form.query_one("#err-path", Static)
        await wait_until(pilot, lambda: "finnes fra før" in str(error.render()))
        assert "bilde-2.png" in str(error.render())
        assert target.read_bytes() == b"mitt eget"
        await pilot.press("escape")


async def test_a_life_area_is_saved_without_a_date(demo_server: Any) -> None:
    from screens.plan.life_areas.pane import LifeAreasPane
    from widgets.life_areas import LifeAreasView

    plan_id, _ = demo_plan(demo_server)
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-life")
        pane = screen.query_one(LifeAreasPane)
        view = pane.query_one(LifeAreasView)
        await wait_until(pilot, lambda: bool(view.entries))
        view.focus()
        await pilot.pause()
        entry = view.current
        assert entry is not None
        form = await open_form(pilot, "e")
        await fill(pilot, "#field-date", "")
        await fill(pilot, "#field-status", "Avklart")
        await save(pilot, form)
        await wait_until(pilot, lambda: "Lagret." in notifications(app))
    [stored] = rows(
        demo_server,
        LifeAreaText,
        LifeAreaText.plan_id == plan_id,
        LifeAreaText.area == entry.area.value,
    )
    assert (stored.area_date, stored.status) == (None, "Avklart")


async def test_a_new_life_area_is_offered_todays_date(demo_server: Any) -> None:
    from screens.plan.life_areas.pane import LifeAreasPane
    from widgets.life_areas import LifeAreasView

    plan_id, _ = demo_plan(demo_server)
    with demo_server.ctx.db.writing() as db:
        for row in db.scalars(select(LifeAreaText).where(LifeAreaText.plan_id == plan_id)):
            db.delete(row)
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_tab(pilot, demo_server, "koordinator", plan_id, "tab-life")
        view = screen.query_one(LifeAreasPane).query_one(LifeAreasView)
        await wait_until(pilot, lambda: bool(view.entries))
        view.focus()
        await pilot.pause()
        form = await open_form(pilot, "e")
        assert form.query_one("#field-date").value == date.today().strftime("%d.%m.%Y")  # type: ignore[attr-defined]
        await pilot.press("escape")


async def test_goals_and_life_areas_tabs_are_hidden_without_the_read_right(
    demo_server: Any,
) -> None:
    plan_id, relative = demo_plan(demo_server)
    with demo_server.ctx.db.writing() as db:
        row = db.get(Participant, relative)
        assert row is not None and row.role == PlanRole.RELATIVE
        # Activities readable, but goals not: activities are shown under their goals, so
        # no goal tab either (DESIGN-NOTES); no life area at all.
        row.rights = Rights(activities=Access.READ).model_dump(mode="json")
        assert db.scalars(select(UserAccount).where(UserAccount.username == "parorende")).one()
    app = make_app(demo_server)
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_tab(pilot, demo_server, "parorende", plan_id, "tab-home")
        await wait_until(pilot, lambda: bool(screen.query("#tab-participants")))
        await pilot.pause()
        tabs = [p.id for p in screen.query_one("#tabs", TabbedContent).query("TabPane")]
        assert "tab-home" in tabs
        assert not {"tab-goals", "tab-life", "tab-fag"} & set(tabs), tabs
