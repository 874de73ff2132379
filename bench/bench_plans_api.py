"""Benchmark: GET /api/v1/plans for a coordinator with 300 plans, against a bare FastAPI route.

What it does, per backend (SQLite file and/or a throw-away PostgreSQL database):

1. Builds the data set with SQLAlchemy Core bulk inserts into a freshly migrated database:
   10 units, 2,000 persons with user accounts, 10,000 plan owners (persons) and 10,000
   plans (8 % of the others closed), 50,000 participant rows (owner, coordinator and three
   others per plan), 20,000 sent messages and 1,000 drafts with 84,000 recipient rows,
   about half unread, so the list's "new messages for me" column has real work. One
   coordinator (``bench.koordinator``) is in 300 open plans. Every account carries the
   same argon2id hash, made once with cheap parameters (they travel in the hash), so
   nothing hashes 2,000 times. PostgreSQL gets VACUUM ANALYZE after the load; SQLite no
   ANALYZE (its plan for the list is the same either way).
2. Starts the real server as its own process: ``python -m server serve --workers 1``
   (which migrates, a no-op here, then serves on uvicorn with uvloop/httptools).
3. Logs the coordinator in through the real login API: password, then the one-time code
   read back from the file SMS sink (``SAMPRO_SMS=file:...``). No session row is forged.
4. Fetches the real responses (``page_size=300`` and the default, 100) and starts a bare
   FastAPI app (its own uvicorn process, one worker) whose routes answer JSON of exactly
   the same bytes, with no database and no authentication:
     * ``/bare/bytes``  the pre-serialised body in a ``Response`` (the HTTP floor);
     * ``/bare/model``  the same ``Page[PlanListItem]``, built once, through FastAPI's
       typed-route serialisation (validate, then pydantic ``dump_json``);
     * ``/bare/dicts``  the same document as plain dicts and lists, through FastAPI's
       default ``jsonable_encoder`` and ``JSONResponse``.
   The table gives GET /plans' throughput as a fraction of each.
5. Measures from a separate load process: ``wrk`` when installed (``apt-get install wrk``),
   otherwise this script's own httpx asyncio load generator (``_load``, a subprocess; it
   is far slower than wrk and shares the CPUs: bare routes then measure the client, and
   the ratios mean little). After a one-second warm-up: one client (1 connection,
   sequential) for ``--seq-seconds``, p50/p99 latency; then requests per second at
   ``--connections`` (16) for ``--duration`` seconds.

6. Starts a second server on the same database with the plan-list cache off
   (``SAMPRO_PLAN_LIST_CACHE_MB=0``) and measures ``GET /plans`` again (row "no cache"):
   what each request costs when it must query, as the first one after a change does.

Targets (issue 2): p99 <= 25 ms for one client; GET /plans throughput at 16 connections
>= 50 % of the bare route's.

Run from the repository root:

    .venv/bin/python bench/bench_plans_api.py --backend both
    .venv/bin/python bench/bench_plans_api.py --backend sqlite --duration 5
    .venv/bin/python bench/bench_plans_api.py --backend postgres \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test --pg-set random_page_cost=1.1

It takes under two minutes per backend with the defaults. The PostgreSQL database it
creates (``sampro_bench_<random>``) is dropped at the end, the SQLite file and logs are
removed; ``--keep`` keeps them and prints the database URL and the session token, so that
a server started by hand on the same data (e.g. under py-spy) can be measured again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COORDINATOR = "bench.koordinator"
PASSWORD = "Benk-Passord-2041"
N_UNITS = 10
N_USERS = 2_000
N_COORDINATORS = 100  # accounts 1..100 coordinate; account 1 is the measured one
N_PLANS = 10_000
MY_PLANS = 300
OTHERS_PER_PLAN = 3  # besides owner and coordinator: 5 participant rows per plan
MESSAGES_PER_PLAN = 2
P99_TARGET_MS = 25.0
RATIO_TARGET = 0.5

FIRST = [
    "Ada",
    "Bjørn",
    "Cecilie",
    "Dag",
    "Eli",
    "Frode",
    "Gunn",
    "Hans",
    "Ida",
    "Jon",
    "Kari",
    "Lars",
    "Mona",
    "Nils",
    "Ola",
    "Per",
    "Randi",
    "Siri",
    "Tor",
    "Unni",
    "Vidar",
    "Åse",
    "Øystein",
    "Ingrid",
    "Magnus",
    "Sigrid",
    "Henrik",
    "Nora",
    "Emil",
    "Sofie",
]
LAST = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Jakobsen",
    "Moen",
    "Gundersen",
    "Iversen",
    "Strand",
]


# --- the data set --------------------------------------------------------------------


def _cheap_hash(password: str) -> str:
    """One argon2id hash, made once for every account; its parameters travel in the hash."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(password)


