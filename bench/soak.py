"""Soak test (issue 12): hundreds of participants on two workers under faults, then a check.

A fresh PostgreSQL database, two `sampro-server serve` processes on it (two workers that
can be killed one at a time), and a few hundred simulated participants in one asyncio
loop, each sticking to one worker and failing over to the other when a connection to it
fails (a tiny load balancer in the client). Everything goes through the HTTP API and the
`sampro-server` command line, as an operator and the people using it would; only the
after-check reads the database, with SQLAlchemy Core (`soak_check.py`).

Setup (not measured): `create-admin`, the administrator creates a coordinator, who creates
the plans, their goals and their participants (each with an account; the temporary
password and every one-time code are read from the `file:` sinks), and each participant
logs in and changes the password.

Then, for `--minutes`, every participant does what people do, with a think time between
actions: opens the plan list, opens a plan and its goals, reads the inbox and a message,
sends a message, comments on a goal, opens a goal and saves an edit with the version it
read (409 version_conflict is a correct answer, counted apart), logs out and in again.
Every write carries a unique marker in its text. Meanwhile the faults: PostgreSQL
connections terminated with `pg_terminate_backend` a few times, and one worker killed with
SIGKILL and started again after a few seconds.

Afterwards: every acknowledged (2xx) write is in the database exactly once, no write is
there twice, a refused one is not there, no answer was a 5xx (or a dropped connection)
outside the kill window, and every session that had used the killed worker made a
successful request at the other afterwards, with the same token. It prints requests per
second, p50/p99 per kind of request, errors by kind, the faults, and what was lost; it
exits non-zero if any check fails.

    .venv/bin/python bench/soak.py --minutes 3 --users 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from soak_check import ACKED, REFUSED, UNKNOWN, Findings, Write, check
from soak_servers import (
    CODE,
    TEMPORARY_PASSWORD,
    CodeSink,
    ScratchDatabase,
    Worker,
    run_command,
    server_environment,
)

PASSWORD = "Soak-Fjellvann42"
ADMIN, ADMIN_EMAIL = "soak.admin", "admin@soak.invalid"
COORDINATOR, COORDINATOR_EMAIL = "soak.koordinator", "koordinator@soak.invalid"
FAILOVER_SECONDS = 2.0  # how long a participant keeps away from a worker it could not reach
GRACE_SECONDS = 2.0  # the kill window lasts this long after the worker answers again
PG_WINDOW_SECONDS = 2.0  # a request this close to a PG termination is "after" it
SETUP_CONCURRENCY = 8
RIGHTS = {"goals": "write", "activities": "read"}


@dataclass
class Sample:
    kind: str
    worker: int
    at: float  # seconds since the run began
    seconds: float
    status: int  # 0: no answer (the connection failed)
    code: str  # the error envelope's code, or the transport error's name


@dataclass
class SessionTrack:
    """One login's token: where and when it was used, and whether it was ended."""

    member: int
    uses: list[tuple[float, int, bool]] = field(default_factory=list)  # (at, worker, 2xx)
    ended_at: float | None = None


@dataclass
class Seat:
    plan_id: int
    participant_id: int
    goal_ids: list[int]
    recipients: list[int]  # the other participants one may write to


@dataclass
class Member:
    """A simulated participant (or the administrator or coordinator during setup)."""

    index: int
    username: str
    email: str
    home: int  # the worker this participant sticks to while it answers
    seats: list[Seat] = field(default_factory=list)
    token: str = ""
    session: int = -1
    down_until: list[float] = field(default_factory=lambda: [0.0, 0.0])

    def order(self, now: float) -> list[int]:
        """Workers to try, best first: home unless it failed a moment ago."""
        other = 1 - self.home
        ranked = [self.home, other]
        return sorted(ranked, key=lambda w: self.down_until[w] > now)


@dataclass
class KillRecord:
    worker: int
    killed_at: float
    started_at: float
    ready_at: float


