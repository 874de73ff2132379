"""The plan-list cache: the database's change stamp rises with every committed change to the
tables the list reads (and only those), a cached page is served only while it still reads
the same, and a change made anywhere (the API, another process, hand-written SQL) shows at
once. On both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from sampro_contract import PlanRole
from server.plans.cache import PlanListCache
from server.plans.list_query import PLAN_LIST_THREADS
from tests.server.conftest import Org
from tests.server.support import (
    API,
    add_participant,
    add_person,
    add_plan,
    add_user,
    bearer,
    login,
)


def _stamp(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT n FROM change_stamp WHERE id = 1")))


def _run(engine: Engine, *statements: str, **params: Any) -> None:
    """One transaction from outside the server, as another process or a DBA would write."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


@pytest.fixture
def world(make_org: Callable[..., Org], db_url: str) -> Iterator[dict[str, Any]]:
    org = make_org(db_url)
    h = org.h
    owner = add_person(h, org.unit_id, "Ada", "Berg")
    plan = add_plan(h, org.unit_id, owner)
    me = add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    engine = create_engine(db_url)
    yield {"org": org, "h": h, "plan": plan, "owner": owner, "me": me, "engine": engine}
    engine.dispose()


def _plans(world: dict[str, Any], token: str, **params: Any) -> dict[str, Any]:
    r = world["h"].client.get(f"{API}/plans", headers=bearer(token), params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_stamp_rises_with_each_table_the_list_reads_and_not_with_others(
    world: dict[str, Any],
) -> None:
    engine, plan, owner, me = world["engine"], world["plan"], world["owner"], world["me"]
    changes = {
        "plans": "UPDATE plans SET short_name = 'Nytt navn' WHERE id = :plan",
        "persons": "UPDATE persons SET first_name = 'Adele' WHERE id = :owner",
        "participants": "UPDATE participants SET consent_expires = NULL WHERE id = :me",
        "message_recipients": "UPDATE message_recipients SET read_at = NULL",
    }
    for table, statement in changes.items():
        if table == "message_recipients":
            _message_to(world, me)
        before = _stamp(engine)
        _run(engine, statement, plan=plan, owner=owner, me=me)
        assert _stamp(engine) > before, f"a change to {table} left the stamp alone"
    # Writes elsewhere (sessions, login counters) do not make every cached list useless.
    before = _stamp(engine)
    _run(engine, "UPDATE auth_sessions SET ended_at = NULL WHERE id < 0")
    _run(engine, "UPDATE user_accounts SET failed_logins = 0")
    assert _stamp(engine) == before


def _message_to(world: dict[str, Any], participant_id: int) -> None:
    """A message from the owner to a participant, written as another process would."""
    owner_part = _owner_participant_id(world["engine"], world["plan"])
    now = world["h"].clock.now().replace(tzinfo=None)
    with world["engine"].begin() as conn:
        message = conn.scalar(
            text(
                "INSERT INTO messages (plan_id, sender_participant_id, kind, subject, body,"
                " sent_at, created_at, updated_at, version)"
                " VALUES (:plan, :sender, 'message', 'Hei', 'Hei', :now, :now, :now, 1)"
                " RETURNING id"
            ),
            {"plan": world["plan"], "sender": owner_part, "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO message_recipients (message_id, participant_id, plan_id, sent_at)"
                " VALUES (:m, :p, :plan, :now)"
            ),
            {"m": message, "p": participant_id, "plan": world["plan"], "now": now},
        )


def test_messages_sent_and_read_through_the_api_show_in_the_cached_list(
    world: dict[str, Any],
) -> None:
    h, org = world["h"], world["org"]
    ola = add_user(h, "ola", org.unit_id)
    add_participant(h, world["plan"], ola.person_id, PlanRole.PROVIDER)
    kari, ola_token = login(h, "kari"), login(h, "ola")
    assert [i["new_messages"] for i in _plans(world, kari)["items"]] == [0]
    assert [i["new_messages"] for i in _plans(world, kari)["items"]] == [0]  # cached
    r = h.client.post(
        f"{API}/plans/{world['plan']}/messages",
        headers=bearer(ola_token),
        json={"recipient_ids": [world["me"]], "subject": "Møte", "body": "Hei"},
    )
    assert r.status_code == 201, r.text
    assert [i["new_messages"] for i in _plans(world, kari)["items"]] == [1]
    r = h.client.get(f"{API}/plans/{world['plan']}/messages/{r.json()['id']}", headers=bearer(kari))
    assert r.status_code == 200, r.text
    assert [i["new_messages"] for i in _plans(world, kari)["items"]] == [0]


def _owner_participant_id(engine: Engine, plan: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                text("SELECT id FROM participants WHERE plan_id = :p AND role = 'owner'"),
                {"p": plan},
            )
        )