def _chunks(rows: list[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def build_dataset(url: str) -> dict[str, int]:
    """Migrate a fresh database and fill it with bulk Core inserts; returns row counts."""
    from sqlalchemy import create_engine, insert, text

    from sampro_contract import PlanRole, PlanType
    from server.access.policy import default_rights
    from server.accounts.models import Person, Unit, UnitMembership, UserAccount
    from server.messages.models import Message, MessageRecipient
    from server.migrate import upgrade
    from server.participants.models import Participant
    from server.plans.models import Plan

    upgrade(url)
    rnd = random.Random(2041)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date()
    pw_hash = _cheap_hash(PASSWORD)
    rights = {r: default_rights(r).model_dump(mode="json") for r in PlanRole}

    units = [
        {
            "id": i,
            "name": "Benk kommune" if i == 1 else f"Tjeneste {i}",
            "parent_id": None if i == 1 else 1,
            "created_at": now,
        }
        for i in range(1, N_UNITS + 1)
    ]

    def person(pid: int, unit_id: int, birth: date | None) -> dict[str, Any]:
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        return {
            "id": pid,
            "unit_id": unit_id,
            "first_name": first,
            "last_name": last,
            "first_name_lc": first.lower(),
            "last_name_lc": last.lower(),
            "birth_date": birth,
            "email": f"p{pid}@benk.invalid",
            "mobile": f"+47{90000000 + pid}",
            "created_at": now,
        }

    def unit_of(n: int) -> int:
        return 2 + n % (N_UNITS - 1)

    persons = [person(i, unit_of(i), None) for i in range(1, N_USERS + 1)]
    owner_id0 = N_USERS  # plan i is owned by person N_USERS + i
    for i in range(1, N_PLANS + 1):
        birth = date(1940, 1, 1) + timedelta(days=rnd.randrange(365 * 80))
        persons.append(person(owner_id0 + i, unit_of(i), birth))
    accounts = [
        {
            "id": i,
            "person_id": i,
            "username": COORDINATOR if i == 1 else f"bruker{i:04d}",
            "password_hash": pw_hash,
            "must_change_password": False,
            "channel": "sms",
            "system_role": "user",
            "failed_logins": 0,
            "active": True,
            "last_login_at": now - timedelta(days=3),
            "previous_login_at": now - timedelta(days=10),
            "created_at": now - timedelta(days=400),
        }
        for i in range(1, N_USERS + 1)
    ]
    memberships = [
        {
            "id": i,
            "user_id": i,
            "unit_id": unit_of(i),
            "role": "coordinator" if i <= N_COORDINATORS else "member",
        }
        for i in range(1, N_USERS + 1)
    ]

    types = [t.value for t in PlanType]
    plans: list[dict[str, Any]] = []
    participants: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    recipients: list[dict[str, Any]] = []
    part_id = msg_id = rec_id = 0

    def consent(p_none: float) -> date | None:
        if rnd.random() < p_none:
            return None
        return today + timedelta(days=rnd.randrange(-20, 700))

    for i in range(1, N_PLANS + 1):
        mine = i <= MY_PLANS
        start = today - timedelta(days=rnd.randrange(30, 2000))
        closed = not mine and rnd.random() < 0.08
        archived = closed or rnd.random() < 0.3
        plans.append(
            {
                "id": i,
                "unit_id": unit_of(i),
                "owner_person_id": owner_id0 + i,
                "type": rnd.choice(types),
                "short_name": f"Plan {i} {rnd.choice(LAST)}",
                "start_date": start,
                "end_date": start + timedelta(days=rnd.randrange(180, 1500))
                if rnd.random() < 0.7
                else None,
                "presentation": "",
                "status_text": "",
                "closed_at": now - timedelta(days=rnd.randrange(1, 300)) if closed else None,
                "last_archived_at": now - timedelta(days=rnd.randrange(1, 400))
                if archived
                else None,
                "content_changed_at": now - timedelta(hours=rnd.randrange(1, 24 * 30)),
                "created_at": now - timedelta(days=rnd.randrange(30, 2000)),
                "version": 1,
            }
        )
        coordinator = 1 if mine else 2 + i % (N_COORDINATORS - 1)
        others = rnd.sample(range(N_COORDINATORS + 1, N_USERS + 1), OTHERS_PER_PLAN)
        members = [
            (owner_id0 + i, PlanRole.OWNER, consent(0.15)),
            (coordinator, PlanRole.COORDINATOR, None if mine else consent(0.5)),
        ] + [
            (p, rnd.choice((PlanRole.PROVIDER, PlanRole.PROVIDER, PlanRole.RELATIVE)), consent(0.3))
            for p in others
        ]
        ids: list[int] = []
        for person_id, role, expires in members:
            part_id += 1
            ids.append(part_id)
            participants.append(
                {
                    "id": part_id,
                    "plan_id": i,
                    "person_id": person_id,
                    "role": role.value,
                    "consent_expires": expires,
                    "responsibility": "Koordinator" if role == PlanRole.COORDINATOR else "",
                    "rights": rights[role],
                    "notifications": {},
                    "removed_at": None,
                    "created_at": now - timedelta(days=30),
                    "version": 1,
                }
            )
        # Two sent messages (from the owner, then from a provider) to everyone else, and
        # one draft in every tenth plan; about half of the deliveries are still unread.
        for k in range(MESSAGES_PER_PLAN + (1 if i % 10 == 0 else 0)):
            msg_id += 1
            sender = ids[0] if k == 0 else ids[2]
            sent = k < MESSAGES_PER_PLAN
            messages.append(
                {
                    "id": msg_id,
                    "plan_id": i,
                    "sender_participant_id": sender,
                    "kind": "message",
                    "category": None,
                    "subject": f"Melding {k + 1}",
                    "body": "Hei! Se oppdatert aktivitetsplan.",
                    "sent_at": now - timedelta(hours=rnd.randrange(1, 500)) if sent else None,
                    "created_at": now - timedelta(hours=500),
                    "version": 1,
                }
            )
            for pid in ids:
                if pid == sender:
                    continue
                rec_id += 1
                recipients.append(
                    {
                        "id": rec_id,
                        "message_id": msg_id,
                        "participant_id": pid,
                        "plan_id": i,
                        "read_at": None if rnd.random() < 0.5 else now - timedelta(hours=1),
                        "sent_at": messages[-1]["sent_at"],  # copied, as sending does
                    }
                )

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for model, rows in (
                (Unit, units),
                (Person, persons),
                (UserAccount, accounts),
                (UnitMembership, memberships),
                (Plan, plans),
                (Participant, participants),
                (Message, messages),
                (MessageRecipient, recipients),
            ):
                for chunk in _chunks(rows):
                    conn.execute(insert(model), chunk)
            if engine.dialect.name == "postgresql":
                # Explicit ids were inserted: move the sequences past them.
                for model in (Unit, Person, UserAccount, UnitMembership, Plan, Participant):
                    name = model.__tablename__
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))"
                        )
                    )
        # PostgreSQL: the statistics autovacuum would gather within a minute of such a
        # load. SQLite gets no ANALYZE, as in a real deployment (its plan for the list is
        # the same with or without sqlite_stat1).
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return {
        "units": len(units),
        "persons": len(persons),
        "accounts": len(accounts),
        "plans": len(plans),
        "participants": len(participants),
        "messages": len(messages),
        "message_recipients": len(recipients),
    }


