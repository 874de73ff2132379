"""The plan list (Liste planer): `GET /plans` as one SQL statement per request shape,
checked, cached and answered without FastAPI's per-parameter machinery.

The plan list is the start screen's request and the hottest one, so it is answered by its
own route class (`PlanListRoute`) in one hop to a worker thread: the login check
(`login_on`), the cache (`cache.py`), the query. It reads across plans (every plan I take
part in), which is why it is built from the participant rule in SQL (`listed`) rather
than from one plan's scope.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import Connection, Integer, Select, String, and_, bindparam, func, or_, select, true

from sampro_contract import Page, PlanListItem, PlanRole, PlanSort, SortOrder
from server.access.policy import listed
from server.accounts.models import Person
from server.context import ServerContext
from server.deps import Login, login_on
from server.messages.models import MessageRecipient
from server.participants.models import Participant
from server.plans.models import Plan

MAX_PAGE_SIZE = 1000


def _search_terms(q: str) -> list[str]:
    return [t for t in q.lower().replace(",", " ").split() if t][:5]


def _like_prefix(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The plan list runs on every visit to the start screen, so it is built from Core tables
# (no ORM row loading) and its statements are made once per shape and cached; the
# values (who, today, search words, paging) travel as bound parameters.
_plans = Plan.__table__
_me = Participant.__table__.alias("me")
_owner_p = Participant.__table__.alias("owner_p")
_owner = Person.__table__.alias("owner")
_mr = MessageRecipient.__table__


@dataclass(frozen=True)
class PlanListShape:
    """What decides the SQL of a plan-list request, apart from bound values."""

    terms: int = 0
    first_name: bool = False
    last_name: bool = False
    include_closed: bool = False
    since_known: bool = True
    sort: PlanSort = PlanSort.OWNER
    desc: bool = False


@dataclass(frozen=True)
class PlanListStatements:
    rows: Select[Any]  # one page (the caller asks for one row more than the page)
    count: Select[Any]  # the total, when the page does not tell it


@lru_cache(maxsize=512)
def plan_list_statements(shape: PlanListShape) -> PlanListStatements:
    """My plans with every column of the list, sorted and paged, for one request shape.

    Parameters: person_id, today, since (when known), term0.., first_name, last_name,
    limit, offset.
    """
    # The recipient row carries its message's sent_at (null for a draft's recipients),
    # so counting my unread messages needs no join with the messages.
    unread = (
        select(func.count(_mr.c.id))
        .where(
            _mr.c.participant_id == _me.c.id,
            _mr.c.read_at.is_(None),
            _mr.c.sent_at.is_not(None),
        )
        .correlate(_me)
        .scalar_subquery()
        .label("new_messages")
    )
    changed = (
        (_plans.c.content_changed_at > bindparam("since")).label("changed")
        if shape.since_known
        else true().label("changed")
    )
    closed = _plans.c.closed_at.is_not(None).label("closed")
    base = (
        select(_plans.c.id)
        .join(
            _me,
            and_(_me.c.plan_id == _plans.c.id, _me.c.person_id == bindparam("person_id")),
        )
        .join(_owner, _owner.c.id == _plans.c.owner_person_id)
        .outerjoin(
            _owner_p,
            and_(
                _owner_p.c.plan_id == _plans.c.id,
                _owner_p.c.role == PlanRole.OWNER.value,
                _owner_p.c.removed_at.is_(None),
            ),
        )
        .where(listed(_me, bindparam("today")))
    )
    if not shape.include_closed:
        base = base.where(_plans.c.closed_at.is_(None))
    for i in range(shape.terms):
        term = bindparam(f"term{i}", type_=String)
        base = base.where(
            or_(
                _owner.c.first_name_lc.like(term, escape="\\"),
                _owner.c.last_name_lc.like(term, escape="\\"),
            )
        )
    if shape.first_name:
        base = base.where(_owner.c.first_name_lc.like(bindparam("first_name"), escape="\\"))
    if shape.last_name:
        base = base.where(_owner.c.last_name_lc.like(bindparam("last_name"), escape="\\"))
    owner_keys = (_owner.c.last_name_lc, _owner.c.first_name_lc)
    sort_keys: dict[PlanSort, tuple[Any, ...]] = {
        PlanSort.OWNER: owner_keys,
        PlanSort.SHORT_NAME: (func.lower(_plans.c.short_name),),
        PlanSort.TYPE: (_plans.c.type,),
        PlanSort.BIRTH_DATE: (_owner.c.birth_date,),
        PlanSort.CHANGED: (changed,) if shape.since_known else (),
        PlanSort.NEW_MESSAGES: (unread,),
        PlanSort.CONSENT_DAYS: (_owner_p.c.consent_expires,),
        PlanSort.START_DATE: (_plans.c.start_date,),
        PlanSort.END_DATE: (_plans.c.end_date,),
        PlanSort.LAST_ARCHIVED: (_plans.c.last_archived_at,),
        PlanSort.CLOSED: (closed,),
    }
    ordering = [(k.desc() if shape.desc else k.asc()).nulls_last() for k in sort_keys[shape.sort]]
    # Ties fall back to the owner's name, then the id, so pages never overlap.
    if shape.sort != PlanSort.OWNER:
        ordering += [k.asc() for k in owner_keys]
    ordering.append(_plans.c.id.asc())
    rows = (
        base.with_only_columns(
            _plans.c.id,
            _owner.c.first_name,
            _owner.c.last_name,
            _plans.c.short_name,
            _plans.c.type,
            _owner.c.birth_date,
            changed,
            unread,
            _owner_p.c.consent_expires,
            _plans.c.start_date,
            _plans.c.end_date,
            _plans.c.last_archived_at,
            closed,
            _me.c.role,
            maintain_column_froms=True,
        )
        .order_by(*ordering)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    count = select(func.count()).select_from(base.subquery())
    return PlanListStatements(rows, count)


def plan_list_params(
    person_id: int,
    since: datetime | None,
    today: date,
    *,
    q: str = "",
    first_name: str = "",
    last_name: str = "",
) -> dict[str, Any]:
    """The bound values for `plan_list_statements` (paging added by the caller)."""
    params: dict[str, Any] = {
        "person_id": person_id,
        "today": today,
        "since": since,
    }
    for i, term in enumerate(_search_terms(q)):
        params[f"term{i}"] = _like_prefix(term)
    if first_name.strip():
        params["first_name"] = _like_prefix(first_name.strip().lower())
    if last_name.strip():
        params["last_name"] = _like_prefix(last_name.strip().lower())
    return params


_PLAN_PAGE = TypeAdapter(Page[PlanListItem])


class PlanListQuery(BaseModel):
    """The plan list's query parameters: FastAPI documents them from this model, and the
    route checks them with it (`PlanListRoute`)."""

    q: str = Field("", max_length=200, description="Words matching first or last name")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    include_closed: bool = False
    sort: PlanSort = PlanSort.OWNER
    order: SortOrder = SortOrder.ASC
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


class PlanListRoute(APIRoute):
    """The start screen's request, answered without FastAPI's per-parameter machinery:
    the route's own handler checks the query with `PlanListQuery` in one call, and makes
    one hop to a worker thread for the rest (the login check, the cache, the query). On a
    cached answer FastAPI's parameter solving cost more than the answer. The endpoint's
    signature still gives the OpenAPI document its parameters, from the same model.
    FastAPI dependencies are not run for it, so none may be declared (route, router or
    app: the login check is `login_on`, in the handler)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if self.dependencies or self.dependant.dependencies:
            raise RuntimeError("the plan list's route runs no FastAPI dependencies")
        return _list_plans