def test_a_cached_page_is_served_until_anything_it_shows_changes(world: dict[str, Any]) -> None:
    h, engine = world["h"], world["engine"]
    cache = h.ctx.plan_lists
    token = login(h, "kari")
    first = _plans(world, token)
    assert [i["owner_first_name"] for i in first["items"]] == ["Ada"]
    hits = cache.hits
    assert _plans(world, token) == first
    assert cache.hits == hits + 1, "the same request with nothing changed was not served"

    # Another process renames the owner: the next request shows the new name.
    _run(engine, "UPDATE persons SET first_name = 'Adele' WHERE id = :o", o=world["owner"])
    assert [i["owner_first_name"] for i in _plans(world, token)["items"]] == ["Adele"]

    # The coordinator's own consent is withdrawn by hand... the plan is still listed (the
    # coordinator renews consents), but the owner's consent running out shows at once.
    owner_part = _owner_participant_id(engine, world["plan"])
    soon = h.clock.now().date() + timedelta(days=3)
    _run(engine, "UPDATE participants SET consent_expires = :d WHERE id = :p", d=soon, p=owner_part)
    assert [i["consent_days"] for i in _plans(world, token)["items"]] == [3]

    # The plan closes: gone from the list of open plans.
    _run(
        engine,
        "UPDATE plans SET closed_at = :t WHERE id = :p",
        t=h.clock.now().replace(tzinfo=None),
        p=world["plan"],
    )
    assert _plans(world, token)["items"] == []
    assert [i["closed"] for i in _plans(world, token, include_closed=True)["items"]] == [True]


