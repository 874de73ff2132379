"""Demo plan content: goals, activities, comments, history, life areas, professional plans.

Fictional and Norwegian, varied by plan type; some plans are left thin on purpose so the
coordinator's completeness list has something to show.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sampro_contract import PlanRole
from server.demo import past_event
from server.goals.models import Activity, Comment, Goal
from server.life_areas.models import LifeAreaText
from server.participants.models import Participant
from server.plans.models import Plan
from server.professional_plans.models import ProfessionalPlan
from server.timeline.events import EventKind

# (goal, [(activity, when, status)]) per plan type.
GOALS: dict[str, list[tuple[str, str, list[tuple[str, str, str]]]]] = {
    "IP": [
        (
            "Bo i egen leilighet",
            "Jeg ønsker å flytte hjemmefra og klare meg mest mulig selv.",
            [
                ("Søke om kommunal bolig", "Innen utgangen av måneden", "done"),
                ("Øve på matlaging og handling", "Tirsdager kl. 17-19", "in_progress"),
                ("Lage ukeplan for husarbeid", "Sammen med miljøterapeut", "planned"),
            ],
        ),
        (
            "Komme i arbeid eller meningsfull aktivitet",
            "Arbeidstrening tre dager i uken, på sikt fast arbeid.",
            [
                ("Kartleggingssamtale hos NAV", "Neste samarbeidsmøte", "done"),
                ("Arbeidstrening på kafeen", "Man, ons og fre kl. 9-13", "in_progress"),
            ],
        ),
        (
            "Bedre søvn og mer overskudd",
            "Faste rutiner for kveld og morgen.",
            [
                ("Søvndagbok i fire uker", "Hver kveld", "in_progress"),
                ("Time hos fastlegen", "I løpet av våren", "planned"),
            ],
        ),
        (
            "Delta i en fritidsaktivitet hver uke",
            "Svømming eller klatring, gjerne med støttekontakt.",
            [("Prøve svømmegruppen", "Torsdager kl. 18", "planned")],
        ),
    ],
    "IOP": [
        (
            "Lese og forstå tekster på eget nivå",
            "Lesing 20 minutter hver dag, med tilpasset materiell.",
            [
                ("Lesekurs med spesialpedagog", "To timer i uken", "in_progress"),
                ("Lydbøker hjemme", "Hver kveld", "in_progress"),
            ],
        ),
        (
            "Trives og fungere i klassen",
            "Trygge overganger og pauser ved behov.",
            [
                ("Fast plass og visuell dagsplan", "Fra skolestart", "done"),
                ("Pauserom etter avtale", "Ved behov", "in_progress"),
            ],
        ),
        (
            "Mestre matematikk på eget nivå",
            "Konkreter og små grupper.",
            [("Smågruppe i matematikk", "Onsdager 2. time", "planned")],
        ),
    ],
    "IUP": [
        (
            "Utvikle språk og begreper",
            "Samtaler og bøker i små grupper.",
            [
                ("Språkgruppe i barnehagen", "Mandag og torsdag", "in_progress"),
                ("Tegn til tale hjemme og i barnehagen", "Hele dagen", "in_progress"),
            ],
        ),
        (
            "Leke sammen med andre barn",
            "Voksenstøtte i frilek.",
            [("Fast lekevenn-gruppe", "Hver formiddag", "planned")],
        ),
    ],
    "SL": [
        (
            "Trygg skolehverdag",
            "Færre konflikter i friminuttene.",
            [
                ("Voksen i friminuttene", "Alle friminutt", "in_progress"),
                ("Samtale med kontaktlærer hver uke", "Fredager", "in_progress"),
            ],
        ),
        (
            "Møte opp på skolen hver dag",
            "Oppfølging av fravær sammen med hjemmet.",
            [("Morgenavtale med helsesykepleier", "Hver morgen kl. 08.15", "planned")],
        ),
    ],
}

HISTORY_GOAL = (
    "Mestre overgangen fra barnehage til skole",
    "Nådd: overgangen gikk bra, og målet er flyttet til historikk.",
    [("Besøk på ny skole før oppstart", "Våren før skolestart", "done")],
)

COMMENTS = [
    "Dette går veldig bra, vi ser stor fremgang.",
    "Kan vi ta dette opp på neste samarbeidsmøte?",
    "Jeg har snakket med skolen, de følger opp.",
    "Litt tyngre periode nå, men vi holder på rutinene.",
    "Flott innsats! Vi fortsetter slik.",
    "Husk at det blir endring i tidspunktet etter ferien.",
]

LIFE_AREAS = {
    "work": ("Går på arbeidstrening tre dager i uken og trives godt.", "Pågår"),
    "housing": ("Bor hjemme hos foreldrene, ønsker egen leilighet.", "Søknad sendt"),
    "leisure": ("Liker musikk og svømming; har lite å gjøre i helgene.", "Ønsker mer"),
    "health": ("Epilepsi, godt regulert med medisiner. Sover dårlig i perioder.", "Stabil"),
    "social": ("Har to gode venner; ønsker å bli kjent med flere.", "Bedre enn før"),
    "economy": ("Mottar uføretrygd; trenger hjelp med budsjett.", "Verge bistår"),
}

PROFESSIONAL_PLANS = [
    (
        "Habiliteringsplan",
        "Habiliteringstjenesten",
        "Fysioterapeut, tlf. 400 00 000",
        "Trening to ganger i uken; ny vurdering til høsten.",
    ),
    (
        "Kriseplan ved anfall",
        "Fastlegen",
        "Legekontoret, tlf. 400 00 001",
        "Ring 113 ved anfall over fem minutter. Medisin i sekken.",
    ),
    ("Tiltaksplan fra PPT", "PP-tjenesten", "PP-rådgiver", "Tilrettelagt lesing og pauser."),
]


def add_plan_content(
    db: Session,
    plan: Plan,
    members: list[Participant],
    now: datetime,
    rng: random.Random,
    index: int,
) -> None:
    """Goals with activities and comments, life areas and professional plans for one plan."""
    if index % 5 == 3:
        return  # a plan just started: the completeness list shows what is missing
    coordinator = next(p for p in members if p.role == PlanRole.COORDINATOR)
    helpers = [p for p in members if p.role in (PlanRole.PROVIDER, PlanRole.COORDINATOR)]
    writers = [p for p in members if p.role != PlanRole.OWNER] or members
    goals = GOALS[plan.type][: 2 + index % 3]
    start = plan.start_date or now.date()

    def goal(title: str, text: str, position: int, history: bool) -> Goal:
        g = Goal(
            plan_id=plan.id,
            title=title,
            registered_on=start + timedelta(days=rng.randrange(0, 20)),
            progress=100 if history else rng.choice([0, 10, 25, 40, 50, 60, 75]),
            description=text,
            position=position,
            in_history=history,
            moved_to_history_at=now - timedelta(days=40) if history else None,
            created_by_participant_id=coordinator.id,
            created_at=now - timedelta(days=rng.randrange(30, 200)),
            updated_at=now - timedelta(days=rng.randrange(1, 30)),
        )
        db.add(g)
        db.flush()
        happened(EventKind.NEW_GOAL_OR_ACTIVITY, "goal", g.id, coordinator.id, g.created_at)
        return g

    def happened(kind: EventKind, object_type: str, object_id: int, by: int, at: datetime) -> None:
        past_event(db, plan, kind, object_type, object_id, by, at, now)

    def activities(g: Goal, items: list[tuple[str, str, str]]) -> None:
        for pos, (title, when, status) in enumerate(items):
            responsible = None if (index + pos) % 7 == 6 else rng.choice(helpers)
            a = Activity(
                plan_id=plan.id,
                goal_id=g.id,
                title=title,
                activity_date=g.registered_on + timedelta(days=7 * (pos + 1)),
                status=status,
                when=when,
                responsible_participant_id=responsible.id if responsible else None,
                description="",
                position=pos,
                created_by_participant_id=coordinator.id,
                created_at=g.created_at,
                updated_at=g.updated_at,
            )
            db.add(a)
            db.flush()
            happened(EventKind.NEW_GOAL_OR_ACTIVITY, "activity", a.id, coordinator.id, a.created_at)
            if rng.random() < 0.5:
                comment(g, a)

    def comment(g: Goal, a: Activity | None) -> None:
        c = Comment(
            plan_id=plan.id,
            goal_id=g.id,
            activity_id=a.id if a else None,
            author_participant_id=rng.choice(writers).id,
            body=rng.choice(COMMENTS),
            created_at=now - timedelta(days=rng.randrange(1, 25), hours=rng.randrange(8)),
        )
        db.add(c)
        db.flush()
        object_type = "goal_comment" if a is None else "activity_comment"
        happened(EventKind.NEW_COMMENT, object_type, c.id, c.author_participant_id, c.created_at)

    for pos, (title, text, items) in enumerate(goals):
        g = goal(title, text, pos, history=False)
        activities(g, items)
        for _ in range(rng.randrange(0, 3)):
            comment(g, None)
    if plan.type in ("IOP", "SL") or index == 0:
        title, text, items = HISTORY_GOAL
        g = goal(title, text, 0, history=True)
        activities(g, items)
        comment(g, None)
    for n, (area, (text, status)) in enumerate(LIFE_AREAS.items()):
        if index != 0 and (index + n) % 3 == 0:
            continue
        db.add(
            LifeAreaText(
                plan_id=plan.id,
                area=area,
                description=text,
                area_date=now.date() - timedelta(days=rng.randrange(10, 120)),
                status=status,
                updated_by_participant_id=coordinator.id,
                updated_at=now - timedelta(days=rng.randrange(1, 60)),
            )
        )
    for name, service, contact, points in PROFESSIONAL_PLANS[: 1 + index % 3]:
        db.add(
            ProfessionalPlan(
                plan_id=plan.id,
                name=name,
                responsible_service=service,
                contact=contact,
                key_points=points,
                created_at=now - timedelta(days=100),
                updated_at=now - timedelta(days=rng.randrange(1, 100)),
            )
        )
    db.flush()
