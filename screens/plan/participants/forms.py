"""The Deltakere tab's forms: my notifications, a participant's role, consent and rights,
and a person new to the unit; and what they change."""

from __future__ import annotations

from typing import Any, cast

from sampro_contract import (
    Access,
    NotificationPrefs,
    NotifyChannel,
    Participant,
    Person,
    PlanHome,
    PlanRole,
    Rights,
)
from sampro_tui.api import ApiError
from sampro_tui.formatting import fmt_date
from sampro_tui.i18n import t
from screens.plan.participants.card import (
    ACCOUNT_CHOICES,
    AREA_RIGHTS,
    FLAG_RIGHTS,
    NOTIFY_KINDS,
    full_name,
)
from widgets.content_form import (
    FormField,
)

WAYS: dict[str, list[NotifyChannel]] = {
    "none": [],
    "sms": [NotifyChannel.SMS],
    "email": [NotifyChannel.EMAIL],
    "both": [NotifyChannel.SMS, NotifyChannel.EMAIL],
}


def ways_value(channels: list[NotifyChannel]) -> str:
    chosen = set(channels)
    return next((key for key, value in WAYS.items() if set(value) == chosen), "none")


def notification_fields(prefs: NotificationPrefs) -> list[FormField]:
    options = [(t(f"pp.ways.{key}"), key) for key in WAYS]
    return [
        FormField(
            kind,
            t(f"pp.kind.{kind}"),
            "select",
            required=True,
            value=ways_value(getattr(prefs, kind)),
            options=options,
        )
        for kind in NOTIFY_KINDS
    ]


def role_field(value: PlanRole) -> FormField:
    roles = [PlanRole.RELATIVE, PlanRole.PROVIDER]
    return FormField(
        "role",
        t("pp.role"),
        "select",
        required=True,
        value=value.value,
        options=[(t(f"role.{r.value}"), r.value) for r in roles],
    )


def edit_fields(p: Participant) -> list[FormField]:
    """Role (relative or provider only), consent expiry, responsibility and rights."""
    fields = []
    if p.role in (PlanRole.RELATIVE, PlanRole.PROVIDER):
        fields.append(role_field(p.role))
    fields += [
        FormField(
            "consent_expires",
            t("pp.consent"),
            "date",
            required=p.consent_expires is not None,
            value=p.consent_expires,
        ),
        FormField("responsibility", t("pp.responsibility"), value=p.responsibility, max_length=500),
    ]
    if p.role == PlanRole.COORDINATOR:
        return fields  # the coordinator has every right whatever is stored
    levels = [(t(f"access.{a.value}"), a.value) for a in Access]
    for name in AREA_RIGHTS:
        value = cast(Access, getattr(p.rights, name)).value
        label = f"{t('pp.form.rights')}: {t(f'right.{name}')}"
        fields.append(FormField(name, label, "select", True, value, levels))
    yes_no = [(t("pp.yes"), "yes"), (t("pp.no"), "no")]
    for name in FLAG_RIGHTS:
        value = "yes" if getattr(p.rights, name) else "no"
        label = f"{t('pp.form.rights')}: {t(f'right.{name}')}"
        fields.append(FormField(name, label, "select", True, value, yes_no))
    return fields


def changes(p: Participant, values: dict[str, Any]) -> dict[str, Any]:
    """What the edit form changes, as ParticipantUpdate fields (unchanged ones left out)."""
    out: dict[str, Any] = {}
    role = values.get("role")
    if role and role != p.role.value:
        out["role"] = PlanRole(role)
    expires = values.get("consent_expires")
    if expires is not None and expires != p.consent_expires:
        out["consent_expires"] = expires
    if values["responsibility"] != p.responsibility:
        out["responsibility"] = values["responsibility"]
    if p.role != PlanRole.COORDINATOR:
        rights = Rights(
            **{name: Access(values[name]) for name in AREA_RIGHTS},
            **{name: values[name] == "yes" for name in FLAG_RIGHTS},
        )
        if rights != p.rights:
            out["rights"] = rights
    return out


def person_label(person: Person) -> str:
    born = fmt_date(person.birth_date)
    extra = [x for x in (born, person.position, person.workplace) if x]
    return full_name(person) + (f" ({', '.join(extra)})" if extra else "")


def new_person_fields(plan: PlanHome) -> list[FormField]:
    """The form for a person who is not yet registered in the unit."""
    accounts = [(t(f"pp.account.{a}"), a) for a in ACCOUNT_CHOICES]
    return [
        FormField("first_name", t("pp.first_name"), required=True, max_length=100),
        FormField("last_name", t("pp.last_name"), required=True, max_length=100),
        FormField("birth_date", t("pp.birth_date"), "date"),
        FormField("mobile", t("pp.mobile"), max_length=40),
        FormField("email", t("pp.email"), max_length=200),
        FormField("workplace", t("pp.workplace"), max_length=200),
        FormField("position", t("pp.position"), max_length=200),
        FormField("account", t("pp.login"), "select", required=True, value="sms", options=accounts),
        FormField("username", t("pp.username"), max_length=200),
        role_field(PlanRole.PROVIDER),
        FormField(
            "consent_expires",
            t("pp.consent"),
            "date",
            required=True,
            value=plan.owner_consent_expires,
        ),
        FormField("responsibility", t("pp.responsibility"), max_length=500),
    ]


def unnest_person_fields(error: ApiError) -> ApiError:
    """The server names a new person's fields `person.first_name`; the form, `first_name`.
    Their types and limits are renamed alike, so the form says them in the user's language
    (a taken username, 409 `username_taken`, is such a field error too)."""
    details = error.details if isinstance(error.details, dict) else {}
    if not isinstance(details.get("fields"), dict):
        return error
    flat = dict(details)
    for part in ("fields", "types", "limits"):
        named = details.get(part)
        if isinstance(named, dict):
            flat[part] = {str(k).removeprefix("person."): v for k, v in named.items()}
    return ApiError(error.status, error.code, error.message, flat, error.retry_after)