BARE_ROUTES = ("bytes", "model", "dicts")


# --- processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        with suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready in {timeout:.0f} s")


@contextmanager
def process(
    args: list[str], ready_url: str, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_ready(ready_url, proc)
            yield proc
        except BaseException:
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def server_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPRO_")}
    env.update(
        {
            "SAMPRO_DATABASE_URL": url,
            "SAMPRO_DATA_DIR": str(data_dir),
            "SAMPRO_SMS": f"file:{data_dir / 'sms.jsonl'}",
            "SAMPRO_EMAIL": f"file:{data_dir / 'email.jsonl'}",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def login(base: str, sms_file: Path) -> str:
    """Password, then the code from the file SMS sink: a real session through the API."""
    import httpx

    with httpx.Client(base_url=base, timeout=30.0) as client:
        r = client.post("/api/v1/auth/login", json={"username": COORDINATOR, "password": PASSWORD})
        r.raise_for_status()
        challenge = r.json()
        last = sms_file.read_text().splitlines()[-1]
        match = re.search(r"\b(\d{6})\b", json.loads(last)["body"])
        if match is None:
            raise RuntimeError(f"no code in {last!r}")
        r = client.post(
            "/api/v1/auth/verify",
            json={"challenge_id": challenge["challenge_id"], "code": match.group(1)},
        )
        r.raise_for_status()
        return str(r.json()["token"])


# --- the bare app --------------------------------------------------------------------


def run_bare(args: argparse.Namespace) -> None:
    """A bare FastAPI app answering the same JSON: no database, no authentication."""
    import uvicorn
    from fastapi import FastAPI, Response

    from sampro_contract import Page, PlanListItem

    bodies: dict[int, bytes] = {}
    models: dict[int, Page[PlanListItem]] = {}
    documents: dict[int, Any] = {}
    for path in Path(args.body_dir).glob("body_*.json"):
        size = int(path.stem.split("_")[1])
        bodies[size] = path.read_bytes()
        models[size] = Page[PlanListItem].model_validate_json(bodies[size])
        documents[size] = json.loads(bodies[size])
    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/bare/bytes")
    def bare_bytes(page_size: int = 100) -> Response:
        return Response(bodies[page_size], media_type="application/json")

    @app.get("/bare/dicts")
    def bare_dicts(page_size: int = 100) -> Any:
        return documents[page_size]

    # The model type is given outright: annotations are strings in this module.
    @app.get("/bare/model", response_model=Page[PlanListItem])
    def bare_model(page_size: int = 100) -> Any:
        return models[page_size]

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


# --- load generation -----------------------------------------------------------------


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    body_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %f, "p50_us": %f, "p99_us": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout))
end
"""


def load_wrk(url: str, token: str | None, connections: int, seconds: float, work: Path) -> Result:
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    threads = 1 if connections == 1 else 2
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    cmd += ["--latency", "--timeout", "10s", "-s", str(script)]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    d = json.loads(line.removeprefix("WRKJSON "))
    return Result(d["requests"], d["seconds"], d["p50_us"] / 1e3, d["p99_us"] / 1e3, d["errors"])


def load_httpx(url: str, token: str | None, connections: int, seconds: float) -> Result:
    cmd = [sys.executable, __file__, "_load", url, "--connections", str(connections)]
    cmd += ["--seconds", str(seconds)]
    if token:
        cmd += ["--token", token]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    d = json.loads(out.strip().splitlines()[-1])
    return Result(d["requests"], d["seconds"], d["p50_ms"], d["p99_ms"], d["errors"])


def run_load(args: argparse.Namespace) -> None:
    """The fallback load generator: `connections` keep-alive connections, each sequential."""
    import httpx

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    latencies: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient, until: float) -> None:
        nonlocal errors
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            r = await client.get(args.url, headers=headers)
            latencies.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    async def main() -> float:
        limits = httpx.Limits(max_connections=args.connections)
        async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
            await client.get(args.url, headers=headers)
            t0 = time.perf_counter()
            until = t0 + args.seconds
            await asyncio.gather(*(worker(client, until) for _ in range(args.connections)))
            return time.perf_counter() - t0

    seconds = asyncio.run(main())
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "seconds": seconds,
                "p50_ms": q[49] * 1e3,
                "p99_ms": q[98] * 1e3,
                "errors": errors,
            }
        )
    )


# --- one backend ---------------------------------------------------------------------


@dataclass
class Row:
    backend: str
    target: str
    page_size: int
    body_bytes: int
    seq: Result
    conc: Result


def measure(
    url: str, token: str | None, args: argparse.Namespace, work: Path
) -> tuple[Result, Result]:
    def go(connections: int, seconds: float) -> Result:
        if args.loader == "wrk":
            return load_wrk(url, token, connections, seconds, work)
        return load_httpx(url, token, connections, seconds)

    go(args.connections, 1.0)  # warm up: caches, pools, the JIT-less interpreter's caches
    seq = go(1, args.seq_seconds)
    conc = go(args.connections, args.duration)
    return seq, conc


def run_backend(backend: str, args: argparse.Namespace) -> list[Row]:
    import httpx
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    work = Path(tempfile.mkdtemp(prefix=f"sampro-bench-{backend}-"))
    drop: Any = None
    if backend == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        name = f"sampro_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            for setting in args.pg_set:  # e.g. random_page_cost=1.1, for this database only
                key, _, value = setting.partition("=")
                if not re.fullmatch(r"[a-z_]+", key) or not re.fullmatch(r"[\w.]+", value):
                    raise SystemExit(f"--pg-set {setting!r}: expected name=value")
                conn.execute(text(f'ALTER DATABASE "{name}" SET {key} = {value}'))
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    rows: list[Row] = []

    def measure_row(label: str, size: int, body_bytes: int, url: str, tok: str | None) -> None:
        seq, conc = measure(url, tok, args, work)
        rows.append(Row(backend, label, size, body_bytes, seq, conc))
        print(
            f"[{backend}] {label:<10} page_size={size:<3} "
            f"p50={seq.p50_ms:6.2f} ms p99={seq.p99_ms:6.2f} ms "
            f"rps@{args.connections}={conc.rps:7.0f} "
            f"errors={seq.errors + conc.errors}"
        )

    try:
        t0 = time.perf_counter()
        counts = build_dataset(url)
        print(f"[{backend}] data set built in {time.perf_counter() - t0:.1f} s: {counts}")
        port, bare_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", "1"]
        serve += ["--log-level", "warning"]
        env = server_env(url, work)
        with process(serve, f"{base}/healthz", env, work / "server.log"):
            token = login(base, work / "sms.jsonl")
            headers = {"Authorization": f"Bearer {token}"}
            sizes = (300, 100)
            plan_urls = {
                300: f"{base}/api/v1/plans?page_size=300",
                100: f"{base}/api/v1/plans",  # the default page size
            }
            for size in sizes:
                r = httpx.get(plan_urls[size], headers=headers, timeout=30.0)
                r.raise_for_status()
                body = r.json()
                if len(body["items"]) != size or body["total"] != MY_PLANS:
                    raise RuntimeError(f"unexpected list: {body['total']} plans")
                (work / f"body_{size}.json").write_bytes(r.content)
            if args.keep:
                print(f"[{backend}] kept in {work}: SAMPRO_DATABASE_URL={url} token={token}")
            bare_cmd = [sys.executable, __file__, "_bare", "--port", str(bare_port)]
            bare_cmd += ["--body-dir", str(work)]
            bare_base = f"http://127.0.0.1:{bare_port}"
            with process(bare_cmd, f"{bare_base}/healthz", env, work / "bare.log"):
                for size in sizes:
                    real = (work / f"body_{size}.json").read_bytes()
                    body_bytes = len(real)
                    for route in BARE_ROUTES:
                        check = httpx.get(f"{bare_base}/bare/{route}?page_size={size}")
                        if check.content != real:  # same bytes, not only the same size
                            raise RuntimeError(f"/bare/{route} differs from GET /plans")
                    targets = [
                        ("GET /plans", plan_urls[size], token),
                    ] + [
                        (f"bare {route}", f"{bare_base}/bare/{route}?page_size={size}", None)
                        for route in BARE_ROUTES
                    ]
                    for label, target_url, tok in targets:
                        measure_row(label, size, body_bytes, target_url, tok)
        # The same requests to a server with the plan-list cache off: what every request
        # cost before the cache, and what the first one after a change still costs.
        env_off = {**env, "SAMPRO_PLAN_LIST_CACHE_MB": "0"}
        port_off = free_port()
        base_off = f"http://127.0.0.1:{port_off}"
        serve_off = serve[:]
        serve_off[serve_off.index(str(port))] = str(port_off)
        with process(serve_off, f"{base_off}/healthz", env_off, work / "server-off.log"):
            token_off = login(base_off, work / "sms.jsonl")
            for size in sizes:
                url_off = plan_urls[size].replace(base, base_off)
                body_bytes = len((work / f"body_{size}.json").read_bytes())
                measure_row(UNCACHED, size, body_bytes, url_off, token_off)
    finally:
        if drop is not None and not args.keep:
            drop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return rows


UNCACHED = "no cache"


def report(rows: list[Row], args: argparse.Namespace) -> None:
    c = args.connections
    print()
    print(
        f"Load generator: {args.loader}; one client = 1 connection for {args.seq_seconds:g} s; "
        f"throughput = {c} connections for {args.duration:g} s; one server worker."
    )
    ratio_heads = "".join(f"{'/' + r:>8}" for r in BARE_ROUTES)
    head = (
        f"{'backend':<9}{'route':<12}{'page':>5}{'bytes':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'rps@1':>7}{'rps@' + str(c):>8}{ratio_heads}  verdict"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        bare = {
            x.target: x.conc.rps
            for x in rows
            if x.backend == r.backend and x.page_size == r.page_size
        }
        ratios = {b: r.conc.rps / bare[f"bare {b}"] for b in BARE_ROUTES if bare.get(f"bare {b}")}
        verdict = ""
        if r.target == "GET /plans":
            ok_p99 = r.seq.p99_ms <= P99_TARGET_MS
            ok = [b for b, x in ratios.items() if x >= RATIO_TARGET]
            verdict = f"p99 {'ok' if ok_p99 else 'MISSED'}; "
            verdict += f">= 50% of bare: {', '.join(ok) or 'none'}"
        errors = r.seq.errors + r.conc.errors
        if errors:
            verdict += f" ({errors} FAILED REQUESTS)"
        cells = "".join(f"{ratios.get(b, 0.0):>8.2f}" for b in BARE_ROUTES)
        print(
            f"{r.backend:<9}{r.target:<12}{r.page_size:>5}{r.body_bytes:>7}"
            f"{r.seq.p50_ms:>8.2f}{r.seq.p99_ms:>8.2f}{r.seq.rps:>7.0f}{r.conc.rps:>8.0f}"
            f"{cells}  {verdict}"
        )
    print(
        f"/bytes, /model, /dicts: the row's rps@{c} over that bare route's rps@{c} (same backend "
        "run, same page size). Bare routes: bytes = pre-serialised body in a Response; model = "
        "the page as a pydantic model through FastAPI's typed serialisation; dicts = plain "
        "dicts/lists through FastAPI's default jsonable_encoder. 'no cache': GET /plans from a "
        "server with SAMPRO_PLAN_LIST_CACHE_MB=0 (every request queries, as the first one "
        "after a change does)."
    )
    print(
        f"Targets: p99 <= {P99_TARGET_MS:g} ms for one client; GET /plans rps@{c} >= "
        f"{RATIO_TARGET:.0%} of the bare route's."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    bare = sub.add_parser("_bare", help="(internal) the bare FastAPI app")
    bare.add_argument("--port", type=int, required=True)
    bare.add_argument("--body-dir", required=True)
    load = sub.add_parser("_load", help="(internal) the httpx asyncio load generator")
    load.add_argument("url")
    load.add_argument("--token")
    load.add_argument("--connections", type=int, default=16)
    load.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("SAMPRO_BENCH_PG_URL", DEFAULT_PG_URL),
        help="an existing PostgreSQL database to connect to; the bench makes its own beside it",
    )
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a planner setting for the bench database, e.g. random_page_cost=1.1 (SSD)",
    )
    parser.add_argument("--duration", type=float, default=6.0, help="seconds at 16 connections")
    parser.add_argument("--seq-seconds", type=float, default=4.0, help="seconds for one client")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--loader", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    args = parser.parse_args()
    if args.command == "_bare":
        run_bare(args)
        return
    if args.command == "_load":
        run_load(args)
        return
    if args.loader == "auto":
        args.loader = "wrk" if shutil.which("wrk") else "httpx"
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    rows: list[Row] = []
    for backend in backends:
        rows += run_backend(backend, args)
    report(rows, args)
    print(f"Total time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
