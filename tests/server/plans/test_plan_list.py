"""The plan list: only my plans, search, closed plans, every sort column both ways, paging,
and the columns computed for me (consent days, new messages, changed since last login)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.testclient import TestClient

from sampro_contract import PlanRole, PlanSort
from server.accounts.models import UserAccount
from server.errors import install_error_handlers
from server.messages.models import Message, MessageRecipient
from server.plans.list_query import PlanListQuery, _plan_list_query
from server.plans.models import Plan
from tests.conftest import Harness
from tests.server.conftest import Org, close_harness, open_harness
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_unit,
    add_user,
    bearer,
    login,
)


@dataclass
class Spec:
    key: str
    first: str
    last: str
    birth: date
    short_name: str
    type: str
    start: date
    end: date
    consent_days: int
    archived_days_ago: int | None
    closed: bool
    changed_days_ago: float
    unread: int


# The coordinator last logged in two days ago: plans changed since then are "changed".
SPECS = [
    Spec("emma", "Emma", "Lien", date(2010, 1, 5), "IOP norsk", "IOP", date(2024, 1, 1),
         date(2025, 6, 1), 10, 5, False, 1, 2),
    Spec("noah", "Noah", "Brekke", date(1990, 3, 1), "ip bolig", "IP", date(2023, 5, 1),
         date(2026, 1, 1), 200, 50, False, 10, 0),
    Spec("sofie", "Sofie", "Aune", date(2015, 7, 7), "Stafettlogg", "SL", date(2024, 9, 1),
         date(2027, 1, 1), 30, None, False, 0.1, 1),
    Spec("oskar", "Oskar", "Moen", date(1985, 12, 24), "IUP språk", "IUP", date(2022, 2, 2),
         date(2024, 12, 31), 365, 100, True, 20, 0),
    Spec("nora", "Nora", "Lien", date(2000, 2, 2), "Arbeid", "IP", date(2021, 1, 1),
         date(2028, 1, 1), 60, 1, False, 30, 3),
]  # fmt: skip


@dataclass
class ListWorld:
    h: Harness
    token: str
    ids: dict[str, int]


def _messages(h: Harness, plan: int, sender: int, me: int, unread: int) -> None:
    now = h.clock.now()
    with h.ctx.db.writing() as db:
        for i in range(unread + 2):
            draft = i == unread + 1  # a draft is not a new message
            msg = Message(
                plan_id=plan,
                sender_participant_id=sender,
                subject=f"Melding {i}",
                body="Hei",
                sent_at=None if draft else now - timedelta(hours=i + 1),
                created_at=now,
            )
            db.add(msg)
            db.flush()
            read = i == unread  # one message already read
            db.add(
                MessageRecipient(
                    message_id=msg.id,
                    participant_id=me,
                    plan_id=plan,
                    read_at=now if read else None,
                    sent_at=msg.sent_at,  # copied, as sending does
                )
            )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListWorld]:
    h = open_harness(tmp_path_factory.mktemp("planlist"))
    now = h.clock.now()
    today = now.date()
    unit = add_unit(h)
    me = add_user(h, "koord", unit, unit_role="coordinator", last_login_at=now - timedelta(days=2))
    other = add_user(h, "annen", unit, unit_role="coordinator")
    ids: dict[str, int] = {}
    for s in SPECS:
        owner = add_person(h, unit, s.first, s.last, birth=s.birth)
        plan = add_plan(
            h,
            unit,
            owner,
            type=s.type,
            short_name=s.short_name,
            start=s.start,
            end=s.end,
            closed=s.closed,
            archived=s.archived_days_ago is not None,
            owner_consent=today + timedelta(days=s.consent_days),
            changed_at=now - timedelta(days=s.changed_days_ago),
        )
        if s.archived_days_ago is not None:
            with h.ctx.db.writing() as db:
                db.get_one(Plan, plan).last_archived_at = now - timedelta(days=s.archived_days_ago)
        mine = add_participant(h, plan, me.person_id, PlanRole.COORDINATOR)
        owner_p = add_participant(h, plan, owner, PlanRole.RELATIVE, removed=True)
        _messages(h, plan, owner_p, mine, s.unread)
        ids[s.key] = plan
    # Plans that are not mine in the list: someone else's, consent expired, removed.
    for key, how in [("others", None), ("expired", "expired"), ("removed", "removed")]:
        owner = add_person(h, unit, "Emma", "Lien")  # matches the searches above too
        plan = add_plan(h, unit, owner)
        add_participant(h, plan, other.person_id, PlanRole.COORDINATOR)
        if how is not None:
            add_participant(
                h,
                plan,
                me.person_id,
                PlanRole.PROVIDER,
                consent=today - timedelta(days=1) if how == "expired" else None,
                removed=how == "removed",
            )
        ids[key] = plan
    token = login(h, "koord")
    yield ListWorld(h, token, ids)
    close_harness(h)


def _list(w: ListWorld, **params: Any) -> dict[str, Any]:
    r = w.h.client.get(f"{API}/plans", params=params, headers=bearer(w.token))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _keys(w: ListWorld, body: dict[str, Any]) -> list[str]:
    by_id = {v: k for k, v in w.ids.items()}
    return [by_id[item["id"]] for item in body["items"]]


def test_only_my_plans_with_valid_consent_are_listed(world: ListWorld) -> None:
    body = _list(world, include_closed=True)
    assert sorted(_keys(world, body)) == sorted(s.key for s in SPECS)
    assert body["total"] == len(SPECS)
    assert {item["my_role"] for item in body["items"]} == {"coordinator"}


def test_closed_plans_only_when_asked(world: ListWorld) -> None:
    assert "oskar" not in _keys(world, _list(world))
    assert _list(world)["total"] == len(SPECS) - 1
    assert "oskar" in _keys(world, _list(world, include_closed=True))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "lien"}, {"emma", "nora"}),
        ({"q": "LIEN"}, {"emma", "nora"}),
        ({"q": "emma"}, {"emma"}),
        ({"q": "emma lien"}, {"emma"}),
        ({"q": "lien no"}, {"nora"}),
        ({"q": "no"}, {"noah", "nora"}),
        ({"q": "ien"}, set()),
        ({"first_name": "nor"}, {"nora"}),
        ({"first_name": "no"}, {"noah", "nora"}),
        ({"last_name": "lien"}, {"emma", "nora"}),
        ({"first_name": "noah", "last_name": "lien"}, set()),
        ({"q": "moen"}, set()),  # closed
        ({"q": "moen", "include_closed": True}, {"oskar"}),
    ],
)
def test_search_by_first_and_last_name(
    world: ListWorld, params: dict[str, Any], expected: set[str]
) -> None:
    body = _list(world, **params)
    assert set(_keys(world, body)) == expected
    assert body["total"] == len(expected)


def _value(s: Spec, column: PlanSort, today: date) -> Any:
    return {
        PlanSort.OWNER: (s.last.lower(), s.first.lower()),
        PlanSort.SHORT_NAME: s.short_name.lower(),
        PlanSort.TYPE: s.type,
        PlanSort.BIRTH_DATE: s.birth,
        PlanSort.CHANGED: s.changed_days_ago < 2,
        PlanSort.NEW_MESSAGES: s.unread,
        PlanSort.CONSENT_DAYS: s.consent_days,
        PlanSort.START_DATE: s.start,
        PlanSort.END_DATE: s.end,
        PlanSort.LAST_ARCHIVED: None if s.archived_days_ago is None else -s.archived_days_ago,
        PlanSort.CLOSED: s.closed,
    }[column]


def _expected(column: PlanSort, descending: bool, today: date) -> list[str]:
    """Sorted by the column; ties by owner name; a missing value last either way."""
    by_name = sorted(SPECS, key=lambda s: (s.last.lower(), s.first.lower()))
    present = [s for s in by_name if _value(s, column, today) is not None]
    missing = [s for s in by_name if _value(s, column, today) is None]
    ordered = sorted(present, key=lambda s: _value(s, column, today), reverse=descending)
    return [s.key for s in ordered + missing]


@pytest.mark.parametrize("column", list(PlanSort))
def test_sort_by_every_column_both_ways(world: ListWorld, column: PlanSort) -> None:
    today = world.h.clock.today()
    asc = _keys(world, _list(world, sort=column.value, order="asc", include_closed=True))
    desc = _keys(world, _list(world, sort=column.value, order="desc", include_closed=True))
    assert asc == _expected(column, False, today)
    assert desc == _expected(column, True, today)
    assert asc != desc


def test_default_sort_is_by_owner_name(world: ListWorld) -> None:
    assert _keys(world, _list(world)) == ["sofie", "noah", "emma", "nora"]


def test_paging_covers_every_plan_once_with_the_total(world: ListWorld) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        body = _list(world, include_closed=True, page=page, page_size=2, sort="birth_date")
        assert body["total"] == len(SPECS)
        assert body["page"] == page and body["page_size"] == 2
        assert len(body["items"]) == (2 if page < 3 else 1)
        seen += _keys(world, body)
    assert seen == _expected(PlanSort.BIRTH_DATE, False, world.h.clock.today())
    assert _list(world, include_closed=True, page=4, page_size=2)["items"] == []


@pytest.mark.parametrize("page_size", [1, 4, 5, 6, 100])
def test_the_total_is_the_whole_lists_size_whatever_the_page(
    world: ListWorld, page_size: int
) -> None:
    # The first page tells the total by itself only when the list fits in it with room
    # to spare; a page exactly full, a later page and a page past the end count apart.
    n = len(SPECS)
    pages = -(-n // page_size)
    for page in range(1, pages + 2):
        body = _list(world, include_closed=True, page=page, page_size=page_size)
        assert body["total"] == n, (page_size, page)
        expected = max(0, min(page_size, n - (page - 1) * page_size))
        assert len(body["items"]) == expected, (page_size, page)


def test_the_columns_computed_for_me(world: ListWorld) -> None:
    items = {world.ids[s.key]: s for s in SPECS}
    body = _list(world, include_closed=True)
    for item in body["items"]:
        s = items[item["id"]]
        assert item["consent_days"] == s.consent_days, s.key
        assert item["new_messages"] == s.unread, s.key
        assert item["changed"] is (s.changed_days_ago < 2), s.key
        assert item["closed"] is s.closed
        assert (item["last_archived"] is None) is (s.archived_days_ago is None)
        assert item["owner_first_name"] == s.first and item["birth_date"] == s.birth.isoformat()
        assert item["type"] == s.type and item["short_name"] == s.short_name


def test_changed_is_measured_from_the_previous_login(make_org: Callable[..., Org]) -> None:
    org = make_org()
    h = org.h
    now = h.clock.now()
    with h.ctx.db.writing() as db:
        db.get_one(UserAccount, org.user.id).last_login_at = now - timedelta(days=2)
    plans = {}
    for key, days in [("recent", 1), ("old", 3)]:
        plan = add_plan(
            h,
            org.unit_id,
            add_person(h, org.unit_id, key.capitalize(), "Eier"),
            changed_at=now - timedelta(days=days),
        )
        add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
        plans[plan] = key
    token = login(h, "kari")
    r = h.client.get(f"{API}/plans", headers=bearer(token))
    assert {plans[i["id"]]: i["changed"] for i in r.json()["items"]} == {
        "recent": True,
        "old": False,
    }
    h.clock.advance(3600)
    token = login(h, "kari")  # the previous login is now the one an hour ago
    r = h.client.get(f"{API}/plans", headers=bearer(token))
    assert {plans[i["id"]]: i["changed"] for i in r.json()["items"]} == {
        "recent": False,
        "old": False,
    }


# The list's route checks its query itself (`PlanListRoute`); these inputs must come out
# as FastAPI's own parameter handling would have them, accepted or refused alike.
QUERIES = [
    "",
    "q=ada+berg&first_name=Ada&last_name=Berg",
    "include_closed=true",
    "include_closed=1",
    "include_closed=yes",
    "include_closed=off",
    "include_closed=maybe",
    "include_closed=",
    "sort=birth_date&order=desc",
    "sort=Birth_Date",
    "order=sideways",
    "page=2&page_size=1000",
    "page=0",
    "page=-1&page_size=1001",
    "page=1.5",
    "page=",
    "page_size=abc",
    "page=3&page=4",
    "q=" + "x" * 201,
    "first_name=" + "x" * 101 + "&last_name=" + "y" * 101,
    "unknown=1&page=2",
]


def _query_echo_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/by-fastapi")
    def by_fastapi(q: Annotated[PlanListQuery, Query()]) -> dict[str, Any]:
        return q.model_dump(mode="json")

    @app.get("/by-route")
    def by_route(request: Request) -> dict[str, Any]:
        return _plan_list_query(request).model_dump(mode="json")

    return app


_ECHO = TestClient(_query_echo_app())


@pytest.mark.parametrize("query", QUERIES)
def test_the_list_reads_its_query_as_fastapi_would(query: str) -> None:
    ours = _ECHO.get(f"/by-route?{query}")
    theirs = _ECHO.get(f"/by-fastapi?{query}")
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
