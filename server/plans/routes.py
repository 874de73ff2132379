"""Plans: the plan list (Liste planer), creating plans, the plan's home, archive, close, reopen."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from sampro_contract import (
    Created,
    MyAccess,
    Page,
    PlanCreate,
    PlanHome,
    PlanListItem,
    PlanRole,
    PlanSort,
    PlanType,
    PlanUpdate,
    SortOrder,
    UnitRole,
)
from sampro_contract import Person as PersonOut
from server.access.policy import Area, Need, consent_valid, default_rights, listed, rights_of
from server.access.scope import PlanScope, check_version, open_plan
from server.accounts.models import Person, UserAccount
from server.accounts.people import create_person, give_account, unit_role
from server.auth.service import new_temporary_password
from server.context import ServerContext
from server.deps import Auth, Ctx, Login, WriteDb, login_on
from server.errors import ApiError, forbidden, not_found, validation
from server.log import service as audit
from server.messages.models import MessageRecipient
from server.participants.models import Participant
from server.participants.routes import person_of_unit
from server.plans.models import Plan, PlanArchive

router = APIRouter(prefix="/plans", tags=["plans"])

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
    route checks them with it (`_PlanListRoute`)."""

    q: str = Field("", max_length=200, description="Words matching first or last name")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    include_closed: bool = False
    sort: PlanSort = PlanSort.OWNER
    order: SortOrder = SortOrder.ASC
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


class _PlanListRoute(APIRoute):
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


async def list_plans(query: Annotated[PlanListQuery, Query()]) -> Response:
    """Only my plans; search by first and last name; sort by any column; paged."""
    raise AssertionError("answered by _PlanListRoute's handler")  # pragma: no cover


router.add_api_route(
    "",
    list_plans,
    methods=["GET"],
    response_model=Page[PlanListItem],
    route_class_override=_PlanListRoute,
)


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
    # Everything the page depends on besides the four tables' rows (see listcache.py).
    key = (shape, tuple(sorted(params.items())), query.page, query.page_size)
    # Read by the login check's statement, before the query: see listcache.py.
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


def plan_home(scope: PlanScope) -> PlanHome:
    plan, me = scope.plan, scope.participant
    # A coordinator whose consent has run out opens the plan only to renew consents: the
    # header, not the owner's presentation and status (see `administers_while_expired`).
    valid = consent_valid(me, scope.today)
    owner_p = scope.db.scalars(
        scope.select(Participant).where(
            Participant.role == PlanRole.OWNER.value, Participant.removed_at.is_(None)
        )
    ).first()
    owner = plan.owner
    return PlanHome(
        id=plan.id,
        unit_id=plan.unit_id,
        type=PlanType(plan.type),
        short_name=plan.short_name,
        owner=PersonOut.model_validate(owner),
        start_date=plan.start_date,
        end_date=plan.end_date,
        owner_consent_expires=owner_p.consent_expires if owner_p else None,
        presentation=plan.presentation if valid else "",
        status_text=plan.status_text if valid else "",
        status_updated_at=plan.status_updated_at if valid else None,
        closed=plan.closed_at is not None,
        closed_at=plan.closed_at,
        last_archived=plan.last_archived_at,
        version=plan.version,
        me=MyAccess(
            participant_id=me.id,
            role=PlanRole(me.role),
            rights=rights_of(me),
            consent_expires=me.consent_expires,
            is_coordinator=scope.is_coordinator,
            consent_valid=valid,
        ),
    )


def _creatable_in(db: Session, user: UserAccount, unit_id: int) -> str:
    role = unit_role(db, user, unit_id)
    if role not in (UnitRole.COORDINATOR, UnitRole.ADMIN):
        raise forbidden("Only coordinators and local administrators of the unit create plans")
    return role


