"""The logged-in user's own things: drafts of open forms (kladder), kept per user and key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sampro_contract import DraftIn
from server.access.policy import Area, Need
from server.access.scope import open_plan
from server.deps import Authenticated
from server.errors import not_found
from server.log import service as audit
from server.profile.models import Draft


def my_drafts(db: Session, a: Authenticated) -> list[Draft]:
    return list(
        db.scalars(
            select(Draft).where(Draft.user_id == a.user.id).order_by(Draft.updated_at.desc())
        ).all()
    )


def my_draft(db: Session, a: Authenticated, key: str) -> Draft:
    row = db.scalars(select(Draft).where(Draft.user_id == a.user.id, Draft.key == key)).first()
    if row is None:
        raise not_found("No such draft")
    return row


def _draft_door(db: Session, a: Authenticated, plan_id: int | None, key: str) -> None:
    """A draft holding a plan's text goes through the plan's door (404 for a plan I do
    not take part in), and every save is logged (the key, never the text). The plan is
    named in the body, not the path, so the route cannot take it as a dependency."""
    if plan_id is None:
        audit.record(db, a.now, a.actor, "draft_saved", object_type="draft", object_id=key)
        return
    scope = open_plan(db, a.user, plan_id, Area.HOME, Need.READ, a.now.date())
    audit.record_in_plan(scope, a, "draft_saved", "draft", key)


def save_draft(db: Session, a: Authenticated, key: str, body: DraftIn) -> Draft:
    """Keep an open form's unsent text (for example when the session is about to expire)."""
    _draft_door(db, a, body.plan_id, key)
    # One statement, INSERT ... ON CONFLICT (user, key) DO UPDATE: the same draft saved
    # twice at once (two workers, a retry) updates one row instead of failing on the
    # unique rule. SQLite and PostgreSQL both speak it.
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else postgresql_insert
    stmt = insert(Draft).values(
        user_id=a.user.id,
        key=key,
        kind=body.kind,
        plan_id=body.plan_id,
        payload=body.payload,
        updated_at=a.now,
    )
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=[Draft.user_id, Draft.key],
            set_={
                "kind": stmt.excluded.kind,
                "plan_id": stmt.excluded.plan_id,
                "payload": stmt.excluded.payload,
                "updated_at": stmt.excluded.updated_at,
            },
        )
    )
    row = db.scalars(
        select(Draft)
        .where(Draft.user_id == a.user.id, Draft.key == key)
        .execution_options(populate_existing=True)
    ).one()
    db.commit()
    return row


def delete_draft(db: Session, a: Authenticated, key: str) -> None:
    db.delete(my_draft(db, a, key))
    db.commit()
