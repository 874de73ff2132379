"""Validation errors in the user's language, from the server's error types."""

from __future__ import annotations

import pytest

from sampro_tui.api import ApiError
from sampro_tui.errors import describe, field_error, field_errors, field_label, validation_summary
from sampro_tui.i18n import set_language


@pytest.fixture
def english() -> object:
    set_language("en")
    yield
    set_language("nb")


def error(fields: dict[str, str], types: dict[str, str], limits: dict[str, int]) -> ApiError:
    details = {"fields": fields, "types": types, "limits": limits}
    return ApiError(422, "validation_error", "; ".join(fields.values()), details)


def test_each_type_is_a_norwegian_sentence_with_the_limit() -> None:
    assert field_error("missing", "Field required") == "Må fylles ut."
    assert field_error("string_too_long", "String should have at most 2000 characters", 2000) == (
        "Kan ha høyst 2000 tegn."
    )
    assert field_error("string_too_short", "String should have at least 1 character", 1) == (
        "Kan ikke være tomt."
    )
    assert field_error("string_too_short", "…", 8) == "Må ha minst 8 tegn."
    assert field_error("too_long", "List should have at most 500 items", 500) == (
        "Kan ha høyst 500 valg."
    )
    assert field_error("date_from_datetime_parsing", "Input should be a valid date") == (
        "Ikke en gyldig dato. Skriv den som dd.mm.åååå."
    )
    assert field_error("date_parsing", "…") == field_error("date_from_datetime_parsing", "…")
    assert field_error("int_parsing", "Input should be a valid integer") == "Må være et tall."
    assert field_error("greater_than_equal", "…", 0) == "Må være minst 0."
    assert field_error("less_than_equal", "…", 100) == "Kan være høyst 100."
    assert field_error("literal_error", "Input should be 'a' or 'b'") == (
        "Er ikke et av valgene som finnes."
    )
    assert field_error("enum", "…") == "Er ikke et av valgene som finnes."
    assert field_error("string_pattern_mismatch", "…") == "Inneholder tegn som ikke er tillatt."
    assert field_error("value_error", "Value error, end before start") == "Er ikke gyldig."
    assert field_error("invalid", "must be positive") == "Er ikke gyldig."
    assert field_error("string_too_long", "…") == "Er for langt."  # no limit sent


def test_an_unknown_type_or_none_falls_back_to_the_servers_words() -> None:
    assert field_error("uuid_parsing", "Input should be a valid UUID") == (
        "Input should be a valid UUID"
    )
    assert field_error(None, "path: no such file") == "path: no such file"  # made by the client


def test_english_too(english: object) -> None:
    assert field_error("missing", "Field required") == "Is required."
    assert field_error("string_too_long", "…", 300) == "Can have at most 300 characters."
    assert field_label("end_date") == "End date"


def test_labels_and_the_whole_form_sentence() -> None:
    assert field_label("status_text") == "Status fra planeier"
    assert field_label("end_date") == "Sluttdato"
    assert field_label("body.end_date") == "Sluttdato"
    assert field_label("goal_id") == "Goal id"  # unknown: readable, never "goal_id"
    e = error(
        {"end_date": "Input should be a valid date", "status_text": "String should have …"},
        {"end_date": "date_from_datetime_parsing", "status_text": "string_too_long"},
        {"status_text": 2000},
    )
    assert field_errors(e) == {
        "end_date": "Ikke en gyldig dato. Skriv den som dd.mm.åååå.",
        "status_text": "Kan ha høyst 2000 tegn.",
    }
    assert validation_summary(e) == (
        "Sluttdato: Ikke en gyldig dato. Skriv den som dd.mm.åååå. "
        "Status fra planeier: Kan ha høyst 2000 tegn."
    )
    assert describe(e) == "Noe av det du skrev er ikke gyldig. " + validation_summary(e)
    assert "Input should" not in describe(e)


def test_an_old_server_without_types_still_shows_its_messages() -> None:
    e = ApiError(422, "validation_error", "x", {"fields": {"q": "too long"}})
    assert field_errors(e) == {"q": "too long"}
    assert validation_summary(e) == "Søk: too long"
    empty = ApiError(422, "validation_error", "x", {"fields": {}})
    assert validation_summary(empty) == "Sjekk det du skrev og prøv igjen."


def test_a_value_the_contract_refuses_before_sending_reads_the_same() -> None:
    from pydantic import ValidationError

    from sampro_contract import PlanUpdate
    from sampro_tui.errors import local_validation_error

    with pytest.raises(ValidationError) as caught:
        PlanUpdate(version=1, status_text="x" * 2001)
    e = local_validation_error(caught.value)
    assert e.code == "validation_error"
    assert validation_summary(e) == "Status fra planeier: Kan ha høyst 2000 tegn."


def server_field_types() -> set[str]:
    """Every error type the server's own checks send: `validation(..., type="x")` and
    the `"types": {field: "x"}` of errors built by hand, collected from the source (the
    client itself never imports `server`)."""
    import ast
    from pathlib import Path

    import server

    found: set[str] = set()
    for path in Path(server.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "type" and isinstance(kw.value, ast.Constant):
                        found.add(str(kw.value.value))
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "types"
                        and isinstance(value, ast.Dict)
                    ):
                        found |= {str(v.value) for v in value.values if isinstance(v, ast.Constant)}
    return found