async def _list_plans(request: Request) -> Response:
    ctx: ServerContext = request.app.state.ctx
    # At most a few at once: threads running Python beyond the cores only fight over the
    # GIL, so the rest wait on the event loop, which costs nothing.
    return await anyio.to_thread.run_sync(
        plan_list_response, request, ctx, limiter=_plan_list_limiter()
    )


def _plan_list_query(request: Request) -> PlanListQuery:
    try:
        return PlanListQuery.model_validate(dict(request.query_params))
    except ValidationError as e:
        # As FastAPI would say it: each error's place starts with where the value was.
        errors = [{**err, "loc": ("query", *err["loc"])} for err in e.errors()]
        raise RequestValidationError(errors) from None


# Threads for plan lists per event loop (per worker): one per core; at least two, so one
# list waiting on the database (a PostgreSQL round trip) does not idle the process.
PLAN_LIST_THREADS = max(2, os.cpu_count() or 2)
_PLAN_LIST_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("plan_list_limiter")


def _plan_list_limiter() -> anyio.CapacityLimiter:
    try:
        return _PLAN_LIST_LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(PLAN_LIST_THREADS)
        _PLAN_LIST_LIMITER.set(limiter)
        return limiter


def plan_list_response(request: Request, ctx: ServerContext) -> Response:
    query = _plan_list_query(request)
    return ctx.db.statement_reads(lambda db: _plan_list_response(request, ctx, db, query))


