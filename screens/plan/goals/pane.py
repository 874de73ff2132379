"""Goals and activities (Mål og aktiviteter): the tree on the left, details and comments on
the right, and the keys to add, edit, comment, order, move, send to history and delete.

Keys a participant may not use are not shown (`check_action` returns False): without the
goals or activities write right there are no write keys, only the coordinator orders.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, Tree

from sampro_contract import (
    ActivityCreate,
    ActivityDetail,
    ActivityStatus,
    ActivityUpdate,
    Comment,
    CommentCreate,
    CommentUpdate,
    GoalCreate,
    GoalDetail,
    GoalTree,
    GoalUpdate,
    Participant,
    PlanHome,
)
from sampro_tui.api import ApiError
from sampro_tui.base import SamproPaneMixin, translate_bindings
from sampro_tui.formatting import fmt_datetime
from sampro_tui.i18n import t
from screens.plan.goals.details import render_activity, render_comments, render_goal
from screens.plan.goals.pictures import (
    download_dir,
    free_path,
    read_picture,
    write_new_file,
)
from widgets.content_form import (
    ChooseDialog,
    ConfirmDialog,
    ContentForm,
    FormField,
    run_plan_form,
)
from widgets.goal_tree import GoalTreeView, Selected, status_label
from widgets.stylesheet import default_css

WRITE_ACTIONS = {
    "new_goal",
    "new_activity",
    "edit",
    "comment",
    "my_comments",
    "move_up",
    "move_down",
    "move_to_goal",
    "to_history",
    "restore",
    "delete",
    "upload_picture",
}


class GoalsPane(SamproPaneMixin, Vertical):
    """The content of the "Mål og aktiviteter" tab."""

    DEFAULT_CSS = default_css(__file__, "goals.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_goal", "key.new_goal", id="goals.new_goal"),
        Binding("a", "new_activity", "key.new_activity", id="goals.new_activity"),
        Binding("e", "edit", "key.edit", id="goals.edit"),
        Binding("k", "comment", "key.comment", id="goals.comment"),
        Binding("K", "my_comments", "key.my_comments", id="goals.my_comments"),
        Binding("ctrl+up,left_square_bracket", "move_up", "key.move_up", id="goals.move_up"),
        Binding(
            "ctrl+down,right_square_bracket", "move_down", "key.move_down", id="goals.move_down"
        ),
        Binding("m", "move_to_goal", "key.move_to_goal", id="goals.move_to_goal"),
        Binding("h", "to_history", "key.to_history", id="goals.to_history"),
        Binding("r", "restore", "key.restore", id="goals.restore"),
        Binding("delete", "delete", "key.delete", id="goals.delete"),
        Binding("v", "toggle_history", "key.history", id="goals.history"),
        Binding("b", "save_picture", "key.picture", id="goals.picture"),
        Binding("B", "upload_picture", "key.upload_picture", id="goals.upload_picture"),
    ]

    def __init__(self, plan: PlanHome, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        self.history = False
        self.tree_data: GoalTree | None = None
        self.detail: GoalDetail | ActivityDetail | None = None
        self._details_for: Selected | None = None
        translate_bindings(self)

    @property
    def plan_id(self) -> int:
        return self.plan.id

    def compose(self) -> ComposeResult:
        yield Static(t("goals.active"), id="goals-header")
        with Horizontal(id="goals-body"):
            yield GoalTreeView(id="goal-tree")
            with VerticalScroll(id="goal-side"):
                yield Static(t("goals.select"), id="goal-details")
                yield Static("", id="goal-comments")

    def on_mount(self) -> None:
        self.load()

    # --- what may be done now -----------------------------------------------------------

    @property
    def view(self) -> GoalTreeView:
        return self.query_one(GoalTreeView)

    def _can(self, action: str) -> bool:
        tree, sel = self.tree_data, self.view.selected
        if tree is None:
            return False
        open_plan = not self.plan.closed
        active = not self.history
        goal_w, act_w = tree.can_write_goals, tree.can_write_activities
        if action == "new_goal":
            return goal_w and active
        if action == "new_activity":
            return act_w and active and sel is not None
        if sel is None:
            return action == "toggle_history"
        write = goal_w if sel.kind == "goal" else act_w
        if action == "edit":
            return write and active
        if action in ("comment", "my_comments"):
            return open_plan and active
        if action in ("move_up", "move_down"):
            return tree.can_order and active
        if action == "move_to_goal":
            return tree.can_order and active and sel.kind == "activity"
        if action in ("to_history", "upload_picture"):
            return goal_w and active and sel.kind == "goal"
        if action == "restore":
            return tree.can_order and self.history and sel.kind == "goal"
        if action == "delete":
            return write and active  # history is read-only (the server says in_history)
        if action == "save_picture":
            goal = self.view.goal(sel.id) if sel.kind == "goal" else None
            return goal is not None and goal.has_picture
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS or action == "save_picture":
            return self._can(action)
        return True

    # --- loading ------------------------------------------------------------------------

    @work(exclusive=True, group="goals-load", exit_on_error=False)
    async def load(self, select: Selected | None = None) -> None:
        api = self.sampro.api
        tree = await api.goal_tree(self.plan_id, history=self.history)
        self.show_tree(tree, select)

    def show_tree(self, tree: GoalTree, select: Selected | None = None) -> None:
        self.tree_data = tree
        header = t("goals.history") if self.history else t("goals.active")
        self.query_one("#goals-header", Static).update(header)
        view = self.view
        view.show(tree, select)
        if not tree.goals:
            empty = "goals.empty_history" if self.history else "goals.empty"
            self.query_one("#goal-details", Static).update(t(empty))
            self.query_one("#goal-comments", Static).update("")
        elif not tree.activities_visible:
            self.query_one("#goal-comments", Static).update(t("goals.activities_hidden"))
        self.screen.refresh_bindings()
        # A cursor that stays on the same line (the first, after switching to history)
        # raises no highlight: show what it is on once the tree has laid out its lines.
        self.call_after_refresh(self._details_follow_cursor)

    def _details_follow_cursor(self) -> None:
        sel = self.view.selected
        if sel is not None and sel != self._details_for:
            self.load_details(sel)

    @on(Tree.NodeHighlighted, "#goal-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[Selected]) -> None:
        if event.node.data is not None:
            self.load_details(event.node.data)
        self.screen.refresh_bindings()

    @work(exclusive=True, group="goals-details", exit_on_error=False)
    async def load_details(self, sel: Selected) -> None:
        self._details_for = sel  # asked for (or shown): the cursor need not ask again
        api = self.sampro.api
        if sel.kind == "goal":
            goal = await api.goal(self.plan_id, sel.id)
            self.detail = goal
            self.query_one("#goal-details", Static).update(render_goal(goal))
            self.query_one("#goal-comments", Static).update(render_comments(goal.comments))
        else:
            act = await api.activity(self.plan_id, sel.id)
            self.detail = act
            parent = self.view.goal(act.goal_id)
            title = parent.title if parent else ""
            self.query_one("#goal-details", Static).update(render_activity(act, title))
            self.query_one("#goal-comments", Static).update(render_comments(act.comments))

    def reload(self, select: Selected | None = None) -> None:
        self.load(select)
        if select is not None:
            self.load_details(select)

    @work(group="goals-goto", exit_on_error=False)
    async def go_to(self, kind: str, object_id: int) -> None:
        """Show and select one goal or activity (from the timeline's Enter)."""
        if kind == "goal":
            select = Selected("goal", object_id, object_id)
        else:
            activity = await self.sampro.api.activity(self.plan_id, object_id)
            select = Selected("activity", activity.id, activity.goal_id)
        self.history = False
        self.reload(select)

    # --- forms --------------------------------------------------------------------------

    async def _form(self, title: str, fields: list[FormField], submit: Any, key: str) -> Any:
        api = self.sampro.api
        return await run_plan_form(self.app, api, self.plan_id, title, fields, submit, key)

    async def _plan_group(self) -> list[Participant] | None:
        """The plan group now, fetched as each activity form opens (so someone added or
        removed meanwhile is offered or not), or None when it cannot be fetched (the form
        still opens)."""
        try:
            return await self.sampro.api.participants(self.plan_id)
        except ApiError:
            return None

    def _goal_fields(self, goal: GoalDetail | None) -> list[FormField]:
        return [
            FormField("title", t("form.title"), required=True, value=goal.title if goal else ""),
            FormField(
                "registered_on",
                t("goals.registered"),
                "date",
                required=True,
                value=goal.registered_on if goal else self.sampro_today(),
            ),
            FormField(
                "progress",
                t("goals.progress") + " (%)",
                "percent",
                value=goal.progress if goal else 0,
            ),
            FormField(
                "description",
                t("goals.description"),
                "textarea",
                value=goal.description if goal else "",
            ),
        ]

    def sampro_today(self) -> Any:
        from datetime import date

        return date.today()

    def _responsible_options(
        self, act: ActivityDetail | None, group: list[Participant] | None
    ) -> list[tuple[str, str]]:
        """Who may be made responsible (the plan group with valid consent) and, always, the
        one who is responsible now, marked when they no longer take part: the field never
        comes up empty for an activity that has someone responsible."""
        people = [
            (f"{p.person.first_name} {p.person.last_name}", str(p.id))
            for p in group or []
            if p.consent_valid
        ]
        current = act.responsible_participant_id if act else None
        if current is not None and all(value != str(current) for _, value in people):
            name = (act.responsible_name if act else None) or t("activity.unknown_person")
            member = next((p for p in group or [] if p.id == current), None)
            if group is None:
                label = name  # the list could not be fetched: nothing is known to be wrong
            elif member is not None:
                label = f"{name} ({t('activity.consent_expired')})"
            else:
                label = f"{name} ({t('activity.no_longer_participant')})"
            people.insert(0, (label, str(current)))
        return people

    def _activity_fields(
        self, act: ActivityDetail | None, group: list[Participant] | None = None
    ) -> list[FormField]:
        statuses = [(status_label(s), s.value) for s in ActivityStatus]
        people = self._responsible_options(act, group)
        return [
            FormField("title", t("form.title"), required=True, value=act.title if act else ""),
            FormField(
                "date",
                t("activity.date"),
                "date",
                required=True,
                value=act.date if act else self.sampro_today(),
            ),
            FormField(
                "status",
                t("activity.status"),
                "select",
                required=True,
                value=(act.status if act else ActivityStatus.PLANNED).value,
                options=statuses,
            ),
            FormField("when", t("activity.when"), value=act.when if act else ""),
            FormField(
                "responsible_participant_id",
                t("activity.responsible"),
                "select",
                value=str(act.responsible_participant_id)
                if act and act.responsible_participant_id
                else "",
                options=people,
            ),
            FormField(
                "description",
                t("goals.description"),
                "textarea",
                value=act.description if act else "",
            ),
        ]

    @work(group="goals-forms", exit_on_error=False)
    async def _new_goal(self) -> None:
        api, plan_id = self.sampro.api, self.plan_id

        async def submit(v: dict[str, Any]) -> GoalDetail:
            return await api.create_goal(
                plan_id,
                GoalCreate(
                    title=v["title"],
                    registered_on=v["registered_on"],
                    progress=v["progress"] or 0,
                    description=v["description"],
                ),
            )

        goal = await self._form(
            t("form.new_goal"), self._goal_fields(None), submit, f"plan-{plan_id}-goal-new"
        )
        if goal is not None:
            self.reload(Selected("goal", goal.id, goal.id))

    @work(group="goals-forms", exit_on_error=False)
    async def _new_activity(self) -> None:
        sel = self.view.selected
        if sel is None:
            return
        goal = self.view.goal(sel.goal_id)
        api, plan_id = self.sampro.api, self.plan_id

        async def submit(v: dict[str, Any]) -> ActivityDetail:
            return await api.create_activity(
                plan_id,
                ActivityCreate(
                    goal_id=sel.goal_id,
                    title=v["title"],
                    date=v["date"],
                    status=ActivityStatus(v["status"]),
                    when=v["when"],
                    responsible_participant_id=int(v["responsible_participant_id"])
                    if v["responsible_participant_id"]
                    else None,
                    description=v["description"],
                ),
            )

        title = t("form.new_activity", goal=goal.title if goal else "")
        key = f"plan-{plan_id}-goal-{sel.goal_id}-activity-new"
        group = await self._plan_group()
        act = await self._form(title, self._activity_fields(None, group), submit, key)
        if act is not None:
            self.reload(Selected("activity", act.id, act.goal_id))

    @work(group="goals-forms", exit_on_error=False)
    async def _edit(self) -> None:
        sel, api, plan_id = self.view.selected, self.sampro.api, self.plan_id
        if sel is None:
            return
        if sel.kind == "goal":
            goal = await api.goal(plan_id, sel.id)

            async def submit_goal(v: dict[str, Any]) -> GoalDetail:
                return await api.update_goal(
                    plan_id,
                    sel.id,
                    GoalUpdate(
                        version=goal.version,
                        title=v["title"],
                        registered_on=v["registered_on"],
                        progress=v["progress"] if v["progress"] is not None else goal.progress,
                        description=v["description"],
                    ),
                )

            key = f"plan-{plan_id}-goal-{sel.id}"
            if await self._form(t("form.edit_goal"), self._goal_fields(goal), submit_goal, key):
                self.reload(sel)
            return
        act = await api.activity(plan_id, sel.id)
        group = await self._plan_group()
        was = str(act.responsible_participant_id or "")

        async def submit_activity(v: dict[str, Any]) -> ActivityDetail:
            responsible = str(v["responsible_participant_id"] or "")
            change: dict[str, Any] = {}
            if responsible != was:  # only a change the person made is sent
                if responsible:
                    change["responsible_participant_id"] = int(responsible)
                else:
                    change["clear_responsible"] = True
            return await api.update_activity(
                plan_id,
                sel.id,
                ActivityUpdate(
                    version=act.version,
                    title=v["title"],
                    date=v["date"],
                    status=ActivityStatus(v["status"]),
                    when=v["when"],
                    description=v["description"],
                    **change,
                ),
            )

        key = f"plan-{plan_id}-activity-{sel.id}"
        if await self._form(
            t("form.edit_activity"), self._activity_fields(act, group), submit_activity, key
        ):
            self.reload(sel)

    @work(group="goals-forms", exit_on_error=False)
    async def _comment(self) -> None:
        sel, api, plan_id = self.view.selected, self.sampro.api, self.plan_id
        if sel is None:
            return
        if sel.kind == "goal":
            item = self.view.goal(sel.id)
            title = item.title if item else ""
        else:
            act = self.view.activity(sel.id)
            title = act.title if act else ""

        async def submit(v: dict[str, Any]) -> Comment:
            body = CommentCreate(
                goal_id=sel.id if sel.kind == "goal" else None,
                activity_id=sel.id if sel.kind == "activity" else None,
                body=v["body"],
            )
            return await api.add_comment(plan_id, body)

        fields = [FormField("body", t("form.body"), "textarea", required=True)]
        key = f"plan-{plan_id}-{sel.kind}-{sel.id}-comment-new"
        if await self._form(t("form.comment", title=title), fields, submit, key):
            self.reload(sel)

    @work(group="goals-forms", exit_on_error=False)
    async def _my_comments(self) -> None:
        sel, api, plan_id = self.view.selected, self.sampro.api, self.plan_id
        detail = self.detail
        if sel is None or detail is None or detail.id != sel.id:
            return
        mine = [c for c in detail.comments if c.mine]
        if not mine:
            self.app.notify(t("goals.no_comments_mine"))
            return
        choices = [(f"{fmt_datetime(c.created_at)}  {c.body[:50]}", c) for c in mine]
        chosen = await self.app.push_screen_wait(ChooseDialog(t("form.comments_title"), choices))
        if chosen is None:
            return
        comment = cast(Comment, chosen)
        what = await self.app.push_screen_wait(
            ChooseDialog(
                t("form.edit_comment"), [(t("key.edit"), "edit"), (t("key.delete"), "delete")]
            )
        )
        if what == "delete":
            if await self.app.push_screen_wait(ConfirmDialog(t("confirm.delete_comment"))):
                await api.delete_comment(plan_id, comment.id)
                self.app.notify(t("content.deleted"))
                self.reload(sel)
            return
        if what != "edit":
            return

        async def submit(v: dict[str, Any]) -> Comment:
            return await api.update_comment(
                plan_id, comment.id, CommentUpdate(version=comment.version, body=v["body"])
            )

        fields = [FormField("body", t("form.body"), "textarea", required=True, value=comment.body)]
        if await self._form(
            t("form.edit_comment"), fields, submit, f"plan-{plan_id}-comment-{comment.id}"
        ):
            self.reload(sel)

    # --- ordering, moving, history, deleting ---------------------------------------------

    def _siblings(self, sel: Selected) -> list[int]:
        tree = self.tree_data
        if tree is None:
            return []
        if sel.kind == "goal":
            return [g.id for g in tree.goals]
        goal = self.view.goal(sel.goal_id)
        return [a.id for a in goal.activities] if goal else []

    @work(exclusive=True, group="goals-move", exit_on_error=False)
    async def _move(self, delta: int) -> None:
        sel = self.view.selected
        if sel is None:
            return
        ids = self._siblings(sel)
        index = ids.index(sel.id) + delta
        if not 0 <= index < len(ids):
            return
        api = self.sampro.api
        if sel.kind == "goal":
            tree = await api.move_goal(self.plan_id, sel.id, index)
        else:
            tree = await api.move_activity(self.plan_id, sel.id, index)
        self.show_tree(tree, sel)

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(1)

    @work(group="goals-forms", exit_on_error=False)
    async def _move_to_goal(self) -> None:
        sel, tree = self.view.selected, self.tree_data
        if sel is None or sel.kind != "activity" or tree is None:
            return
        act = self.view.activity(sel.id)
        choices = [(g.title, g.id) for g in tree.goals if g.id != sel.goal_id]
        if not choices or act is None:
            return
        target = await self.app.push_screen_wait(
            ChooseDialog(t("form.move_title", title=act.title), choices)
        )
        if target is None:
            return
        goal = self.view.goal(int(target))
        position = len(goal.activities) if goal else 0
        new_tree = await self.sampro.api.move_activity(self.plan_id, sel.id, position, int(target))
        self.show_tree(new_tree, Selected("activity", sel.id, int(target)))

    @work(group="goals-forms", exit_on_error=False)
    async def _to_history(self) -> None:
        sel = self.view.selected
        goal = self.view.goal(sel.id) if sel and sel.kind == "goal" else None
        if goal is None:
            return
        if await self.app.push_screen_wait(
            ConfirmDialog(t("confirm.to_history", title=goal.title))
        ):
            await self.sampro.api.goal_to_history(self.plan_id, goal.id)
            self.reload()

    @work(group="goals-forms", exit_on_error=False)
    async def _restore(self) -> None:
        sel = self.view.selected
        if sel is None or sel.kind != "goal":
            return
        await self.sampro.api.restore_goal(self.plan_id, sel.id)
        self.reload()

    @work(group="goals-forms", exit_on_error=False)
    async def _delete(self) -> None:
        sel = self.view.selected
        if sel is None:
            return
        api = self.sampro.api
        if sel.kind == "goal":
            goal = self.view.goal(sel.id)
            question = t("confirm.delete_goal", title=goal.title if goal else "")
            if await self.app.push_screen_wait(ConfirmDialog(question)):
                await api.delete_goal(self.plan_id, sel.id)
                self.app.notify(t("content.deleted"))
                self.reload()
            return
        act = self.view.activity(sel.id)
        question = t("confirm.delete_activity", title=act.title if act else "")
        if await self.app.push_screen_wait(ConfirmDialog(question)):
            await api.delete_activity(self.plan_id, sel.id)
            self.app.notify(t("content.deleted"))
            self.reload(Selected("goal", sel.goal_id, sel.goal_id))

    def action_toggle_history(self) -> None:
        self.history = not self.history
        self.detail = None
        self._details_for = None
        self.query_one("#goal-details", Static).update(t("goals.select"))
        self.query_one("#goal-comments", Static).update("")
        self.load()

    @work(group="goals-forms", exit_on_error=False)
    async def _save_picture(self) -> None:
        """Ask where to save the goal's picture (a free name in the download folder is
        offered), never overwrite a file, and say where it went."""
        sel = self.view.selected
        if sel is None or sel.kind != "goal":
            return
        picture = await self.sampro.api.goal_picture(self.plan_id, sel.id)
        data = base64.b64decode(picture.data_base64)
        ext = picture.content_type.removeprefix("image/").replace("jpeg", "jpg")
        default = free_path(download_dir() / f"maal-{self.plan_id}-{sel.id}.{ext}")

        async def submit(v: dict[str, Any]) -> Path:
            path = Path(str(v["path"])).expanduser()
            try:
                await asyncio.to_thread(write_new_file, path, data)
            except FileExistsError:
                message = t("goals.picture_exists", free=free_path(path).name)
            except OSError as exc:
                message = t("goals.picture_not_written", reason=exc.strerror or str(exc))
            else:
                return path.resolve()
            raise ApiError(422, "validation_error", message, {"fields": {"path": message}})

        field = FormField(
            "path", t("goals.picture_save_path"), required=True, value=str(default), max_length=1000
        )
        form = ContentForm(t("goals.picture_save_title"), [field], submit)
        saved = await self.app.push_screen_wait(form)
        if saved is not None:
            self.app.notify(t("goals.picture_saved", path=str(saved)), timeout=10)

    def action_new_goal(self) -> None:
        self._new_goal()

    def action_new_activity(self) -> None:
        self._new_activity()

    def action_edit(self) -> None:
        self._edit()

    def action_comment(self) -> None:
        self._comment()

    def action_my_comments(self) -> None:
        self._my_comments()

    def action_move_to_goal(self) -> None:
        self._move_to_goal()

    def action_to_history(self) -> None:
        self._to_history()

    def action_restore(self) -> None:
        self._restore()

    def action_delete(self) -> None:
        self._delete()

    def action_save_picture(self) -> None:
        self._save_picture()

    def action_upload_picture(self) -> None:
        self._upload_picture()

    @work(group="goals-forms", exit_on_error=False)
    async def _upload_picture(self) -> None:
        """Attach a JPEG, PNG or GIF from a file; the server checks its content and size."""
        sel, api, plan_id = self.view.selected, self.sampro.api, self.plan_id
        if sel is None or sel.kind != "goal":
            return
        goal = await api.goal(plan_id, sel.id)

        async def submit(v: dict[str, Any]) -> GoalDetail:
            path = Path(str(v["path"])).expanduser()
            try:
                data = await asyncio.to_thread(read_picture, path)
            except OSError as exc:
                message = t("goals.picture_unreadable", reason=exc.strerror or str(exc))
                raise ApiError(
                    422, "validation_error", message, {"fields": {"path": message}}
                ) from None
            except ValueError as exc:  # too big, or not a picture: the server's refusal
                raise ApiError(
                    422, "validation_error", str(exc), {"fields": {"path": str(exc)}}
                ) from None
            return await api.set_goal_picture(plan_id, sel.id, goal.version, data)

        field = FormField("path", t("goals.picture_path"), required=True, max_length=1000)
        form = ContentForm(t("goals.upload_title", title=goal.title), [field], submit)
        if await self.app.push_screen_wait(form) is not None:
            self.app.notify(t("goals.picture_uploaded"))
            self.reload(sel)