class Soak:
    """The load, the faults, and what the clients saw."""

    def __init__(
        self, workers: list[Worker], db: ScratchDatabase, sink: CodeSink, args: argparse.Namespace
    ) -> None:
        self.workers = workers
        self.db = db
        self.sink = sink
        self.args = args
        self.rng = random.Random(args.seed)
        # A kept-alive connection is dropped after 2 s idle, before uvicorn's 5 s: otherwise a
        # request sent as the server closes an idle connection fails, which is a client race,
        # not a fault of the server's.
        limits = httpx.Limits(
            max_connections=args.connections,
            max_keepalive_connections=args.connections,
            keepalive_expiry=2.0,
        )
        timeout = httpx.Timeout(30.0, pool=300.0)  # waiting for a connection is queueing
        self.clients = [
            httpx.AsyncClient(base_url=w.base_url, limits=limits, timeout=timeout) for w in workers
        ]
        self.t0 = time.monotonic()
        self.recording = False
        self.samples: list[Sample] = []
        self.writes: list[Write] = []
        self.sessions: dict[int, SessionTrack] = {}
        self.kill: KillRecord | None = None
        self.pg_faults: list[tuple[float, int]] = []
        self.markers = 0
        self.setup_requests = 0
        self.until = 0.0
        self.cpu: dict[str, float] = defaultdict(float)  # CPU seconds in the load, by process

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def close(self) -> None:
        for c in self.clients:
            await c.aclose()

    # --- HTTP, with the client-side failover -------------------------------------------

    async def call(
        self,
        m: Member,
        kind: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        authenticated: bool = True,
        write: bool = False,
    ) -> httpx.Response | None:
        """One request at the member's worker, or at the other if that cannot be reached.

        A request that was never sent (the connection was refused) is sent to the other
        worker. A write that was sent and got no answer is not sent again: it may have been
        done, and a blind retry is how writes get stored twice. A read is retried once.
        """
        headers = {"Authorization": f"Bearer {m.token}"} if authenticated else {}
        session = m.session if authenticated else -1
        for w in m.order(self.now()):
            start = self.now()
            try:
                r = await self.clients[w].request(
                    method, path, json=body, params=params, headers=headers
                )
            except httpx.TransportError as exc:
                self._record(kind, w, start, 0, type(exc).__name__, session)
                m.down_until[w] = self.now() + FAILOVER_SECONDS
                if write and not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    return None
                continue
            self._record(kind, w, start, r.status_code, error_code(r), session)
            return r
        return None

    def _record(
        self, kind: str, worker: int, start: float, status: int, code: str, session: int
    ) -> None:
        if not self.recording:
            self.setup_requests += 1
            return
        self.samples.append(Sample(kind, worker, start, self.now() - start, status, code))
        if session >= 0:
            self.sessions[session].uses.append((start, worker, 200 <= status < 300))

    async def expect(self, m: Member, method: str, path: str, status: int, body: Any = None) -> Any:
        """A setup call that must succeed (tried a few times: setup is not under test)."""
        for _ in range(5):
            r = await self.call(m, "setup", method, path, body=body)
            if r is not None and r.status_code == status:
                return r.json() if r.content else None
            await asyncio.sleep(0.5)
        answer = "no answer" if r is None else f"{r.status_code} {r.text[:300]}"
        raise SystemExit(f"setup: {method} {path} answered {answer}")

    async def login(self, m: Member, password: str = PASSWORD) -> bool:
        """The two-step login, the code read from the sink; tried until it works, or the
        load's time is up."""
        for _ in range(30):
            if self.recording and self.now() > self.until:
                return False
            seen = self.sink.count(m.email)
            r = await self.call(
                m,
                "auth.login",
                "POST",
                "/auth/login",
                body={"username": m.username, "password": password},
                authenticated=False,
            )
            if r is None or r.status_code != 200:
                await asyncio.sleep(1.0)
                continue
            text = await self.sink.next_body(m.email, seen)
            found = CODE.search(text or "")
            if found is None:
                continue
            r = await self.call(
                m,
                "auth.verify",
                "POST",
                "/auth/verify",
                body={"challenge_id": r.json()["challenge_id"], "code": found.group(1)},
                authenticated=False,
            )
            if r is not None and r.status_code == 200:
                m.token = r.json()["token"]
                m.session = len(self.sessions)
                self.sessions[m.session] = SessionTrack(m.index)
                return True
            await asyncio.sleep(1.0)
        return False

    async def setup_login(self, m: Member, password: str = PASSWORD) -> None:
        if not await self.login(m, password):
            raise SystemExit(f"setup: {m.username} could not log in")

    def marker(self, letter: str) -> str:
        self.markers += 1
        return f"soak-{letter}{self.markers:07d}"

    # --- setup --------------------------------------------------------------------------

    async def prepare(self) -> list[Member]:
        args = self.args
        admin = Member(-1, ADMIN, ADMIN_EMAIL, home=0)
        await self.setup_login(admin)
        unit = (await self.expect(admin, "GET", "/admin/units", 200))[0]["id"]
        coordinator = Member(-2, COORDINATOR, COORDINATOR_EMAIL, home=1)
        seen = self.sink.count(COORDINATOR_EMAIL)
        await self.expect(
            admin,
            "POST",
            "/admin/users",
            201,
            {
                "unit_id": unit,
                "unit_role": "coordinator",
                "username": COORDINATOR,
                "channel": "email",
                "person": {
                    "first_name": "Kari",
                    "last_name": "Koordinator",
                    "email": COORDINATOR_EMAIL,
                },
            },
        )
        await self.first_login(coordinator, seen)
        members = [
            Member(i, f"soak.u{i:04d}", f"u{i:04d}@soak.invalid", home=i % 2)
            for i in range(args.users)
        ]
        plans = (len(members) + args.plan_size - 1) // args.plan_size
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        consent = (date.today() + timedelta(days=365)).isoformat()
        seen_before = {m.index: self.sink.count(m.email) for m in members}

        async def make_plan(p: int) -> tuple[int, int, list[int], dict[int, tuple[int, int]]]:
            async with gate:
                plan = await self.expect(
                    coordinator,
                    "POST",
                    "/plans",
                    201,
                    {
                        "unit_id": unit,
                        "type": "IP",
                        "short_name": f"Soak {p}",
                        "owner": {"first_name": f"Eier{p}", "last_name": "Soak"},
                        "owner_consent_expires": consent,
                    },
                )
                plan_id = int(plan["id"])
                me = await self.expect(coordinator, "GET", f"/plans/{plan_id}", 200)
                goals = [
                    int(
                        (
                            await self.expect(
                                coordinator,
                                "POST",
                                f"/plans/{plan_id}/goals",
                                201,
                                {"title": f"Mål {g}", "registered_on": date.today().isoformat()},
                            )
                        )["id"]
                    )
                    for g in range(args.goals)
                ]
                seats: dict[int, tuple[int, int]] = {}  # member -> (participant, person)
                for m in members[p * args.plan_size : (p + 1) * args.plan_size]:
                    got = await self.expect(
                        coordinator,
                        "POST",
                        f"/plans/{plan_id}/participants",
                        201,
                        {
                            "person": {
                                "first_name": f"Deltaker{m.index}",
                                "last_name": "Soak",
                                "email": m.email,
                            },
                            "create_account": True,
                            "username": m.username,
                            "channel": "email",
                            "role": "provider",
                            "rights": RIGHTS,
                            "consent_expires": consent,
                        },
                    )
                    seats[m.index] = (int(got["id"]), int(got["person"]["id"]))
                return plan_id, int(me["me"]["participant_id"]), goals, seats

        made = await asyncio.gather(*(make_plan(p) for p in range(plans)))
        persons = {i: person for _, _, _, seats in made for i, (_, person) in seats.items()}
        in_plan: list[dict[int, int]] = [
            {i: part for i, (part, _) in seats.items()} for _, _, _, seats in made
        ]

        async def second_seat(m: Member) -> None:
            # Everyone takes part in a second plan too (as a relative), so that the plan
            # list is a list and a person's sessions reach more than one plan.
            p = (m.index // args.plan_size + 1) % plans
            async with gate:
                got = await self.expect(
                    coordinator,
                    "POST",
                    f"/plans/{made[p][0]}/participants",
                    201,
                    {
                        "person_id": persons[m.index],
                        "role": "relative",
                        "rights": RIGHTS,
                        "consent_expires": consent,
                    },
                )
            in_plan[p][m.index] = int(got["id"])

        if plans > 1:
            await asyncio.gather(*(second_seat(m) for m in members))
        for p, (plan_id, coordinator_part, goals, _) in enumerate(made):
            everyone = [coordinator_part, *in_plan[p].values()]
            for i, part in in_plan[p].items():
                members[i].seats.append(
                    Seat(plan_id, part, goals, [x for x in everyone if x != part])
                )

        async def first(m: Member) -> None:
            async with gate:
                await self.first_login(m, seen_before[m.index])

        await asyncio.gather(*(first(m) for m in members))
        return members

    async def first_login(self, m: Member, seen: int) -> None:
        """The temporary password from the sink, a login with it, the password changed."""
        text = await self.sink.next_body(m.email, seen, timeout=60)
        found = TEMPORARY_PASSWORD.search(text or "")
        if found is None:
            raise SystemExit(f"no temporary password for {m.username}")
        await self.setup_login(m, found.group(1))
        await self.expect(
            m,
            "POST",
            "/auth/password",
            204,
            {"current_password": found.group(1), "new_password": PASSWORD},
        )

    # --- what people do -----------------------------------------------------------------

    async def think(self, scale: float = 1.0) -> None:
        await asyncio.sleep(self.rng.expovariate(1 / (self.args.think * scale)))

    async def list_plans(self, m: Member) -> None:
        await self.call(m, "plans.list", "GET", "/plans")

    async def open_plan(self, m: Member) -> None:
        seat = self.rng.choice(m.seats)
        await self.call(m, "plan.open", "GET", f"/plans/{seat.plan_id}")
        await self.call(m, "goals.list", "GET", f"/plans/{seat.plan_id}/goals")

    async def read_messages(self, m: Member) -> None:
        seat = self.rng.choice(m.seats)
        r = await self.call(
            m,
            "messages.list",
            "GET",
            f"/plans/{seat.plan_id}/messages",
            params={"folder": "inbox", "page_size": 20},
        )
        if r is None or r.status_code != 200 or not r.json()["items"]:
            return
        item = self.rng.choice(r.json()["items"])
        await self.think(0.3)
        await self.call(m, "message.open", "GET", f"/plans/{seat.plan_id}/messages/{item['id']}")

    async def send_message(self, m: Member) -> None:
        seat = self.rng.choice(m.seats)
        to = self.rng.sample(seat.recipients, k=min(len(seat.recipients), self.rng.randint(1, 3)))
        marker = self.marker("m")
        r = await self.call(
            m,
            "message.send",
            "POST",
            f"/plans/{seat.plan_id}/messages",
            body={
                "subject": f"Soak {marker}",
                "body": f"{marker} Hei! Kan vi snakke om neste møte?",
                "recipient_ids": to,
            },
            write=True,
        )
        self.writes.append(Write("message", marker, outcome(r), status(r), recipients=len(to)))

    async def add_comment(self, m: Member) -> None:
        seat = self.rng.choice(m.seats)
        marker = self.marker("c")
        r = await self.call(
            m,
            "comment.add",
            "POST",
            f"/plans/{seat.plan_id}/comments",
            body={"goal_id": self.rng.choice(seat.goal_ids), "body": f"{marker} Godt jobbet!"},
            write=True,
        )
        self.writes.append(Write("comment", marker, outcome(r), status(r)))

    async def edit_goal(self, m: Member) -> None:
        seat = self.rng.choice(m.seats)
        goal = self.rng.choice(seat.goal_ids)
        path = f"/plans/{seat.plan_id}/goals/{goal}"
        r = await self.call(m, "goal.open", "GET", path)
        if r is None or r.status_code != 200:
            return
        version = int(r.json()["version"])
        await self.think(0.5)  # reading and typing: others may save meanwhile
        marker = self.marker("g")
        r = await self.call(
            m,
            "goal.edit",
            "PATCH",
            path,
            body={"version": version, "description": f"{marker} Oppdatert beskrivelse."},
            write=True,
        )
        answered = 0
        if r is not None and 200 <= r.status_code < 300:
            answered = int(r.json()["version"])
        self.writes.append(Write("goal_edit", marker, outcome(r), status(r), goal, answered))

    async def log_out_and_in(self, m: Member) -> None:
        if m.token:
            await self.call(m, "auth.logout", "POST", "/auth/logout")
            self.sessions[m.session].ended_at = self.now()  # done or not: not used again
            m.token = ""
            await self.think(0.5)
        await self.login(m)

    async def live(self, m: Member, until: float) -> None:
        actions: list[tuple[Callable[[Member], Awaitable[None]], int]] = [
            (self.list_plans, 15),
            (self.open_plan, 25),
            (self.read_messages, 25),
            (self.send_message, 10),
            (self.add_comment, 10),
            (self.edit_goal, 10),
            (self.log_out_and_in, 5),
        ]
        doings, weights = zip(*actions, strict=True)
        await asyncio.sleep(self.rng.uniform(0, 2 * self.args.think))  # not all at once
        while self.now() < until:
            if m.token:
                await self.rng.choices(doings, weights)[0](m)
            else:  # the last login did not get through
                await self.login(m)
            await self.think()

    # --- faults -------------------------------------------------------------------------

    async def terminate_pg(self) -> None:
        at = self.now()
        n = await asyncio.to_thread(self.db.terminate_connections)
        self.pg_faults.append((at, n))

    async def inject(self, start: float, until: float) -> None:
        span = until - start
        pg_faults = self.args.pg_faults
        if pg_faults > 0:
            await self.sleep_until(start + 0.15 * span)
            await self.terminate_pg()
            pg_faults -= 1
        await self.sleep_until(start + 0.35 * span)
        victim = self.workers[0]
        self.cpu[f"worker {victim.index}"] += victim.cpu_seconds()
        killed = self.now()
        victim.kill()
        await asyncio.sleep(self.args.down_seconds)
        started = self.now()
        victim.start()
        await victim.wait_ready()
        self.kill = KillRecord(victim.index, killed, started, self.now())
        # The other terminations after the worker is back, spread over what remains.
        first, last = self.now() + 3, start + 0.92 * span
        for k in range(pg_faults):
            await self.sleep_until(first + (last - first) * k / max(1, pg_faults - 1))
            await self.terminate_pg()

    async def sleep_until(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - self.now()))

    async def run(self, members: list[Member]) -> float:
        self.recording = True
        self.t0 = time.monotonic()  # the report's times count from the start of the load
        for m in members:
            m.down_until = [0.0, 0.0]
        start = self.now()
        until = self.until = start + self.args.minutes * 60
        cpu_before = [w.cpu_seconds() for w in self.workers]
        client_before = time.process_time()
        faults = asyncio.create_task(self.inject(start, until))
        await asyncio.gather(*(self.live(m, until) for m in members))
        await faults
        for w, before in zip(self.workers, cpu_before, strict=True):
            # The killed worker's first life was counted at the kill; its second starts at 0.
            self.cpu[f"worker {w.index}"] += w.cpu_seconds() - before
        self.cpu["client"] = time.process_time() - client_before
        return self.now() - start


