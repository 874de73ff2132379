"""After login: one notice naming the drafts the user has in the generic store.

Forms offer their draft back when opened; this notice says where to open them, so text
saved when a session ran out is found again even if the person does not remember where
they were writing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sampro_contract import Draft
from sampro_tui.i18n import has_text, t

MAX_PLACES = 4  # more than this many drafts: "… and N more"

# Draft keys are "plan-<id>-<area>-…" (see the forms' draft_key): the area names the tab.
_KEY = re.compile(r"^plan-(\d+)-([a-z]+)")


def draft_place(draft: Draft, owners: Mapping[int, str]) -> str:
    """Where a draft belongs: "Fagplaner i planen til Ola Nordmann"."""
    match = _KEY.match(draft.key)
    plan_id = draft.plan_id
    area_key = "drafts.area.other"
    if match:
        plan_id = plan_id if plan_id is not None else int(match.group(1))
        if has_text(f"drafts.area.{match.group(2)}"):
            area_key = f"drafts.area.{match.group(2)}"
        if "-comment-" in draft.key:
            area_key = "drafts.area.comment"
    if plan_id is None:
        return t("drafts.no_plan")
    area = t(area_key)
    name = owners.get(plan_id)
    if name:
        return t("drafts.in_plan", area=area, name=name)
    return t("drafts.in_plan_number", area=area, id=plan_id)


def drafts_notice(drafts: Sequence[Draft], owners: Mapping[int, str]) -> str:
    """ "Du har 2 lagrede utkast: Hjem i planen til …, Meldinger i planen til …"."""
    places: list[str] = []
    for draft in drafts:
        place = draft_place(draft, owners)
        if place not in places:
            places.append(place)
    shown = places[:MAX_PLACES]
    if len(places) > MAX_PLACES:
        shown.append(t("drafts.more", n=len(places) - MAX_PLACES))
    where = ", ".join(shown)
    if len(drafts) == 1:
        return t("drafts.one", where=where)
    return t("drafts.many", n=len(drafts), where=where)
