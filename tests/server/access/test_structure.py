"""The access rules kept by the code's shape: every plan route takes its scope in its
signature, and plan content is read only through a scope.

The access-matrix tests (`test_matrix_*.py`) check what each role gets from each route;
these check that a route or query added tomorrow cannot skip the door: a route under
`/plans/{plan_id}` without a `plan_scope` dependency, or a `select(Goal)` in a service
that starts from the database instead of from the scope, fails here with its name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

import server
from server.access.scope import unit_admin_plan
from server.app import create_app
from server.config import Settings
from server.db import Base
from server.schema import metadata

PLAN_PREFIX = "/api/v1/plans/{plan_id}"

# Plan routes that reach the plan by another named door than `plan_scope`, each with why.
# The door must still be a dependency in the route's signature.
OTHER_DOORS: dict[Callable[..., Any], str] = {
    # POST /plans/{plan_id}/reopen: a local administrator of the plan's unit reopens a
    # closed plan without taking part in it (and reads none of its content); anyone else
    # gets 404, as for any plan one is not part of.
    unit_admin_plan: "the unit's local administrator",
}


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency of a route, however deep (FastAPI's own tree of them)."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _plan_routes(tmp_path: Path) -> list[RouteContext]:
    """The app's API routes under /plans/{plan_id}, as served: FastAPI keeps included
    routers as such, and `iter_route_contexts` gives each route with its full path and the
    dependencies it runs with (the router's and the app's included)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'structure.db'}"))
    routes = [
        r
        for r in iter_route_contexts(app.routes)
        if isinstance(r.original_route, APIRoute) and (r.path or "").startswith(PLAN_PREFIX)
    ]
    assert len(routes) > 20, "plan routes not found: has the API's prefix moved?"
    return routes


def _name(route: RouteContext) -> str:
    methods = ",".join(sorted(getattr(route, "methods", None) or ()))
    endpoint = route.original_route.endpoint  # type: ignore[attr-defined]
    return f"{methods} {route.path} ({endpoint.__module__}.{endpoint.__name__})"


def test_every_plan_route_takes_its_scope_in_its_signature(tmp_path: Path) -> None:
    """A plan route opens the plan through `plan_scope(area, need)` (the functions it makes
    carry `plan_area` and `plan_need`) or through a door named in OTHER_DOORS."""
    offending = []
    for route in _plan_routes(tmp_path):
        calls = list(_dependency_calls(route.dependant))
        scoped = any(hasattr(c, "plan_area") and hasattr(c, "plan_need") for c in calls)
        if not scoped and not any(c in OTHER_DOORS for c in calls):
            offending.append(_name(route))
    assert not offending, "plan routes without a plan_scope dependency:\n" + "\n".join(offending)


def test_the_other_doors_are_still_used(tmp_path: Path) -> None:
    """An exception no route needs any more is taken out of OTHER_DOORS."""
    used = {c for r in _plan_routes(tmp_path) for c in _dependency_calls(r.dependant)}
    assert [door.__name__ for door in OTHER_DOORS if door not in used] == []


# --- Plan content is read through the scope -------------------------------------------
#
# A static scan of every module under server/ (its syntax tree, not its text), so that it
# holds for code no test runs. Plan content is every table with a `plan_id` column, taken
# from the schema (a new table joins by itself), and the plans table itself. The child
# tables carry `plan_id` too (comments, goal pictures, message recipients), so they are
# covered directly: `scope.select(Comment)` filters them by the plan as it does goals.
#
# A read of plan content here is one of: `select(...)` naming a content model (or a
# column of one) among what it selects; `<session>.get(Model, ...)`; `.query(Model)`;
# `.join(Model)` / `.outerjoin(Model)` / `.select_from(Model)` on a statement started by a
# bare `select(...)` (in the same expression, or in a variable the same function assigned
# from one); and `Model.__table__` (Core reads). An alias (`sender = aliased(Participant)`)
# counts as its model. Through the scope means `scope.select(Model)` and
# `scope.get(Model, id)`: a method of something whose name ends in `scope`; a statement
# started there may join the plan's other tables. The scan does not follow values between
# functions (a statement passed in as a parameter, `db.get(model, id)` with `model` a
# parameter); the matrix tests cover what it cannot see.

SERVER = Path(server.__file__).parent
JOINS = {"join", "outerjoin", "select_from", "join_from"}