def error_code(r: httpx.Response) -> str:
    if r.status_code < 400:
        return ""
    try:
        return str(r.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "no_envelope"


def outcome(r: httpx.Response | None) -> str:
    if r is None or r.status_code >= 500:
        return UNKNOWN
    return ACKED if r.status_code < 300 else REFUSED


def status(r: httpx.Response | None) -> int:
    return 0 if r is None else r.status_code


# --- the report ---------------------------------------------------------------------------


def overlaps(s: Sample, begin: float, end: float) -> bool:
    return s.at <= end and s.at + s.seconds >= begin


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(soak: Soak, members: list[Member], seconds: float, found: Findings) -> list[str]:
    """Prints the figures; returns the checks that failed."""
    samples, kill = soak.samples, soak.kill
    plans = len({s.plan_id for m in members for s in m.seats})
    print(
        f"\nSoak: {len(members)} participants in {plans} plans, 2 workers, PostgreSQL, "
        f"{seconds:.0f} s (think time {soak.args.think} s, {soak.args.connections} "
        f"connections per worker; setup took {soak.setup_requests} requests)"
    )
    per_worker = Counter(s.worker for s in samples)
    print(
        f"Requests: {len(samples)}, {len(samples) / seconds:.1f}/s "
        f"(worker 0: {per_worker[0]}, worker 1: {per_worker[1]})"
    )
    cpu = ", ".join(f"{who} {t:.0f} s" for who, t in sorted(soak.cpu.items()))
    print(
        f"CPU during the load: {cpu} ({sum(soak.cpu.values()) / seconds:.2f} cores); "
        f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"\n{'kind':<15}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    kinds = sorted({s.kind for s in samples})
    for kind in kinds:
        times = [s.seconds * 1000 for s in samples if s.kind == kind and s.status]
        if times:
            print(
                f"{kind:<15}{len(times):>8}{statistics.median(times):>9.1f}"
                f"{percentile(times, 0.99):>9.1f}{max(times):>9.1f}"
            )

    def window(s: Sample) -> str:
        if kill and overlaps(s, kill.killed_at, kill.ready_at + GRACE_SECONDS):
            return "kill"
        if any(overlaps(s, at, at + PG_WINDOW_SECONDS) for at, _ in soak.pg_faults):
            return "pg"
        return "other"

    def conflict(s: Sample) -> bool:
        return s.status == 409 and s.code == "version_conflict"

    conflicts = sum(1 for s in samples if conflict(s))
    edits = sum(1 for s in samples if s.kind == "goal.edit")
    errors: dict[tuple[str, int, str], Counter[str]] = {}
    for s in samples:
        if not 200 <= s.status < 300 and not conflict(s):
            errors.setdefault((s.kind, s.status, s.code), Counter())[window(s)] += 1
    print(
        f"\nVersion conflicts (409 version_conflict, a correct answer): {conflicts} of "
        f"{edits} goal saves"
    )
    print("Other answers that were not 2xx (status 0: the connection failed):")
    if errors:
        print(
            f"  {'kind':<15}{'status':>7}  {'code':<24}{'kill window':>12}{'after PG kill':>14}"
            f"{'elsewhere':>10}"
        )
    else:
        print("  none")
    for (kind, code_status, code), where in sorted(errors.items()):
        print(
            f"  {kind:<15}{code_status:>7}  {code:<24}{where['kill']:>12}{where['pg']:>14}"
            f"{where['other']:>10}"
        )

    print("\nFaults:")
    if kill:
        print(
            f"  worker {kill.worker} SIGKILLed at {kill.killed_at:.1f} s, started again at "
            f"{kill.started_at:.1f} s, answering at {kill.ready_at:.1f} s "
            f"(kill window to {kill.ready_at + GRACE_SECONDS:.1f} s)"
        )
    terminated = sum(n for _, n in soak.pg_faults)
    print(
        f"  PostgreSQL connections terminated: {terminated} in {len(soak.pg_faults)} rounds ("
        + ", ".join(f"{n} at {at:.1f} s" for at, n in soak.pg_faults)
        + ")"
    )

    by_kind = Counter((w.kind, w.outcome) for w in soak.writes)
    print("\nWrites (acknowledged / refused / unanswered):")
    for kind in ("message", "comment", "goal_edit"):
        print(
            f"  {kind:<10} {by_kind[kind, ACKED]:>6} / {by_kind[kind, REFUSED]:>5} / "
            f"{by_kind[kind, UNKNOWN]:>3}"
        )
    print(
        f"  acknowledged writes checked: {found.checked}; unanswered ones stored "
        f"{found.unknown_stored}, not stored {found.unknown_absent} (either is right); "
        f"goal edits applied (audit log): {found.goal_edits_applied}"
    )
    if found.error_answer_stored:
        print(f'  answered 5xx ("nothing was saved") yet stored: {found.error_answer_stored}')

    carried = carried_over(soak)
    fivexx = [s for s in samples if s.status >= 500 and window(s) != "kill"]
    dropped = [s for s in samples if s.status == 0 and window(s) != "kill"]
    print(f"\nLost writes: {len(found.lost)}")
    for line in found.lost[:20]:
        print(f"  {line}")
    print(f"Written twice: {len(found.duplicates)}")
    for line in found.duplicates[:20]:
        print(f"  {line}")
    print(f"Refused yet stored: {len(found.refused_but_stored)}")
    for line in found.refused_but_stored[:20]:
        print(f"  {line}")
    near_pg = sum(1 for s in fivexx if window(s) == "pg")
    print(
        f"5xx outside the kill window: {len(fivexx)} ({near_pg} within {PG_WINDOW_SECONDS:.0f} s"
        " after a PG termination)"
    )
    for s in fivexx[:20]:
        print(f"  {s.kind} at {s.at:.2f} s on worker {s.worker}: {s.status} {s.code}")
    near_pg = sum(1 for s in dropped if window(s) == "pg")
    print(
        f"Connections failed outside the kill window: {len(dropped)} ({near_pg} within "
        f"{PG_WINDOW_SECONDS:.0f} s after a PG termination)"
    )
    for s in dropped[:20]:
        print(f"  {s.kind} at {s.at:.2f} s on worker {s.worker}: {s.code}")
    waits = sorted(carried.at_other.values())
    print(
        f"Sessions carried over: {len(carried.went_on)} of the {len(carried.used)} that had "
        f"used the killed worker made a successful request afterwards with the same token; "
        f"{len(waits)} at the other worker"
        + (
            f" (the first there {statistics.median(waits):.1f} s after the kill at the "
            f"median, {waits[-1]:.1f} s at the latest)"
            if waits
            else ""
        )
    )
    for sid in sorted(carried.used - carried.went_on)[:10]:
        track = soak.sessions[sid]
        uses = [(round(at, 1), w, ok) for at, w, ok in track.uses if kill and at > kill.killed_at]
        print(f"  session {sid} of member {track.member}: after the kill {uses[:8]}")

    failed = []
    if kill is None:
        failed.append("the worker was not killed")
    if found.lost:
        failed.append("writes lost")
    if found.duplicates:
        failed.append("writes stored twice")
    if found.refused_but_stored:
        failed.append("refused writes stored")
    if fivexx:
        failed.append("5xx outside the kill window")
    if dropped:
        failed.append("connections failed outside the kill window")
    if carried.went_on != carried.used or not carried.used:
        failed.append("sessions of the killed worker did not go on")
    return failed


@dataclass
class CarriedOver:
    """The sessions that had used the killed worker before the kill and were not ended by
    then, and what became of them afterwards."""

    used: set[int] = field(default_factory=set)
    went_on: set[int] = field(default_factory=set)  # a 2xx afterwards, at either worker
    at_other: dict[int, float] = field(default_factory=dict)  # first 2xx at the other: when


def carried_over(soak: Soak) -> CarriedOver:
    kill, found = soak.kill, CarriedOver()
    if kill is None:
        return found
    for sid, track in soak.sessions.items():
        if track.ended_at is not None and track.ended_at <= kill.killed_at:
            continue
        if not any(at < kill.killed_at and w == kill.worker for at, w, _ in track.uses):
            continue
        found.used.add(sid)
        after = [(at, w) for at, w, ok in track.uses if at > kill.killed_at and ok]
        if after:
            found.went_on.add(sid)
        elsewhere = [at for at, w in after if w != kill.worker]
        if elsewhere:
            found.at_other[sid] = min(elsewhere) - kill.killed_at
    return found


def log_excerpt(workers: list[Worker]) -> None:
    for w in workers:
        lines = w.error_lines(8)
        if lines:
            print(f"\nworker {w.index}'s log ({w.log_path}), the exceptions:")
            for line in lines:
                print(f"  {line}")


async def main_async(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="sampro-soak-"))
    db = ScratchDatabase(args.postgres, f"sampro_soak_{secrets.token_hex(4)}")
    db.create()
    env = server_environment(db.sqlalchemy_url, folder)
    workers = [Worker(i, env, folder) for i in range(2)]
    soak: Soak | None = None
    failed: list[str] = ["did not finish"]
    try:
        begun = time.monotonic()
        run_command(
            ["create-admin", "--username", ADMIN, "--email", ADMIN_EMAIL], env, PASSWORD + "\n"
        )
        for w in workers:  # migrated by create-admin: the two start on the newest schema
            w.start()
        await asyncio.gather(*(w.wait_ready() for w in workers))
        soak = Soak(workers, db, CodeSink(folder), args)
        print(f"database {db.name}, workers on ports {workers[0].port} and {workers[1].port}")
        members = await soak.prepare()
        print(f"setup: {len(members)} participants ready in {time.monotonic() - begun:.0f} s")
        seconds = await soak.run(members)
        await soak.close()
        found = await asyncio.to_thread(check, db.sqlalchemy_url, soak.writes)
        failed = report(soak, members, seconds, found)
        if failed or any(s.status >= 500 for s in soak.samples):
            log_excerpt(workers)
    finally:
        for w in workers:
            w.stop()
        if args.keep:
            print(f"kept: database {db.name}, logs and sinks in {folder}")
        else:
            db.drop()
            if not failed:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                print(f"worker logs kept in {folder}")
    print("\nChecks: " + ("all passed" if not failed else "FAILED: " + "; ".join(failed)))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="how long the load runs")
    parser.add_argument("--users", type=int, default=300, help="simulated participants")
    parser.add_argument("--plan-size", type=int, default=10, help="participants per plan")
    parser.add_argument("--goals", type=int, default=3, help="goals per plan")
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds between one person's actions"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="HTTP connections to each worker"
    )
    parser.add_argument(
        "--down-seconds", type=float, default=5.0, help="how long the killed worker stays down"
    )
    parser.add_argument("--pg-faults", type=int, default=4, help="rounds of pg_terminate_backend")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="the PostgreSQL server (a fresh database is made on it and dropped)",
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args()
    if args.users < 2 or args.plan_size < 2:
        parser.error("at least two participants, and at least two a plan")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
