"""Fictional demo data: one municipality, its services, a dozen users in every role, ~30 plans.

Every name here is invented. The dates are relative to today so that consent runs out
soon, plans are open or closed, and messages are unread whenever the demo is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sampro_contract import Access, PlanRole, Rights, UnitRole
from server.access.policy import default_rights
from server.accounts.models import Person, Unit, UnitMembership, UserAccount
from server.config import Settings
from server.context import ServerContext
from server.demo.goals import add_plan_content
from server.demo.messages import add_messages_and_calendar
from server.log import service as audit
from server.log.service import Actor
from server.participants.models import Participant
from server.plans.models import Plan, PlanArchive


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    description: str
    destination: str = ""  # where this account's codes go (the demo reads the file sink)


UNITS = [
    "Solbakken kommune",
    "Koordinerende enhet",
    "Hjemmetjenesten",
    "Solbakken barneskole",
    "Helsestasjon og skolehelsetjeneste",
    "NAV Solbakken",
    "Tusenfryd barnehage",
]

# (username, first, last, system role, unit index, unit role, channel, description)
USERS = [
    ("admin", "Arne", "Vikhammer", "sysadmin", 0, "admin", "email", "systemadministrator"),
    ("support", "Solveig", "Brattli", "support", 0, "member", "email", "brukerstøtte"),
    ("lokaladmin", "Leif", "Orheim", "local_admin", 1, "admin", "email", "lokal administrator"),
    (
        "koordinator",
        "Ingrid",
        "Haugland",
        "user",
        1,
        "coordinator",
        "sms",
        "koordinator, ~20 planer",
    ),
    ("koordinator2", "Magnus", "Tveit", "user", 1, "coordinator", "email", "koordinator"),
    ("laerer", "Sigrid", "Lunde", "user", 3, "member", "email", "tjenesteyter, skole"),
    ("helsesykepleier", "Henrik", "Aasvang", "user", 4, "member", "sms", "tjenesteyter, helse"),
    (
        "hjemmetjenesten",
        "Nora",
        "Bergmo",
        "user",
        2,
        "member",
        "sms",
        "tjenesteyter, hjemmetjeneste",
    ),
    ("nav", "Tore", "Nygård", "user", 5, "member", "email", "tjenesteyter, NAV"),
    ("parorende", "Marte", "Solhaug", "user", 1, "member", "sms", "pårørende/foresatt"),
    ("planeier", "Jonas", "Strandvik", "user", 1, "member", "sms", "planeier med egen konto"),
    ("utlopt", "Eirik", "Dalsbø", "user", 2, "member", "email", "tjenesteyter med utløpt samtykke"),
    (
        "nybruker",
        "Hanne",
        "Kvalvik",
        "user",
        3,
        "member",
        "email",
        "ny bruker, midlertidig passord",
    ),
]

OWNER_FIRST = [
    "Emma",
    "Noah",
    "Sofie",
    "Oskar",
    "Ella",
    "Lukas",
    "Maja",
    "Filip",
    "Nora",
    "Aksel",
    "Ingrid",
    "Jakob",
    "Olivia",
    "Emil",
    "Leah",
    "Henrik",
    "Frida",
    "Elias",
    "Selma",
    "Tobias",
    "Astrid",
    "Sander",
    "Hedda",
    "Mathias",
    "Tiril",
    "Kasper",
    "Vilde",
    "Magnus",
    "Live",
    "Isak",
]
OWNER_LAST = [
    "Fjellstad",
    "Brekke",
    "Lien",
    "Myrvold",
    "Haugen",
    "Vestby",
    "Rønning",
    "Skaar",
    "Grøtting",
    "Aune",
    "Bakkeli",
    "Tangen",
    "Moen",
    "Sætre",
    "Kolstad",
    "Helland",
]
SHORT_NAMES = {
    "IP": ["IP habilitering", "IP rehabilitering", "IP psykisk helse", "IP hverdagsmestring"],
    "IOP": ["IOP matematikk", "IOP norsk", "IOP 5. trinn", "IOP ungdomstrinn"],
    "IUP": ["IUP språk", "IUP motorikk", "IUP sosialt samspill"],
    "SL": ["Stafettlogg", "Stafettlogg overgang", "Stafettlogg trivsel"],
}
PRESENTATIONS = [
    "Jeg liker å være ute, særlig i skogen med hunden vår. Det viktigste for meg nå er å "
    "klare mer selv i hverdagen.",
    "Jeg går på skolen og liker musikk og svømming. Jeg vil gjerne ha flere venner og "
    "klare leksene uten å bli så sliten.",
    "Målet mitt er å bo i egen leilighet og ha en jobb jeg trives i.",
    "",
]


# Open plans whose owner's consent runs out within 30 days (plan index: days left), so
# the plan list shows several in red. None of these is closed (7, 19, 27 are).
CONSENT_SOON = {1: 9, 4: 16, 10: 23, 16: 29}


def _password(username: str) -> str:
    # Meets the rules (upper, lower, digit, length) and is not on the common list.
    return f"{username.capitalize()}-Demo{len(username) * 7 % 90 + 10}"


def seed(settings: Settings, *, plans: int = 30) -> list[DemoAccount]:
    ctx = ServerContext.from_settings(settings)
    try:
        return _seed(ctx, plans)
    finally:
        ctx.db.dispose()


def _seed(ctx: ServerContext, n_plans: int) -> list[DemoAccount]:
    rng = random.Random(2026)
    now = ctx.clock.now()
    today = now.date()
    accounts: list[DemoAccount] = []
    with ctx.db.writing() as db:
        if db.scalar(select(Unit.id).where(Unit.name == UNITS[0])):
            raise SystemExit("demo data already exists in this database")
        units: list[Unit] = []
        for i, name in enumerate(UNITS):
            unit = Unit(name=name, parent_id=units[0].id if i else None, created_at=now)
            db.add(unit)
            db.flush()
            units.append(unit)
        users: dict[str, UserAccount] = {}
        for username, first, last, sysrole, unit_ix, unit_role, channel, descr in USERS:
            pw = _password(username)
            person = _person(
                db,
                units[unit_ix].id,
                first,
                last,
                now,
                rng,
                birth=date(1960 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 28)),
            )
            user = UserAccount(
                person_id=person.id,
                username=username,
                password_hash=ctx.passwords.hash(pw),
                must_change_password=username == "nybruker",
                channel=channel,
                system_role=sysrole,
                created_at=now - timedelta(days=400),
                last_login_at=now - timedelta(days=3),
                previous_login_at=now - timedelta(days=3),
            )
            db.add(user)
            db.flush()
            db.add(UnitMembership(user_id=user.id, unit_id=units[unit_ix].id, role=unit_role))
            if unit_role == UnitRole.ADMIN.value and unit_ix != 0:
                db.add(UnitMembership(user_id=user.id, unit_id=units[0].id, role=unit_role))
            users[username] = user
            accounts.append(
                DemoAccount(
                    username,
                    pw,
                    sysrole,
                    descr,
                    (person.mobile if channel == "sms" else person.email) or "",
                )
            )
        _plans(db, ctx, rng, units, users, now, today, n_plans)
        audit.record(db, now, Actor(None, "demo-seed", None), "demo_seeded")
    return accounts


def _person(
    db: Session,
    unit_id: int,
    first: str,
    last: str,
    now: datetime,
    rng: random.Random,
    *,
    birth: date,
) -> Person:
    slug = f"{first}.{last}".lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
    person = Person(
        unit_id=unit_id,
        first_name=first,
        last_name=last,
        first_name_lc=first.lower(),
        last_name_lc=last.lower(),
        birth_date=birth,
        email=f"{slug}@example.invalid",
        mobile=f"4{rng.randrange(1000000, 9999999)}",
        created_at=now,
    )
    db.add(person)
    db.flush()
    return person


def _plans(
    db: Session,
    ctx: ServerContext,
    rng: random.Random,
    units: list[Unit],
    users: dict[str, UserAccount],
    now: datetime,
    today: date,
    n_plans: int,
) -> None:
    types = ["IP"] * 12 + ["IOP"] * 8 + ["IUP"] * 5 + ["SL"] * 5
    accounts_by_person = {u.person_id: u for u in users.values()}
    providers = ["laerer", "helsesykepleier", "hjemmetjenesten", "nav"]
    for i in range(n_plans):
        ptype = types[i % len(types)]
        coordinator = users["koordinator" if i % 3 else "koordinator2"]
        if i < 20:
            coordinator = users["koordinator"]
        if ptype in ("IOP", "SL"):
            birth = today - timedelta(days=rng.randrange(6 * 365, 16 * 365))
        elif ptype == "IUP":
            birth = today - timedelta(days=rng.randrange(2 * 365, 6 * 365))
        else:
            birth = today - timedelta(days=rng.randrange(8 * 365, 70 * 365))
        if i == 0:
            owner = users["planeier"].person
        else:
            owner = _person(
                db,
                units[1].id,
                OWNER_FIRST[i % len(OWNER_FIRST)],
                OWNER_LAST[(i * 7) % len(OWNER_LAST)],
                now,
                rng,
                birth=birth,
            )
        start = today - timedelta(days=rng.randrange(30, 900))
        # Consent: a few run out within 30 days, the rest later. (The random draw is made
        # as it always was, so the rest of the demo stays the same.)
        consent = today + timedelta(days=(5 + i * 4) if i % 6 == 1 else rng.randrange(60, 700))
        if i in CONSENT_SOON:
            consent = today + timedelta(days=CONSENT_SOON[i])
        closed = i in (7, 19, 27)
        plan = Plan(
            unit_id=units[1].id,
            owner_person_id=owner.id,
            type=ptype,
            short_name=rng.choice(SHORT_NAMES[ptype]),
            start_date=start,
            end_date=start + timedelta(days=rng.choice([365, 730, 1095])),
            presentation=PRESENTATIONS[i % len(PRESENTATIONS)],
            status_text="Det går bedre nå, og jeg gleder meg til sommeren." if i % 4 == 0 else "",
            status_updated_at=now - timedelta(days=2) if i % 4 == 0 else None,
            content_changed_at=now - timedelta(days=rng.choice([1, 1, 2, 10, 40])),
            created_at=now - timedelta(days=300),
        )
        db.add(plan)
        db.flush()
        members: list[Participant] = []

        def add(
            person: Person,
            role: PlanRole,
            expires: date,
            resp: str = "",
            rights: Rights | None = None,
            plan: Plan = plan,
        ) -> Participant:
            p = _participant(db, plan, person, role, expires, now, resp, rights)
            members.append(p)  # noqa: B023 - called only within this iteration
            return p

        add(owner, PlanRole.OWNER, consent)
        add(coordinator.person, PlanRole.COORDINATOR, consent, "Koordinator")
        if i % 2 == 0 or i == 0:
            add(
                users["parorende"].person,
                PlanRole.RELATIVE,
                consent,
                "Mor",
                Rights(
                    goals=Access.READ,
                    activities=Access.READ,
                    life_health=Access.READ,
                    life_leisure=Access.READ,
                    documents=Access.READ,
                    log=True,
                ),
            )
        provider = providers[i % len(providers)]
        add(users[provider].person, PlanRole.PROVIDER, consent, "Kontaktperson")
        if i in (1, 2):
            # One whose consent has expired: they see nothing of this plan any more.
            add(users["utlopt"].person, PlanRole.PROVIDER, today - timedelta(days=3), "Avlastning")
        if i % 3 == 0:
            add(users["nybruker"].person, PlanRole.PROVIDER, consent, "Spesialpedagog")
        add_plan_content(db, plan, members, now, random.Random(1000 + i), i)
        if closed:
            plan.last_archived_at = now - timedelta(days=20)
            plan.closed_at = now - timedelta(days=19)
            db.add(
                PlanArchive(
                    plan_id=plan.id,
                    created_by_user_id=coordinator.id,
                    created_at=plan.last_archived_at,
                    snapshot={"demo": True},
                )
            )
        elif i % 5 == 0:
            plan.last_archived_at = now - timedelta(days=rng.randrange(30, 200))
        # Messages, notes and minutes, calendar entries and recent visits.
        add_messages_and_calendar(
            db, plan, members, accounts_by_person, now, random.Random(2000 + i), i
        )
        audit.record(
            db,
            now,
            Actor(coordinator.id, coordinator.username, "user"),
            "plan_created",
            plan_id=plan.id,
            object_type="plan",
            object_id=plan.id,
        )


def _participant(
    db: Session,
    plan: Plan,
    person: Person,
    role: PlanRole,
    expires: date,
    now: datetime,
    responsibility: str,
    rights: Rights | None,
) -> Participant:
    p = Participant(
        plan_id=plan.id,
        person_id=person.id,
        role=role.value,
        consent_expires=expires,
        responsibility=responsibility,
        rights=(rights or default_rights(role)).model_dump(mode="json"),
        created_at=now - timedelta(days=200),
    )
    db.add(p)
    db.flush()
    return p