# Tables with `plan_id` that are not a plan's content, each with why.
NOT_CONTENT = {
    # A user's own unsent forms: read by `user_id`, and a draft naming a plan is saved
    # only through that plan's door (profile/service.py, `_draft_door`).
    "drafts",
}

# Modules (or "module:function") that read plan content without a scope, each with why.
# A path names a module under server/; a trailing "/" a whole package.
ACROSS_PLANS: dict[str, str] = {
    "access/": "the door itself: finds the caller's participation and opens the plan",
    "plans/list_query.py": "the plan list reads every plan I take part in, by the "
    "participant rule in SQL (`listed`), one statement for all of them",
    "notifications/": "the notification worker reads across plans to tell each "
    "participant that something is new (never the content itself)",
    "goals/tree.py": "the tree's big queries name Core columns (`Goal.__table__.c`) inside "
    "`scope.select(...).with_only_columns(...)`; the goals joined are the scoped rows' own",
    "messages/folders.py:folder_statement": "a subquery correlated to the message row the "
    "scope chose: its first recipient, for sorting by recipient",
}


def _content_models() -> dict[str, str]:
    """Class name -> table name for every model of plan content."""
    tables = {
        t.name for t in metadata.sorted_tables if "plan_id" in t.c and t.name not in NOT_CONTENT
    }
    tables.add("plans")
    models = {m.class_.__name__: m.local_table.name for m in Base.registry.mappers}
    return {cls: table for cls, table in models.items() if table in tables}


CONTENT = _content_models()


@dataclass(frozen=True)
class Read:
    module: str
    function: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"server/{self.module}:{self.line} in {self.function}(): {self.what}"


def _root_name(node: ast.expr) -> str | None:
    """`Goal` for `Goal`, `Goal.id`, `Goal.__table__.c.id`."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _receiver_is_scope(func: ast.expr) -> bool:
    """`scope.select`, `self.scope.get`, `goal_scope.select`: a method of a scope."""
    if not isinstance(func, ast.Attribute):
        return False
    value = func.value
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    return str(name).endswith("scope")


def _chain_root(node: ast.expr) -> ast.expr:
    """The first call of a method chain: `select(X)` in `select(X).join(Y).where(...)`."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        inner = node.func.value
        if not isinstance(inner, ast.Call):
            return node
        node = inner
    return node


class _Scanner(ast.NodeVisitor):
    def __init__(self, module: str, tree: ast.Module) -> None:
        self.module = module
        self.reads: list[Read] = []
        self.functions: list[str] = []
        # Per function being visited: its variables assigned a statement from `select(...)`.
        self.unscoped: list[set[str]] = [set()]
        # What each local name is: `from server.goals.models import Goal as G` -> G: Goal.
        self.models: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in CONTENT:
                        self.models[alias.asname or alias.name] = alias.name
        # An alias of a model is the model: `sender = aliased(Participant)`, then
        # `select(sender)` reads participants (and `.join(sender)` on a scoped statement
        # does not).
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                call = node.value
                if getattr(call.func, "id", getattr(call.func, "attr", None)) != "aliased":
                    continue
                if call.args and (name := _root_name(call.args[0])) in self.models:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.models[target.id] = self.models[name]

    def _model_in(self, node: ast.AST) -> str | None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.expr) and (name := _root_name(sub)) in self.models:
                return self.models[name]
        return None

    def _found(self, node: ast.AST, what: str) -> None:
        function = ".".join(self.functions) or "<module>"
        self.reads.append(Read(self.module, function, getattr(node, "lineno", 0), what))

    def _unscoped(self, statement: ast.expr) -> bool:
        """A statement started by a bare `select(...)`, here or in a variable of this
        function (whatever else it may have been assigned elsewhere)."""
        root = _chain_root(statement)
        if isinstance(root, ast.Name):
            return root.id in self.unscoped[-1]
        return isinstance(root, ast.Call) and getattr(root.func, "id", None) == "select"

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.unscoped.append(
            {
                target.id
                for sub in ast.walk(node)
                if isinstance(sub, ast.Assign) and self._unscoped(sub.value)
                for target in sub.targets
                if isinstance(target, ast.Name)
            }
        )
        self.generic_visit(node)
        self.unscoped.pop()
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "__table__" and (name := _root_name(node.value)) in self.models:
            self._found(node, f"{self.models[name]}.__table__")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = node.args[0] if node.args else None
        if called == "select" and not _receiver_is_scope(func):
            if (model := self._model_in(ast.Tuple(elts=list(node.args)))) is not None:
                self._found(node, f"select({model} ...)")
        elif called in ("get", "query") and isinstance(func, ast.Attribute):
            name = _root_name(first) if first is not None else None
            if name in self.models and not _receiver_is_scope(func):
                self._found(node, f".{called}({self.models[name]} ...)")
        elif called in JOINS and isinstance(func, ast.Attribute) and first is not None:
            model = self._model_in(first)
            if model is not None and self._unscoped(func.value):
                self._found(node, f".{called}({model} ...)")
        self.generic_visit(node)


