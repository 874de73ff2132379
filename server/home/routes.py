"""The plan's home feed (next events, latest messages to me, who has visited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from sampro_contract import HomeFeed
from server.access.policy import Area, Need
from server.access.scope import PlanScope, plan_scope
from server.deps import Auth
from server.home import service

# The tag is the one the published API document has always used for this route.
router = APIRouter(prefix="/plans/{plan_id}", tags=["together"])

HomeRead = Annotated[PlanScope, Depends(plan_scope(Area.HOME, Need.READ))]


@router.get("/home-feed")
def home_feed(scope: HomeRead, a: Auth) -> HomeFeed:
    """For the home page: the next events, the latest messages to me, who has visited."""
    return service.home_feed(scope, a)