def test_a_new_day_is_a_new_page_without_any_write(
    make_org: Callable[..., Org], db_url: str
) -> None:
    org = make_org(db_url, session_idle_seconds=3 * 86400, session_max_seconds=3 * 86400)
    h = org.h
    plan = add_plan(h, org.unit_id, add_person(h, org.unit_id, "Ada", "Berg"))
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    r = h.client.get(f"{API}/plans", headers=bearer(token))
    days = r.json()["items"][0]["consent_days"]
    h.clock.advance(days=1)
    r = h.client.get(f"{API}/plans", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["consent_days"] == days - 1


def test_each_request_shape_and_each_user_have_their_own_pages(world: dict[str, Any]) -> None:
    h, org = world["h"], world["org"]
    token = login(h, "kari")
    assert _plans(world, token, q="ada")["total"] == 1
    assert _plans(world, token, q="zzz")["total"] == 0
    assert _plans(world, token, page_size=1)["page_size"] == 1
    # Another user with no plans never gets kari's cached page.
    add_user(h, "ola", org.unit_id)
    assert _plans(world, login(h, "ola"))["items"] == []


def test_with_the_cache_off_every_request_queries(make_org: Callable[..., Org]) -> None:
    org = make_org(plan_list_cache_mb=0)
    h = org.h
    owner = add_person(h, org.unit_id, "Ada", "Berg")
    plan = add_plan(h, org.unit_id, owner)
    add_participant(h, plan, org.user.person_id, PlanRole.COORDINATOR)
    token = login(h, "kari")
    for _ in range(2):
        r = h.client.get(f"{API}/plans", headers=bearer(token))
        assert [i["owner_first_name"] for i in r.json()["items"]] == ["Ada"]
    assert (h.ctx.plan_lists.hits, len(h.ctx.plan_lists)) == (0, 0)


def test_the_list_still_answers_the_login_rules(world: dict[str, Any]) -> None:
    h = world["h"]
    assert h.client.get(f"{API}/plans").status_code == 401
    r = h.client.get(f"{API}/plans", headers=bearer("not-a-token"))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")
    token = login(h, "kari")
    r = h.client.get(f"{API}/plans", headers=bearer(token), params={"page_size": 0})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"


def test_postgres_writers_do_not_queue_behind_each_other_for_the_stamp(
    world: dict[str, Any], db_url: str
) -> None:
    """The stamp is raised at commit (a deferred trigger): a transaction that has changed
    one plan and not yet committed does not hold up a writer of another plan."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite writes one transaction at a time by design")
    h, engine = world["h"], world["engine"]
    other = add_plan(h, world["org"].unit_id, add_person(h, world["org"].unit_id, "Bo", "Ek"))
    before = _stamp(engine)
    with engine.connect() as slow:
        slow.execute(text("BEGIN"))
        slow.execute(text("UPDATE plans SET short_name = 'A' WHERE id = :p"), {"p": world["plan"]})
        with engine.connect() as quick:
            quick.execute(text("SET lock_timeout = '2s'"))
            quick.execute(text("BEGIN"))
            quick.execute(text("UPDATE plans SET short_name = 'B' WHERE id = :p"), {"p": other})
            quick.execute(text("UPDATE plans SET short_name = 'C' WHERE id = :p"), {"p": other})
            quick.execute(text("COMMIT"))  # would time out if the stamp's lock were held
        assert _stamp(engine) == before + 1, "one transaction, one rise"
        slow.execute(text("COMMIT"))
    assert _stamp(engine) == before + 2


def test_the_cache_is_bounded_and_forgets_pages_of_passed_stamps() -> None:
    cache = PlanListCache(max_bytes=800)
    cache.put("a", 1, b"x" * 100)
    cache.put("b", 1, b"y" * 100)
    assert cache.get("a", 1) == b"x" * 100
    assert cache.get("a", 2) is None  # the stamp moved on: a miss...
    assert len(cache) == 0  # ...and both pages of stamp 1 are gone
    cache.put("c", 1, b"z" * 10)
    assert cache.get("c", 2) is None and len(cache) == 0  # made under a passed stamp
    cache.put("big", 2, b"b" * 101)  # more than an eighth of the whole: not kept
    assert cache.get("big", 2) is None
    for i in range(10):
        cache.put(i, 2, b"p" * 100)
    assert len(cache) == 8  # 800 bytes: the two oldest went
    assert cache.get(0, 2) is None and cache.get(9, 2) == b"p" * 100


def test_many_lists_at_once_queue_for_the_few_threads_and_all_answer(
    world: dict[str, Any],
) -> None:
    """More concurrent requests than the route's threads: they wait their turn on the event
    loop and every one gets the same, right page (the first few query, the rest hit)."""
    h = world["h"]
    token = login(h, "kari")
    n = PLAN_LIST_THREADS * 6
    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(
            pool.map(lambda _: h.client.get(f"{API}/plans", headers=bearer(token)), range(n))
        )
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["items"][0]["owner_first_name"] == "Ada"
    assert h.ctx.plan_lists.hits + h.ctx.plan_lists.misses >= n


def test_the_list_answers_after_the_database_dropped_its_connections(
    world: dict[str, Any], db_url: str
) -> None:
    """The list's connections are not pinged at checkout (db.statement_reads): one that
    the database has closed (a restart, an idle timeout) is found dead by the statement,
    dropped, and the request runs again on a fresh one instead of failing."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a SQLite connection is a file handle; nothing can drop it")
    h, engine = world["h"], world["engine"]
    token = login(h, "kari")
    assert [i["owner_first_name"] for i in _plans(world, token)["items"]] == ["Ada"]
    with engine.connect() as admin:
        killed = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    assert killed and killed >= 1
    _run(engine, "UPDATE persons SET first_name = 'Adele' WHERE id = :owner", owner=world["owner"])
    assert [i["owner_first_name"] for i in _plans(world, token)["items"]] == ["Adele"]