def scan(source: str, module: str) -> list[Read]:
    tree = ast.parse(source)
    scanner = _Scanner(module, tree)
    scanner.visit(tree)
    return scanner.reads


def _allowed(read: Read) -> bool:
    for entry in ACROSS_PLANS:
        where, _, function = entry.partition(":")
        in_module = read.module.startswith(where) if where.endswith("/") else read.module == where
        if in_module and (not function or read.function.split(".")[0] == function):
            return True
    return False


def _all_reads() -> list[Read]:
    reads = []
    for path in sorted(SERVER.rglob("*.py")):
        module = path.relative_to(SERVER).as_posix()
        reads += scan(path.read_text(encoding="utf-8"), module)
    return reads


def test_plan_content_is_read_only_through_the_scope() -> None:
    offending = [str(r) for r in _all_reads() if not _allowed(r)]
    assert not offending, (
        "plan content read without the plan's scope (use scope.select / scope.get, or "
        "add the module to ACROSS_PLANS saying why it reads across plans):\n" + "\n".join(offending)
    )


def test_every_exception_is_still_needed() -> None:
    """An ACROSS_PLANS entry that covers no read any more is taken out."""
    reads = _all_reads()
    unused = []
    for entry in ACROSS_PLANS:
        where, _, function = entry.partition(":")
        if not any(
            (r.module.startswith(where) if where.endswith("/") else r.module == where)
            and (not function or r.function.split(".")[0] == function)
            for r in reads
        ):
            unused.append(entry)
    assert unused == []


def test_the_content_tables_come_from_the_schema() -> None:
    """The scan knows the tables it guards: the plan, its parts, and their children."""
    tables = set(CONTENT.values())
    for table in ("plans", "goals", "activities", "comments", "goal_pictures", "messages"):
        assert table in tables
    for table in ("message_recipients", "participants", "audit_log", "plan_archives"):
        assert table in tables
    assert "drafts" not in tables and "user_accounts" not in tables


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("db.scalars(select(Goal))", ["select(Goal ...)"]),
        ("db.scalar(select(func.count(Comment.id)))", ["select(Comment ...)"]),
        ("scope.db.get(Goal, 1)", [".get(Goal ...)"]),
        (
            "select(Person).join(Participant, Participant.person_id == Person.id)",
            [".join(Participant ...)"],
        ),
        ("t = G.__table__", ["Goal.__table__"]),
        ("scope.select(Goal).join(Activity, Activity.goal_id == Goal.id)", []),
        ("scope.get(Goal, 1)", []),
        ("db.scalars(scope.select(Comment).where(Comment.goal_id == 1))", []),
        ("select(Person).where(Person.id == Goal.created_by_participant_id)", []),
        ("s = aliased(Participant)\nselect(s)", ["select(Participant ...)"]),
        ("s = aliased(Participant)\nscope.select(Goal).join(s, s.id == Goal.id)", []),
        ("def f():\n    q = scope.select(Goal)\n    q = q.join(Activity)", []),
        (
            "def f():\n    q = select(Person)\n    q = q.join(Participant)",
            [".join(Participant ...)"],
        ),
    ],
)
def test_the_scan_sees_reads_around_the_scope(source: str, found: list[str]) -> None:
    """What the scan flags and what it lets through (the last: a WHERE is not a read)."""
    header = (
        "from server.goals.models import Goal, Activity, Comment\n"
        "from server.goals.models import Goal as G\n"
        "from server.participants.models import Participant\n"
    )
    assert [r.what for r in scan(header + source, "goals/service.py")] == found
