"""Demo data for the plan group: messages, notes and minutes, calendar entries, visits.

Fictional and Norwegian, like the rest of the demo. Plan events are marked notified, so
a fresh demo does not send a burst of notifications for history.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from sampro_contract import PlanRole
from server.accounts.models import UserAccount
from server.calendar.models import CalendarEvent
from server.demo import past_event
from server.log import service as audit
from server.log.service import Actor
from server.messages.models import Message, MessageRecipient
from server.participants.models import Participant
from server.plans.models import Plan
from server.timeline.events import EventKind

# (kind, category, subject, body)
MESSAGES = [
    (
        "message",
        None,
        "Innkalling til ansvarsgruppemøte",
        "Hei alle sammen!\n\nVi inviterer til ansvarsgruppemøte på rådhuset, møterom Fjellstua. "
        "Saker: status for målene, avlastning i sommer, og evaluering av tiltakene.\n\n"
        "Gi beskjed om dere ikke kan komme.\n\nHilsen koordinator",
    ),
    (
        "minutes",
        "Ansvarsgruppe",
        "Referat fra ansvarsgruppemøtet",
        "Til stede: planeier, mor, koordinator, kontaktperson.\n\n"
        "1. Status: målet om å gå til skolen selv er nesten nådd.\n"
        "2. Avlastning: to helger i måneden fra august.\n"
        "3. Neste møte om seks uker.",
    ),
    (
        "note",
        "Helse",
        "Notat etter kontroll",
        "Kontrollen gikk fint. Ny time om tre måneder. Fysioterapeuten anbefaler mer trening "
        "i bassenget.",
    ),
    (
        "message",
        None,
        "Spørsmål om skyss",
        "Hei! Er det avklart hvem som kjører til fritidsklubben på onsdager nå som "
        "hjemmetjenesten har endret turnus?",
    ),
    (
        "message",
        None,
        "Ferieplaner",
        "Vi skal på hytta de tre første ukene i juli. Avlastningen kan ta pause da.",
    ),
    (
        "note",
        "Skole",
        "Notat fra skolen",
        "God uke på skolen. Samarbeider godt i gruppearbeid, men trenger pauser etter lunsj.",
    ),
    (
        "message",
        None,
        "Ny kontaktperson i NAV",
        "Fra neste måned har dere ny kontaktperson hos oss. Overlapping er avtalt.",
    ),
    (
        "minutes",
        "Samarbeidsmøte",
        "Referat: samarbeidsmøte skole og hjem",
        "Vi ble enige om ukentlig kontaktbok og et nytt møte før høstferien.",
    ),
]

EVENTS = [
    ("Ansvarsgruppemøte", time(9, 0), time(10, 30), 0, "Rådhuset, møterom Fjellstua"),
    ("Fysioterapi", time(14, 0), time(15, 0), 0, "Helsehuset"),
    ("Kontroll på sykehuset", time(10, 15), time(11, 0), 0, "Barneavdelingen"),
    ("Avlastningshelg", None, None, 2, "Solsikken avlastning"),
    ("Foreldremøte", time(18, 0), time(19, 30), 0, "Nordli skole"),
    ("Samtale med NAV", time(12, 30), time(13, 15), 0, "NAV-kontoret"),
    ("Svømmetrening", time(17, 0), time(18, 0), 0, "Badeland"),
    ("Evaluering av planen", time(13, 0), time(14, 30), 0, "Rådhuset"),
    ("Sommerferie", None, None, 13, ""),
]


def add_messages_and_calendar(
    db: Session,
    plan: Plan,
    members: list[Participant],
    accounts: dict[int, UserAccount],
    now: datetime,
    rng: random.Random,
    index: int,
) -> None:
    """Messages among the plan group, calendar entries around today, recent visits."""
    if not members:
        return
    today = now.date()
    by_role = {p.role: p for p in members}
    coordinator = by_role.get(PlanRole.COORDINATOR.value, members[0])
    n_messages = 3 + index % 6
    for m in range(n_messages):
        kind, category, subject, body = MESSAGES[(index + m) % len(MESSAGES)]
        last = m == n_messages - 1
        # The latest comes from the coordinator and is unread in three plans of four (the
        # plan list's "Ny melding" column); the rest are read, from various senders.
        sender = coordinator if last or m % 2 == 0 else members[(index + m) % len(members)]
        sent = now - timedelta(days=2 * (n_messages - m), hours=rng.randrange(8))
        msg = Message(
            plan_id=plan.id,
            sender_participant_id=sender.id,
            kind=kind,
            category=category,
            subject=subject,
            body=body,
            sent_at=sent,
            created_at=sent,
            updated_at=sent,
        )
        db.add(msg)
        db.flush()
        for p in members:
            if p.id == sender.id:
                continue
            unread = last and index % 4 != 0
            db.add(
                MessageRecipient(
                    message_id=msg.id,
                    participant_id=p.id,
                    plan_id=plan.id,
                    sent_at=sent,
                    read_at=None if unread else sent + timedelta(hours=rng.randrange(1, 30)),
                )
            )
        past_event(db, plan, EventKind.NEW_MESSAGE, "message", msg.id, sender.id, sent, now)
    if index % 3 == 0:  # a draft left "under arbeid" by the coordinator
        db.add(
            Message(
                plan_id=plan.id,
                sender_participant_id=coordinator.id,
                kind="minutes",
                category="Ansvarsgruppe",
                subject="Referat (utkast)",
                body="Til stede: ...\n\n1. Status\n2. ",
                created_at=now - timedelta(hours=3),
                updated_at=now - timedelta(hours=3),
            )
        )
    for e, (title, start, end, days, place) in enumerate(EVENTS):
        offset = (e * 9 + index * 5) % 75 - 25  # from 25 days ago to 50 days ahead
        day = today + timedelta(days=offset)
        author = members[(index + e) % len(members)]
        made = now - timedelta(days=max(1, 30 - e * 3))
        entry = CalendarEvent(
            plan_id=plan.id,
            title=title,
            start_date=day,
            start_time=start,
            end_date=day + timedelta(days=days),
            end_time=end,
            place=place,
            description="",
            created_by_participant_id=author.id,
            created_at=made,
            updated_at=made,
        )
        db.add(entry)
        db.flush()
        past_event(
            db, plan, EventKind.NEW_CALENDAR_ENTRY, "calendar_event", entry.id, author.id, made, now
        )
    # Visits to the plan's home in the last days, for "who has visited since".
    for p in members[:4]:
        user = accounts.get(p.person_id)
        if user is None:
            continue
        at = now - timedelta(hours=rng.randrange(2, 90))
        audit.record(
            db,
            at,
            Actor(user.id, user.username, user.system_role),
            "read",
            plan_id=plan.id,
            object_type="home",
            role=p.role,
        )
