"""My notification choices in a plan (varslinger): read and set, by each participant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from sampro_contract import NotificationPrefs
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.notifications.prefs import effective_prefs, set_my_prefs

# The tag is the one the published API document has always used for these routes.
router = APIRouter(prefix="/plans/{plan_id}", tags=["together"])

# Everyone sets their own: the home's read right is enough (closed plans refuse the change).
HomeRead = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ))]


@router.get("/notifications")
def my_notifications(scope: HomeRead, a: Auth) -> NotificationPrefs:
    """How I want to hear of new things in this plan (my participant card)."""
    return effective_prefs(scope.participant, a.user)


@router.put("/notifications")
def set_my_notifications(body: NotificationPrefs, scope: HomeRead, a: Auth) -> NotificationPrefs:
    """Everyone sets their own, per plan: for each kind, SMS and/or e-mail (or neither)."""
    return set_my_prefs(scope, a, body)
