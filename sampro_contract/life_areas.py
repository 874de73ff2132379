"""The life areas (livsområder) of the mapping (kartlegging): one text per area."""

from __future__ import annotations

import datetime as _dt
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from sampro_contract.common import Model, Request


class LifeArea(StrEnum):
    """The six life areas (livsområder) of the mapping (kartlegging)."""

    WORK = "work"  # Arbeid/skole/aktivitet
    HOUSING = "housing"  # Bolig
    LEISURE = "leisure"  # Fritid
    HEALTH = "health"  # Helse
    SOCIAL = "social"  # Sosialt fellesskap/nettverk
    ECONOMY = "economy"  # Økonomi


class LifeAreaEntry(Model):
    """One life area (livsområde) of the mapping (kartlegging) as the caller may see it."""

    area: LifeArea
    description: str
    date: _dt.date | None
    status: str
    updated_at: datetime | None
    updated_by: str | None
    can_write: bool
    version: int  # 0 while nothing is written


class LifeAreaUpdate(Request):
    """Replaces the area's text (no history; earlier versions stay in the log)."""

    version: int  # 0 for an area not yet written
    description: str = Field(default="", max_length=20000)
    date: _dt.date | None = None
    status: str = Field(default="", max_length=300)


# The routes, for reference (all under /plans/{plan_id}):
#   GET  /life-areas -> list[LifeAreaEntry] (only the visible ones)
#   GET/PUT /life-areas/{area}
