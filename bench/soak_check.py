"""The soak test's after-check: every write the clients attempted, against the database's rows.

Read with SQLAlchemy Core on reflected tables (not the server's models, which may move):
every attempted write carries a unique marker at the start of its text, and the rows are
counted per marker. An acknowledged (2xx) write must be there exactly once; a refused one
(a 4xx answer) not at all; one whose answer never came or was a 5xx at most once.

Goal edits overwrite each other, so they are checked through versions: every
acknowledged edit of a goal answered a version of its own (two edits acknowledged with the
same version would be a lost update), the goal's final version is the number of edits the
audit log recorded for it plus one, that number lies between the acknowledged edits and
the acknowledged plus unanswered ones, and the final text is the newest acknowledged
edit's unless a newer, unanswered edit went through.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Column, Connection, MetaData, create_engine, select

ACKED, REFUSED, UNKNOWN = "acked", "refused", "unknown"


@dataclass
class Write:
    """One attempted write, as the client saw its answer."""

    kind: str  # "message", "comment" or "goal_edit"
    marker: str
    outcome: str  # ACKED, REFUSED or UNKNOWN
    status: int  # 0: no answer (the connection failed)
    goal_id: int = 0
    version: int = 0  # the version an acknowledged goal edit answered
    recipients: int = 0  # how many a message was sent to


@dataclass
class Findings:
    checked: int = 0  # acknowledged writes checked
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused_but_stored: list[str] = field(default_factory=list)
    unknown_stored: int = 0
    unknown_absent: int = 0
    error_answer_stored: list[str] = field(default_factory=list)  # 5xx, yet written
    goal_edits_applied: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.refused_but_stored)


def marker_of(text: str) -> str:
    return text.split(" ", 1)[0]


def check(database_url: str, writes: list[Write]) -> Findings:
    engine = create_engine(database_url)
    meta = MetaData()
    meta.reflect(engine, only=["messages", "message_recipients", "comments", "goals", "audit_log"])
    messages, recipients = meta.tables["messages"], meta.tables["message_recipients"]
    comments, goals, audit = meta.tables["comments"], meta.tables["goals"], meta.tables["audit_log"]
    with engine.connect() as db:
        stored: dict[str, Counter[str]] = {
            "message": _markers(db, messages.c.body),
            "comment": _markers(db, comments.c.body),
        }
        recipient_rows: dict[str, int] = Counter()
        for (body,) in db.execute(
            select(messages.c.body)
            .join(recipients, recipients.c.message_id == messages.c.id)
            .where(messages.c.body.like("soak-%"))
        ):
            recipient_rows[marker_of(body)] += 1
        goal_rows = {
            int(r.id): (int(r.version), marker_of(r.description))
            for r in db.execute(select(goals.c.id, goals.c.version, goals.c.description))
        }
        edits_logged: Counter[int] = Counter(
            int(object_id)
            for (object_id,) in db.execute(
                select(audit.c.object_id).where(
                    audit.c.action == "update", audit.c.object_type == "goal"
                )
            )
        )
    engine.dispose()

    found = Findings()
    for w in writes:
        if w.kind == "goal_edit":
            continue
        n = stored[w.kind][w.marker]
        label = f"{w.kind} {w.marker} (answer {w.status or 'none'})"
        if n > 1:
            found.duplicates.append(f"{label}: {n} rows")
        if w.outcome == ACKED:
            found.checked += 1
            if n == 0:
                found.lost.append(f"{label}: not in the database")
            elif w.kind == "message" and recipient_rows[w.marker] != w.recipients:
                found.lost.append(
                    f"{label}: {recipient_rows[w.marker]} recipient rows, sent to {w.recipients}"
                )
        elif w.outcome == REFUSED and n:
            found.refused_but_stored.append(f"{label}: stored")
        elif w.outcome == UNKNOWN:
            if n:
                found.unknown_stored += 1
                if w.status >= 500:
                    found.error_answer_stored.append(label)
            else:
                found.unknown_absent += 1
    _check_goal_edits(found, [w for w in writes if w.kind == "goal_edit"], goal_rows, edits_logged)
    return found


def _markers(db: Connection, column: Column[str]) -> Counter[str]:
    rows = db.execute(select(column).where(column.like("soak-%")))
    return Counter(marker_of(text) for (text,) in rows)


def _check_goal_edits(
    found: Findings,
    edits: list[Write],
    goal_rows: dict[int, tuple[int, str]],
    edits_logged: Counter[int],
) -> None:
    by_goal: dict[int, list[Write]] = defaultdict(list)
    for w in edits:
        by_goal[w.goal_id].append(w)
    for goal_id, tried in sorted(by_goal.items()):
        version, text = goal_rows.get(goal_id, (0, ""))
        acked = sorted((w for w in tried if w.outcome == ACKED), key=lambda w: w.version)
        unknown = [w for w in tried if w.outcome == UNKNOWN]
        refused = {w.marker for w in tried if w.outcome == REFUSED}
        found.checked += len(acked)
        applied = edits_logged[goal_id]
        found.goal_edits_applied += applied
        seen = Counter(w.version for w in acked)
        for v, n in seen.items():
            if n > 1:
                found.lost.append(
                    f"goal {goal_id}: {n} edits acknowledged as version {v} (a lost update)"
                )
        if version != applied + 1:
            found.duplicates.append(
                f"goal {goal_id}: version {version}, but {applied} edits in the audit log"
            )
        if not len(acked) <= applied <= len(acked) + len(unknown):
            found.lost.append(
                f"goal {goal_id}: {applied} edits applied, {len(acked)} acknowledged, "
                f"{len(unknown)} unanswered"
            )
        if acked and version < acked[-1].version:
            found.lost.append(
                f"goal {goal_id}: version {version} in the database, "
                f"{acked[-1].version} acknowledged"
            )
        elif acked and version == acked[-1].version and text != acked[-1].marker:
            found.lost.append(
                f"goal {goal_id}: text {text!r}, the newest acknowledged edit set "
                f"{acked[-1].marker!r}"
            )
        elif (not acked or version > acked[-1].version) and text.startswith("soak-"):
            if text in refused:
                found.refused_but_stored.append(f"goal {goal_id}: refused edit {text} stored")
            elif text not in {w.marker for w in unknown}:
                found.lost.append(f"goal {goal_id}: text {text!r} from no unanswered edit")
