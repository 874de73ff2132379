"""Every table of the database, one import per feature: what Alembic compares against, and
what SQLAlchemy needs loaded before it resolves the models' relationships by name."""

from __future__ import annotations

import server.accounts.models
import server.auth.models
import server.calendar.models
import server.goals.models
import server.life_areas.models
import server.log.models
import server.messages.models
import server.notifications.models
import server.participants.models
import server.plans.models
import server.professional_plans.models
import server.profile.models
import server.timeline.models  # noqa: F401
from server.db import Base

metadata = Base.metadata