@router.post("", status_code=201)
def create_plan(body: PlanCreate, ctx: Ctx, a: Auth, db: WriteDb) -> Created:
    """A new plan with its owner (an existing or a new person) and coordinator."""
    now = a.now
    # The owner's account: password hashed before the write transaction, sent after it.
    new_account = body.owner is not None and body.owner_channel is not None
    temp = new_temporary_password(ctx) if new_account else None
    role = _creatable_in(db, a.user, body.unit_id)
    if body.start_date and body.end_date and body.end_date < body.start_date:
        raise validation("end_date", "must be on or after start_date", type="end_before_start")
    coordinator = a.user
    if body.coordinator_user_id is not None and body.coordinator_user_id != a.user.id:
        if role != UnitRole.ADMIN:
            raise forbidden("Only a local administrator names another coordinator")
        other = db.get(UserAccount, body.coordinator_user_id)
        if other is None or unit_role(db, other, body.unit_id) is None:
            raise validation(
                "coordinator_user_id", "not a user of this unit", type="not_a_unit_user"
            )
        coordinator = other
    if body.owner_person_id is not None:
        # A person of the unit, or one whose account is a member of it.
        owner = person_of_unit(db, body.owner_person_id, body.unit_id)
        if owner is None:
            raise validation(
                "owner_person_id", "no such person in this unit", type="no_such_person"
            )
    elif body.owner is not None:
        owner = create_person(db, body.unit_id, body.owner, now)
    else:
        raise validation("owner", "give owner_person_id or owner", type="one_of_two")
    plan = Plan(
        unit_id=body.unit_id,
        owner_person_id=owner.id,
        type=body.type.value,
        short_name=body.short_name.strip(),
        start_date=body.start_date,
        end_date=body.end_date,
        content_changed_at=now,
        created_at=now,
    )
    db.add(plan)
    db.flush()
    db.add(
        Participant(
            plan_id=plan.id,
            person_id=owner.id,
            role=PlanRole.OWNER.value,
            consent_expires=body.owner_consent_expires,
            rights=default_rights(PlanRole.OWNER).model_dump(mode="json"),
            created_at=now,
        )
    )
    if coordinator.person_id != owner.id:
        db.add(
            Participant(
                plan_id=plan.id,
                person_id=coordinator.person_id,
                role=PlanRole.COORDINATOR.value,
                consent_expires=body.owner_consent_expires,
                responsibility="Koordinator",
                rights=default_rights(PlanRole.COORDINATOR).model_dump(mode="json"),
                created_at=now,
            )
        )
    audit.record(
        db,
        now,
        a.actor,
        "plan_created",
        plan_id=plan.id,
        object_type="plan",
        object_id=plan.id,
        detail={"type": plan.type},
    )
    db.flush()
    pending = None
    if temp is not None and body.owner_channel is not None:
        _, pending = give_account(db, temp, owner, None, body.owner_channel, now)
    db.commit()
    if pending is not None:
        pending.send(ctx, now)  # the delivery is recorded (sent or failed)
    return Created(id=plan.id)


@router.get("/{plan_id}")
def get_plan(plan_id: int, a: Auth, db: WriteDb) -> PlanHome:
    """The plan's home: the owner's presentation and status, and my access."""
    scope = open_plan(db, a.user, plan_id, Area.PLAN, Need.READ, a.now.date())
    valid = consent_valid(scope.participant, scope.today)
    audit.record_in_plan(scope, a, "read", "home" if valid else "plan_header")
    db.commit()
    return plan_home(scope)