def test_every_type_the_server_sends_has_a_sentence_in_both_languages() -> None:
    from sampro_tui.errors import _FIELD_TYPES
    from sampro_tui.i18n import CATALOGUES

    types = server_field_types()
    assert {"needs_mobile", "end_before_start", "not_a_picture", "username_taken"} <= types
    assert len(types) > 25
    missing = sorted(k for k in types if k not in _FIELD_TYPES)
    assert missing == []
    for language in ("nb", "en"):
        catalogue = CATALOGUES[language]
        for kind in sorted(types):
            key = _FIELD_TYPES[kind]
            assert catalogue.get(key), (language, key)
            if "{" in catalogue[key]:  # a number or names the error may not carry
                assert catalogue.get(key + "_nolimit"), (language, key)
    norwegian = {CATALOGUES["nb"][_FIELD_TYPES[k]] for k in types}
    assert "Er ikke gyldig." not in norwegian  # each says what is wrong


def test_the_routes_own_types_read_as_sentences() -> None:
    assert field_error("needs_mobile", "needed for codes by SMS") == (
        "Mobilnummer trengs når engangskoden skal gå på SMS."
    )
    assert field_error("end_before_start", "must be on or after start_date") == (
        "Kan ikke være før startdatoen."
    )
    assert field_error("picture_too_large", "…", 2) == (
        "Bildet kan være høyst 2 MB. Velg et mindre bilde."
    )
    assert field_error("required", "is required") == "Må fylles ut."
    e = ApiError(
        422,
        "validation_error",
        "x",
        {
            "fields": {"recipient_ids": "no longer someone you can write to: Per Berg; …"},
            "types": {"recipient_ids": "recipients_gone"},
            "not_allowed": [7, 9],
            "not_allowed_names": ["Per Berg", "Ola Nordmann"],
        },
    )
    assert validation_summary(e) == (
        "Mottakere: Kan ikke lenger få meldinger fra deg: Per Berg, Ola Nordmann. "
        "Fjern dem og send igjen."
    )
    e.details = {**e.details, "not_allowed_names": None}  # type: ignore[dict-item]
    assert field_errors(e)["recipient_ids"].startswith("Noen av mottakerne kan ikke lenger")


def test_a_taken_username_is_a_field_error_in_the_users_language() -> None:
    e = ApiError(
        409,
        "username_taken",
        "The username kari is taken; choose another",
        {"fields": {"username": "taken"}, "types": {"username": "username_taken"}},
    )
    assert field_errors(e) == {"username": "Brukernavnet er tatt; velg et annet."}
    older = ApiError(409, "username_taken", "…", {"fields": {"username": "taken"}})
    assert field_errors(older) == field_errors(e)  # the code says it without types
    assert describe(older) == "Brukernavnet er tatt; velg et annet."


def test_english_sentences_for_the_routes_types(english: object) -> None:
    assert field_error("needs_email", "…") == (
        "An e-mail address is needed when the one-time code goes by e-mail."
    )
    assert field_error("not_a_picture", "…") == (
        "Not a picture. Only JPEG, PNG and GIF are allowed."
    )


def test_a_new_persons_nested_fields_keep_their_types() -> None:
    from screens.plan.participants.forms import unnest_person_fields

    e = ApiError(
        422,
        "validation_error",
        "x",
        {
            "fields": {"person.first_name": "String should have at most 100 characters"},
            "types": {"person.first_name": "string_too_long"},
            "limits": {"person.first_name": 100},
        },
    )
    assert field_errors(unnest_person_fields(e)) == {"first_name": "Kan ha høyst 100 tegn."}


async def test_a_form_shows_a_route_error_under_its_field_and_others_in_the_summary() -> None:
    from textual.app import App
    from textual.widgets import Static

    from widgets.content_form import ContentForm, FormField

    async def submit(_values: dict[str, object]) -> None:
        raise ApiError(
            422,
            "validation_error",
            "…",
            {
                "fields": {
                    "end_date": "must be on or after start_date",
                    "data_base64": "not a picture: only JPEG, PNG and GIF are allowed",
                },
                "types": {"end_date": "end_before_start", "data_base64": "not_a_picture"},
            },
        )

    fields = [FormField("title", "Tittel"), FormField("end_date", "Sluttdato")]
    form = ContentForm("Prøve", fields, submit)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(form)

    async with Host().run_test() as pilot:
        await pilot.pause()
        form.action_save()
        for _ in range(50):
            await pilot.pause()
            if str(form.query_one("#err-end_date", Static).render()).strip():
                break
        assert str(form.query_one("#err-end_date", Static).render()) == (
            "Kan ikke være før startdatoen."
        )
        assert str(form.query_one("#form-error", Static).render()) == (
            "Bilde: Er ikke et bilde. Bare JPEG, PNG og GIF er tillatt."
        )


def test_a_lost_database_connection_says_to_look_before_sending_again() -> None:
    from sampro_tui.api import ApiError
    from sampro_tui.errors import describe

    text = describe(ApiError(503, "database_unavailable", "lost", None))
    assert "lagret" in text
