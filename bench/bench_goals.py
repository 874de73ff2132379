"""The goals-and-activities view of a big plan: from request to painted, and a goal's details.

A plan with 200 goals, 2,000 activities (10 per goal) and 20,000 comments (50 on each
goal, 5 on each activity) in a fresh SQLite file, loaded with Core bulk inserts. The real
server runs as its own process (`python -m server serve`); the coordinator logs in through
the real login API (the code is read back from the file SMS sink). The terminal client
runs headless in this process with the real `ApiClient` over loopback HTTP, and the real
`GoalsPane` on screen:

- goals view: `GET /plans/{id}/goals` sent -> JSON parsed -> the tree rebuilt -> the next
  frame painted. Target: at most 150 ms. The tree is rebuilt with the 200 goal nodes and
  only the activity nodes of open goals: over `GoalTreeView.EAGER_ACTIVITIES` (300)
  activities the client builds a goal's activities when it is opened (here only the
  selected goal's ten), not all 2,000.
- goal details: `GET /plans/{id}/goals/{goal}` with its 50 comments -> details and
  comments rendered -> painted. Target: at most 50 ms.
- activity details (5 comments), for comparison.

Each is run 20 times after two warm-up runs; median and worst are printed, together with
the server's share (the HTTP round trip alone).

    .venv/bin/python bench/bench_goals.py
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, select
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from sampro_contract import PlanRole
from sampro_tui.app import SamproApp
from sampro_tui.config import Config
from sampro_tui.credentials import TokenStore
from screens.plan.goals.pane import GoalsPane, render_activity, render_comments, render_goal
from server.access.policy import default_rights
from server.accounts.models import Person, Unit, UnitMembership, UserAccount
from server.config import Settings
from server.goals.models import Activity, Comment, Goal
from server.migrate import upgrade
from server.participants.models import Participant
from server.plans.models import Plan
from server.security import Passwords

GOALS, PER_GOAL, GOAL_COMMENTS, ACTIVITY_COMMENTS = 200, 10, 50, 5
USERNAME, PASSWORD = "bench.koordinator", "Fjord-Hytte42"
RUNS, WARMUP = 20, 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(url: str) -> int:
    """The organisation, the plan and its content; returns the plan's id."""
    upgrade(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    hashed = Passwords(
        Settings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
    ).hash(PASSWORD)
    engine = create_engine(url)
    with engine.begin() as db:

        def person(first: str, last: str, n: int) -> int:
            return int(
                db.execute(
                    insert(Person)
                    .values(
                        unit_id=unit,
                        first_name=first,
                        last_name=last,
                        first_name_lc=first.lower(),
                        last_name_lc=last.lower(),
                        mobile=f"4{n:07d}",
                        email=f"p{n}@example.invalid",
                        created_at=now,
                        version=1,
                    )
                    .returning(Person.id)
                ).scalar_one()
            )

        unit = int(
            db.execute(
                insert(Unit).values(name="Benk kommune", created_at=now).returning(Unit.id)
            ).scalar_one()
        )
        me = person("Bente", "Koordinator", 1)
        user = db.execute(
            insert(UserAccount)
            .values(
                person_id=me,
                username=USERNAME,
                password_hash=hashed,
                must_change_password=False,
                channel="sms",
                system_role="user",
                failed_logins=0,
                active=True,
                created_at=now,
                version=1,
            )
            .returning(UserAccount.id)
        ).scalar_one()
        db.execute(insert(UnitMembership).values(user_id=user, unit_id=unit, role="coordinator"))
        owner = person("Ola", "Planeier", 2)
        plan = int(
            db.execute(
                insert(Plan)
                .values(
                    unit_id=unit,
                    owner_person_id=owner,
                    type="IP",
                    short_name="Stor plan",
                    presentation="",
                    status_text="",
                    content_changed_at=now,
                    created_at=now,
                    version=1,
                )
                .returning(Plan.id)
            ).scalar_one()
        )
        members = []
        for n, (pid, role) in enumerate(
            [(owner, PlanRole.OWNER), (me, PlanRole.COORDINATOR)]
            + [(person("Tjeneste", f"Yter{i}", 10 + i), PlanRole.PROVIDER) for i in range(3)]
        ):
            members.append(
                int(
                    db.execute(
                        insert(Participant)
                        .values(
                            plan_id=plan,
                            person_id=pid,
                            role=role.value,
                            consent_expires=date.today() + timedelta(days=365),
                            responsibility="" if n else "Planeier",
                            rights=default_rights(role).model_dump(mode="json"),
                            notifications={},
                            created_at=now,
                            version=1,
                        )
                        .returning(Participant.id)
                    ).scalar_one()
                )
            )
        db.execute(
            insert(Goal),
            [
                {
                    "plan_id": plan,
                    "title": f"Mål nummer {g + 1}: bo, arbeide og trives",
                    "registered_on": date(2026, 1, 1) + timedelta(days=g),
                    "progress": (g * 7) % 101,
                    "description": "Beskrivelse av målet. " * 10,
                    "position": g,
                    "in_history": False,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for g in range(GOALS)
            ],
        )
        goal_ids = list(db.scalars(select(Goal.id).order_by(Goal.position)).all())
        db.execute(
            insert(Activity),
            [
                {
                    "plan_id": plan,
                    "goal_id": gid,
                    "title": f"Aktivitet {a + 1} under mål {g + 1}",
                    "activity_date": date(2026, 2, 1) + timedelta(days=a),
                    "status": ["planned", "in_progress", "done"][a % 3],
                    "when": "Tirsdager kl. 17",
                    "responsible_participant_id": members[1 + a % 4],
                    "description": "",
                    "position": a,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for g, gid in enumerate(goal_ids)
                for a in range(PER_GOAL)
            ],
        )
        activities = db.execute(select(Activity.id, Activity.goal_id)).all()
        rows: list[dict[str, Any]] = []
        for g, gid in enumerate(goal_ids):
            for c in range(GOAL_COMMENTS):
                rows.append(comment_row(plan, gid, None, members[c % 5], now, g * 1000 + c))
        for aid, gid in activities:
            for c in range(ACTIVITY_COMMENTS):
                rows.append(comment_row(plan, gid, aid, members[c % 5], now, aid * 10 + c))
        db.execute(insert(Comment), rows)
    engine.dispose()
    return plan


def comment_row(
    plan: int, goal: int, activity: int | None, author: int, now: datetime, n: int
) -> dict[str, Any]:
    return {
        "plan_id": plan,
        "goal_id": goal,
        "activity_id": activity,
        "author_participant_id": author,
        "body": f"Kommentar {n}: det går fint, vi fortsetter som avtalt på møtet.",
        "created_at": now - timedelta(minutes=n % 5000),
        "version": 1,
    }


def start_server(tmp: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SAMPRO_DATABASE_URL": url,
        "SAMPRO_SMS": f"file:{tmp / 'sms.jsonl'}",
        "SAMPRO_EMAIL": f"file:{tmp / 'email.jsonl'}",
        "SAMPRO_DATA_DIR": str(tmp),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "server.log", "wb"),  # noqa: SIM115 - lives as long as the server
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit((tmp / "server.log").read_text())


def log_in(base: str, tmp: Path) -> str:
    api = f"{base}/api/v1"
    r = httpx.post(f"{api}/auth/login", json={"username": USERNAME, "password": PASSWORD})
    r.raise_for_status()
    challenge = r.json()["challenge_id"]
    sms = tmp / "sms.jsonl"
    deadline = time.monotonic() + 10
    while not sms.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    body = json.loads(sms.read_text().splitlines()[-1])["body"]
    code = next(w for w in body.replace(".", " ").split() if w.isdigit() and len(w) == 6)
    r = httpx.post(f"{api}/auth/verify", json={"challenge_id": challenge, "code": code})
    r.raise_for_status()
    return str(r.json()["token"])


class BenchScreen(Screen[None]):
    def __init__(self, pane: GoalsPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


async def painted(app: SamproApp) -> None:
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()


def summary(label: str, times: list[float], target: float | None = None) -> str:
    med, worst = statistics.median(times) * 1000, max(times) * 1000
    p90 = sorted(times)[int(len(times) * 0.9) - 1] * 1000
    goal = f"   target <= {target:.0f} ms" if target else ""
    return f"{label:42} median {med:6.1f}  p90 {p90:6.1f}  worst {worst:6.1f} ms{goal}"


async def measure(base: str, token: str, plan_id: int) -> list[str]:
    app = SamproApp(
        Config(server_url=base), persist=False, token_store=TokenStore(False), tune_gc=True
    )
    out: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        api = app.api
        api.token = token
        home = await api.plan(plan_id)
        pane = GoalsPane(home, id="goals-pane")
        pane.load = lambda select=None: None  # type: ignore[method-assign,assignment,misc]
        await app.push_screen(BenchScreen(pane))
        await pilot.pause()
        details = pane.query_one("#goal-details", Static)
        comments = pane.query_one("#goal-comments", Static)

        async def goals_view() -> float:
            start = time.perf_counter()
            tree = await api.goal_tree(plan_id)
            pane.show_tree(tree)
            await painted(app)
            return time.perf_counter() - start

        async def http_only(path: str) -> float:
            start = time.perf_counter()
            await api._request("GET", path)
            return time.perf_counter() - start

        tree = await api.goal_tree(plan_id)
        goal_ids = [g.id for g in tree.goals]
        activity_ids = [a.id for g in tree.goals for a in g.activities]

        async def goal_details(n: int) -> float:
            gid = goal_ids[(n * 37) % len(goal_ids)]
            start = time.perf_counter()
            goal = await api.goal(plan_id, gid)
            details.update(render_goal(goal))
            comments.update(render_comments(goal.comments))
            await painted(app)
            return time.perf_counter() - start

        async def activity_details(n: int) -> float:
            aid = activity_ids[(n * 101) % len(activity_ids)]
            start = time.perf_counter()
            act = await api.activity(plan_id, aid)
            details.update(render_activity(act, "Mål"))
            comments.update(render_comments(act.comments))
            await painted(app)
            return time.perf_counter() - start

        runs: dict[str, list[float]] = {}
        for n in range(WARMUP + RUNS):
            for label, coro in [
                ("goals view: request -> painted", goals_view()),
                ("  of which HTTP GET /goals", http_only(f"/plans/{plan_id}/goals")),
                ("goal details + 50 comments -> painted", goal_details(n)),
                (
                    "  of which HTTP GET /goals/{id}",
                    http_only(f"/plans/{plan_id}/goals/{goal_ids[n % len(goal_ids)]}"),
                ),
                ("activity details + 5 comments -> painted", activity_details(n)),
            ]:
                elapsed = await coro
                if n >= WARMUP:
                    runs.setdefault(label, []).append(elapsed)
        targets = {
            "goals view: request -> painted": 150.0,
            "goal details + 50 comments -> painted": 50.0,
        }
        for label, times in runs.items():
            out.append(summary(label, times, targets.get(label)))
        out.append(f"tree: {len(tree.goals)} goals, {len(activity_ids)} activities")
    await app.api.aclose()
    return out


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="sampro-bench-goals-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    port = free_port()
    started = time.perf_counter()
    plan_id = build(url)
    print(
        f"data: {GOALS} goals, {GOALS * PER_GOAL} activities, "
        f"{GOALS * GOAL_COMMENTS + GOALS * PER_GOAL * ACTIVITY_COMMENTS} comments "
        f"(built in {time.perf_counter() - started:.1f} s)"
    )
    server = start_server(tmp, url, port)
    try:
        base = f"http://127.0.0.1:{port}"
        token = log_in(base, tmp)
        for line in asyncio.run(measure(base, token, plan_id)):
            print(line)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
