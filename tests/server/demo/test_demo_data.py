"""The demo data shows what the tour talks about: consents running out, one expired."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from server.participants.models import Participant
from tests.conftest import Harness
from tests.server.auth.test_smoke_login import _seed_and_login


def test_several_open_plans_have_consent_running_out_and_one_person_has_lost_it(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory()
    token = _seed_and_login(h)
    r = h.client.get("/api/v1/plans?page_size=1000", headers={"Authorization": f"Bearer {token}"})
    plans = r.json()["items"]
    soon = [p for p in plans if p["consent_days"] is not None and 0 <= p["consent_days"] <= 30]
    assert 3 <= len(soon) <= 4, [(p["id"], p["consent_days"]) for p in soon]
    assert any(p["consent_days"] > 30 for p in plans)
    today = h.clock.today()
    with h.ctx.db.read_session() as db:
        expired = db.scalars(
            select(Participant.person_id).where(Participant.consent_expires < today)
        ).all()
    assert len(set(expired)) == 1
