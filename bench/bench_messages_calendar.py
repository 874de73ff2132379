"""Working together at scale: a plan with 20,000 messages and 5,000 calendar events.

A real server (uvicorn on loopback, SQLite) and the real client widgets, headless:
- inbox: from the client's request to the message list painted (the first page of 200,
  newest first, with the total). Target: at most 150 ms.
- sent, by recipient: the sent folder (another 20,000 messages, to one or two of the
  group) sorted on the "Til" column, request to painted. Target: at most 150 ms.
- next month: from the key press (PgDn in the month grid) to the grid painted with the
  new month's events fetched from the server. Target: at most 50 ms.
Each figure is the median and the worst of repeated runs, after one warm-up, printed
beside its target (reported, not judged: timings depend on the machine).

    .venv/bin/python bench/bench_messages_calendar.py [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import insert
from textual.app import App, ComposeResult

from sampro_contract import MessageFolder, MessageSort, PlanHome, SortOrder
from sampro_tui.api import ApiClient
from sampro_tui.app import freeze_startup_heap
from screens.plan.calendar.pane import CalendarPane
from screens.plan.messages.pane import MessagesPane
from server.accounts.models import Person, Unit, UserAccount
from server.app import create_app
from server.auth.models import AuthSession
from server.calendar.models import CalendarEvent
from server.config import Settings
from server.context import ServerContext
from server.messages.models import Message, MessageRecipient
from server.migrate import upgrade
from server.participants.models import Participant
from server.plans.models import Plan
from server.security import token_hash
from widgets.month_grid import MonthGrid

MESSAGES = 20_000
EVENTS = 5_000
TOKEN = "bench-token-" + "x" * 32
SUBJECTS = ["Innkalling", "Referat fra møtet", "Spørsmål om skyss", "Notat etter kontroll"]
TITLES = ["Ansvarsgruppemøte", "Fysioterapi", "Legetime", "Foreldremøte", "Avlastning"]


def build(url: str) -> tuple[int, datetime]:
    """The plan, its group of four, the messages to the reader and the calendar."""
    upgrade(url)
    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()))
    ctx = ServerContext.from_settings(settings)
    now = datetime.now(UTC)
    rng = random.Random(5)
    with ctx.db.writing() as db:
        unit = Unit(name="Benk kommune", created_at=now)
        db.add(unit)
        db.flush()
        people = []
        for first, last in [
            ("Eva", "Eier"),
            ("Kari", "Koordinator"),
            ("Mona", "Mor"),
            ("Lars", "Lege"),
        ]:
            p = Person(
                unit_id=unit.id,
                first_name=first,
                last_name=last,
                first_name_lc=first.lower(),
                last_name_lc=last.lower(),
                email=f"{first.lower()}@example.invalid",
                mobile="40000000",
                created_at=now,
            )
            db.add(p)
            people.append(p)
        db.flush()
        user = UserAccount(
            person_id=people[1].id,
            username="leser",
            password_hash="-",
            must_change_password=False,
            created_at=now,
        )
        db.add(user)
        plan = Plan(
            unit_id=unit.id,
            owner_person_id=people[0].id,
            type="IP",
            short_name="IP",
            content_changed_at=now,
            created_at=now,
        )
        db.add(plan)
        db.flush()
        roles = ["owner", "coordinator", "relative", "provider"]
        parts = [
            Participant(plan_id=plan.id, person_id=p.id, role=r, rights={}, created_at=now)
            for p, r in zip(people, roles, strict=True)
        ]
        db.add_all(parts)
        db.flush()
        db.add(
            AuthSession(
                token_hash=token_hash(TOKEN),
                user_id=user.id,
                created_at=now,
                last_activity_at=now,
                absolute_expires_at=now + timedelta(days=1),
            )
        )
        reader = parts[1].id
        senders = [parts[0].id, parts[2].id, parts[3].id]
        rows = []
        for i in range(MESSAGES):
            at = now - timedelta(minutes=30 * (MESSAGES - i))
            rows.append(
                {
                    "plan_id": plan.id,
                    "sender_participant_id": senders[i % 3],
                    "kind": ["message", "note", "minutes"][i % 3],
                    "category": None if i % 3 == 0 else "Helse",
                    "subject": f"{SUBJECTS[i % 4]} {i}",
                    "body": "Tekst " * 40,
                    "sent_at": at,
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
        db.execute(insert(Message), rows)
        ids = [m for (m,) in db.execute(Message.__table__.select().with_only_columns(Message.id))]
        db.execute(
            insert(MessageRecipient),
            [
                {
                    "message_id": m,
                    "participant_id": reader,
                    "plan_id": plan.id,
                    "sent_at": now - timedelta(minutes=30 * (MESSAGES - i)),
                    "read_at": None if i % 7 == 0 else now,
                }
                for i, m in enumerate(ids)
            ],
        )
        # The reader's own sent folder: as many messages, to one or two of the others.
        others = [parts[0].id, parts[2].id, parts[3].id]
        sent_rows = [
            {
                "plan_id": plan.id,
                "sender_participant_id": reader,
                "kind": "message",
                "category": None,
                "subject": f"Svar {i}",
                "body": "Tekst " * 40,
                "sent_at": now - timedelta(minutes=30 * (MESSAGES - i) + 1),
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for i in range(MESSAGES)
        ]
        sent_ids = list(
            db.execute(
                insert(Message).returning(Message.id, sort_by_parameter_order=True), sent_rows
            )
            .scalars()
            .all()
        )
        db.execute(
            insert(MessageRecipient),
            [
                {
                    "message_id": m,
                    "participant_id": pid,
                    "plan_id": plan.id,
                    "sent_at": now,
                    "read_at": None,
                }
                for i, m in enumerate(sent_ids)
                for pid in (others[i % 3], others[(i + 1) % 3])[: 1 + i % 2]
            ],
        )
        first_day = date.today() - timedelta(days=900)
        events = []
        for i in range(EVENTS):
            day = first_day + timedelta(days=rng.randrange(1800))
            start = None if i % 5 == 0 else clock_time(8 + i % 9, 0)
            events.append(
                {
                    "plan_id": plan.id,
                    "title": TITLES[i % len(TITLES)],
                    "start_date": day,
                    "start_time": start,
                    "end_date": day + timedelta(days=2 if i % 23 == 0 else 0),
                    "end_time": None,
                    "place": "Rådhuset",
                    "description": "",
                    "created_by_participant_id": parts[i % 4].id,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        db.execute(insert(CalendarEvent), events)
        plan_id = plan.id
    ctx.db.dispose()
    return plan_id, now


def serve(url: str) -> tuple[str, uvicorn.Server]:
    settings = Settings(
        database_url=url, data_dir=Path(tempfile.mkdtemp()), notify_interval_seconds=0
    )
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    httpx.get(base + "/healthz")
    return base, server


class BenchApp(App[None]):
    def __init__(self, api: ApiClient, plan: PlanHome, pane: str) -> None:
        super().__init__()
        self.api = api
        self.plan = plan
        self.pane = pane

    def compose(self) -> ComposeResult:
        if self.pane == "messages":
            yield MessagesPane(self.plan, id="messages")
        else:
            yield CalendarPane(self.plan, id="calendar")


async def painted(app: App[Any]) -> None:
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


def summary(name: str, figures: list[float], target_ms: float) -> None:
    """Median and worst beside the target; the reader compares (no verdict printed)."""
    ms = [f * 1000 for f in figures]
    med, worst = statistics.median(ms), max(ms)
    print(f"{name:<38} median {med:7.1f} ms   worst {worst:7.1f} ms   target {target_ms:.0f} ms")


async def bench_folder(
    base: str, plan_id: int, runs: int, folder: MessageFolder, sort: MessageSort
) -> list[float]:
    api = ApiClient(base, token=TOKEN)
    plan = await api.plan(plan_id)
    app = BenchApp(api, plan, "messages")
    figures: list[float] = []
    order = SortOrder.DESC if sort == MessageSort.DATE else SortOrder.ASC
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(MessagesPane)
        await pilot.pause(0.5)
        freeze_startup_heap()  # as the `sampro` command does once it is up
        pane.folder, pane.sort, pane.order = folder, sort, order
        for i in range(runs + 1):
            # The pane's own path: its loader worker asks the server and paints the page.
            pane.loaded.clear()
            start = time.perf_counter()
            pane.load()
            await pane.loaded.wait()
            await painted(app)
            if i:  # the first is a warm-up
                figures.append(time.perf_counter() - start)
        assert pane.total == MESSAGES, pane.total
        if sort == MessageSort.RECIPIENT:  # Eier first: the first recipient's last name
            assert pane.items[0].recipients.startswith("Eva Eier"), pane.items[0]
    await api.aclose()
    return figures


async def bench_next_month(
    base: str, plan_id: int, runs: int, cold: bool
) -> tuple[list[float], int]:
    """PgDn in the month grid until the new month is painted with its events. Warm: the
    pane has fetched the neighbouring months ahead (as it does); cold: it has not."""
    api = ApiClient(base, token=TOKEN)
    plan = await api.plan(plan_id)
    app = BenchApp(api, plan, "calendar")
    figures: list[float] = []
    most = 0
    async with app.run_test(size=(160, 50)) as pilot:
        pane = app.query_one(CalendarPane)
        grid = pane.query_one(MonthGrid)
        grid.focus()
        await pilot.pause(0.5)
        freeze_startup_heap()  # as the `sampro` command does once it is up
        for i in range(runs + 1):
            if cold:
                pane.cache.clear()
            else:
                await pilot.pause(0.1)  # time to fetch ahead, as a person reading the month
            start = time.perf_counter()
            grid.action_month(1)  # what PgDn does
            while pane.loaded != pane.range:
                await asyncio.sleep(0)
            await painted(app)
            if i:
                figures.append(time.perf_counter() - start)
                most = max(most, len(pane.events))
    await api.aclose()
    return figures, most


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        plan_id, _ = build(url)
        print(
            f"built a plan with {MESSAGES:,} messages to and {MESSAGES:,} from the reader "
            f"and {EVENTS:,} events "
            f"in {time.perf_counter() - t0:.1f} s (SQLite)"
        )
        base, server = serve(url)
        try:
            inbox = await bench_folder(base, plan_id, runs, MessageFolder.INBOX, MessageSort.DATE)
            by_recipient = await bench_folder(
                base, plan_id, runs, MessageFolder.SENT, MessageSort.RECIPIENT
            )
            months, most = await bench_next_month(base, plan_id, runs, cold=False)
            cold, _ = await bench_next_month(base, plan_id, runs, cold=True)
        finally:
            server.should_exit = True
        summary("inbox: request -> painted", inbox, 150)
        summary("sent by recipient: request -> painted", by_recipient, 150)
        summary(f"next month (<= {most} events shown)", months, 50)
        summary("next month, not fetched ahead", cold, 50)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    asyncio.run(main(parser.parse_args().runs))