def _plan_list_response(
    request: Request, ctx: ServerContext, db: Connection, query: PlanListQuery
) -> Response:
    a: Login = login_on(request, ctx, db)
    today = a.now.date()
    since = a.previous_login_at
    params = plan_list_params(
        a.person_id, since, today, q=query.q, first_name=query.first_name, last_name=query.last_name
    )
    shape = PlanListShape(
        terms=len(_search_terms(query.q)),
        first_name="first_name" in params,
        last_name="last_name" in params,
        include_closed=query.include_closed,
        since_known=since is not None,
        sort=query.sort,
        desc=query.order == SortOrder.DESC,
    )
    cache = ctx.plan_lists
    # Everything the page depends on besides the four tables' rows (see cache.py).
    key = (shape, tuple(sorted(params.items())), query.page, query.page_size)
    # Read by the login check's statement, before the query: see cache.py.
    stamp = a.change_stamp if cache.enabled else None
    if stamp is not None and (body := cache.get(key, stamp)) is not None:
        return Response(body, media_type="application/json")
    body = _plan_list_page(db, shape, params, today, query.page, query.page_size)
    if stamp is not None:
        cache.put(key, stamp, body)
    return Response(body, media_type="application/json")


def _plan_list_page(
    db: Connection,
    shape: PlanListShape,
    params: dict[str, Any],
    today: date,
    page: int,
    page_size: int,
) -> bytes:
    stmts = plan_list_statements(shape)
    offset = (page - 1) * page_size
    rows = db.execute(stmts.rows, {**params, "limit": page_size + 1, "offset": offset}).all()
    # A first page with room to spare is the whole list: its length is the total. Only
    # longer lists (or later pages) count apart; a window count on every row cost more.
    if offset == 0 and len(rows) <= page_size:
        total = len(rows)
    else:
        total = db.scalar(stmts.count, params) or 0
    rows = rows[:page_size]
    # Rows unpacked as tuples: attribute access on each Row costs more than the query.
    items = [
        {
            "id": plan_id,
            "owner_first_name": first,
            "owner_last_name": last,
            "short_name": short_name,
            "type": plan_type,
            "birth_date": birth_date,
            "changed": bool(changed),
            "new_messages": new_messages or 0,
            "consent_days": None if consent is None else (consent - today).days,
            "start_date": start,
            "end_date": end,
            "last_archived": archived,
            "closed": bool(closed),
            "my_role": role,
        }
        for (
            plan_id,
            first,
            last,
            short_name,
            plan_type,
            birth_date,
            changed,
            new_messages,
            consent,
            start,
            end,
            archived,
            closed,
            role,
        ) in rows
    ]
    # One validation and one serialisation in pydantic's core for the whole page, rather
    # than a model per row and FastAPI validating the page again: the same JSON, faster.
    result = _PLAN_PAGE.validate_python(
        {"items": items, "total": total, "page": page, "page_size": page_size}
    )
    return _PLAN_PAGE.dump_json(result)
