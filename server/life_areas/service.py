"""Life areas (Kartlegging / livsområder): the text of each area, read and written under
that area's own right.

An area has one current text and no history of its own: each write puts the whole text
into the log, which is where earlier versions are kept.
"""

from __future__ import annotations

from sampro_contract import LifeArea, LifeAreaEntry, LifeAreaUpdate
from server.access.policy import Need, life_area
from server.access.scope import PlanScope, check_version
from server.deps import Authenticated
from server.errors import forbidden
from server.goals.queries import mark_content_changed
from server.life_areas.models import LifeAreaText
from server.log import service as audit
from server.participants.names import participant_names


def _entry(
    scope: PlanScope, area: LifeArea, row: LifeAreaText | None, names: dict[int, str]
) -> LifeAreaEntry:
    can_write = scope.can(life_area(area), Need.WRITE)
    if row is None:
        return LifeAreaEntry(
            area=area,
            description="",
            date=None,
            status="",
            updated_at=None,
            updated_by=None,
            can_write=can_write,
            version=0,
        )
    by = row.updated_by_participant_id
    return LifeAreaEntry(
        area=area,
        description=row.description,
        date=row.area_date,
        status=row.status,
        updated_at=row.updated_at,
        updated_by=names.get(by) if by else None,
        can_write=can_write,
        version=row.version,
    )


def _row(scope: PlanScope, area: LifeArea) -> LifeAreaText | None:
    return scope.db.scalars(
        scope.select(LifeAreaText).where(LifeAreaText.area == area.value)
    ).one_or_none()


def list_visible(scope: PlanScope, a: Authenticated) -> list[LifeAreaEntry]:
    """The life areas the caller may read, in their fixed order; hidden ones are left out."""
    visible = [x for x in LifeArea if scope.can(life_area(x), Need.READ)]
    if not visible:
        raise forbidden()
    rows = {r.area: r for r in scope.db.scalars(scope.select(LifeAreaText)).all()}
    names = participant_names(scope)
    for x in visible:  # one log row per area, so the log hides each as its right says
        audit.record_in_plan(scope, a, "read", life_area(x).value)
    scope.db.commit()
    return [_entry(scope, x, rows.get(x.value), names) for x in visible]


def read(scope: PlanScope, a: Authenticated, area: LifeArea) -> LifeAreaEntry:
    entry = _entry(scope, area, _row(scope, area), participant_names(scope))
    audit.record_in_plan(scope, a, "read", life_area(area).value)
    scope.db.commit()
    return entry


def replace(
    scope: PlanScope, a: Authenticated, area: LifeArea, body: LifeAreaUpdate
) -> LifeAreaEntry:
    """Replace the area's description, date and status. The log keeps each version."""
    row = _row(scope, area)
    check_version(row.version if row else 0, body.version)
    if row is None:
        row = LifeAreaText(plan_id=scope.plan_id, area=area.value, version=0)
        scope.db.add(row)
    row.description = body.description
    row.area_date = body.date
    row.status = body.status
    row.updated_by_participant_id = scope.participant.id
    row.updated_at = a.now
    row.version += 1
    scope.db.flush()
    mark_content_changed(scope, a.now)
    # The whole text goes into the log: there is no other history of a life area.
    audit.record_in_plan(
        scope,
        a,
        "update",
        life_area(area).value,
        row.id,
        {
            "description": body.description,
            "date": body.date.isoformat() if body.date else None,
            "status": body.status,
        },
    )
    scope.db.commit()
    return _entry(scope, area, row, participant_names(scope))