@router.patch("/{plan_id}")
def update_plan(plan_id: int, body: PlanUpdate, a: Auth, db: WriteDb) -> PlanHome:
    """Edit the presentation (Om meg selv) and status: owner and coordinator. The plan's
    start and end (revision) dates: the coordinator only."""
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.WRITE, a.now.date())
    plan = scope.plan
    new_dates = {
        name: value
        for name, value in (("start_date", body.start_date), ("end_date", body.end_date))
        if value is not None and value != getattr(plan, name)
    }
    if new_dates and not scope.is_coordinator:
        raise forbidden("Only the coordinator changes the plan's start and end dates")
    check_version(plan.version, body.version)
    start = new_dates.get("start_date", plan.start_date)
    end = new_dates.get("end_date", plan.end_date)
    if start is not None and end is not None and end < start:
        if "end_date" in new_dates:
            raise validation("end_date", "must be on or after start_date", type="end_before_start")
        raise validation("start_date", "must be on or before end_date", type="start_after_end")
    changed: list[str] = []
    detail: dict[str, Any] = {}
    for name, value in new_dates.items():
        detail[name] = {"from": _iso(getattr(plan, name)), "to": value.isoformat()}
        setattr(plan, name, value)
        changed.append(name)
    if body.presentation is not None and body.presentation != plan.presentation:
        plan.presentation = body.presentation
        changed.append("presentation")
    if body.status_text is not None and body.status_text != plan.status_text:
        plan.status_text = body.status_text
        plan.status_updated_at = a.now
        changed.append("status_text")
    if changed:
        plan.version += 1
        plan.content_changed_at = a.now
        audit.record_in_plan(scope, a, "update", "home", detail={"fields": changed, **detail})
    db.commit()
    return plan_home(scope)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _snapshot(scope: PlanScope) -> dict[str, Any]:
    home = plan_home(scope).model_dump(mode="json")
    home.pop("me", None)
    participants = scope.db.scalars(
        scope.select(Participant).where(Participant.removed_at.is_(None))
    ).all()
    return {
        "home": home,
        "participants": [
            {
                "name": f"{p.person.first_name} {p.person.last_name}",
                "role": p.role,
                "responsibility": p.responsibility,
                "consent_expires": p.consent_expires.isoformat() if p.consent_expires else None,
            }
            for p in participants
        ],
    }


@router.post("/{plan_id}/archive")
def archive_plan(plan_id: int, a: Auth, db: WriteDb) -> PlanHome:
    """Store a snapshot of the plan's whole content (arkivering): the coordinator."""
    scope = open_plan(db, a.user, plan_id, Area.ADMIN, Need.WRITE, a.now.date())
    archive = PlanArchive(
        plan_id=plan_id, created_by_user_id=a.user.id, created_at=a.now, snapshot=_snapshot(scope)
    )
    db.add(archive)
    scope.plan.last_archived_at = a.now
    scope.plan.version += 1
    db.flush()
    audit.record_in_plan(scope, a, "archive", "archive", archive.id)
    db.commit()
    return plan_home(scope)


@router.post("/{plan_id}/close")
def close_plan(plan_id: int, a: Auth, db: WriteDb) -> PlanHome:
    """Close (avslutte) the plan: the coordinator, after archiving it."""
    scope = open_plan(db, a.user, plan_id, Area.ADMIN, Need.WRITE, a.now.date())
    if scope.plan.last_archived_at is None:
        raise ApiError(409, "not_archived", "Archive the plan before closing it")
    scope.plan.closed_at = a.now
    scope.plan.version += 1
    scope.plan.content_changed_at = a.now
    audit.record_in_plan(scope, a, "close", "plan", plan_id)
    db.commit()
    return plan_home(scope)


@router.post("/{plan_id}/reopen", status_code=204)
def reopen_plan(plan_id: int, a: Auth, db: WriteDb) -> None:
    """Only a local administrator of the plan's unit reopens a closed plan."""
    plan = db.get(Plan, plan_id)
    if plan is None or unit_role(db, a.user, plan.unit_id) != UnitRole.ADMIN:
        raise not_found("No such plan")
    if plan.closed_at is None:
        raise ApiError(409, "not_closed", "The plan is not closed")
    plan.closed_at = None
    plan.version += 1
    audit.record(
        db,
        a.now,
        a.actor,
        "reopen",
        plan_id=plan_id,
        object_type="plan",
        object_id=plan_id,
        role="local_admin",
    )
    db.commit()
