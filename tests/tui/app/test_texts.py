"""The text catalogues: every key in both languages, with the same fields, and used."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from sampro_contract import (
    Access,
    ActivityStatus,
    Channel,
    LifeArea,
    MessageFolder,
    MessageKind,
    NotifyChannel,
    PlanRole,
    TimelineKind,
)
from sampro_tui.i18n import LANGUAGES, TEXTS_DIR

ROOT = Path(__file__).resolve().parents[3]
CLIENT_CODE = ("sampro_tui", "screens", "widgets")

# Keys the code builds at run time as f"{prefix}{suffix}", and where. An enum names the
# suffixes exactly (the test then also wants a text for each member); None: the suffix
# comes from the server or from a table in the screen, so any key under the prefix counts.
DYNAMIC: dict[str, type[StrEnum] | frozenset[str] | None] = {
    "role.": PlanRole,  # role of a participant, in several screens
    "life.": LifeArea,  # screens/plan/life_areas, widgets/life_areas
    "status.": ActivityStatus,  # widgets/goal_tree
    "msg.kind.": MessageKind,  # screens/plan/messages
    "msg.folder.": MessageFolder,  # screens/plan/messages
    "msg.notify.": NotifyChannel,  # screens/plan/messages (recipients' channels)
    "pp.notify.": NotifyChannel,  # screens/plan/participants
    "channel.": Channel,  # screens/plan/participants (one-time code channel)
    "access.": Access,  # screens/plan/participants (rights)
    "tl.kind.": TimelineKind,  # screens/plan/timeline
    # The server's CompletenessItem.key values (server/life_areas), widgets/completeness.
    "completeness.": frozenset(
        {
            "goals",
            "needs",
            "participants",
            "coordinator",
            "contributions",
            "measures",
            "carried_out",
            "period",
            "revision",
            "consent",
        }
    ),
    "completeness.where.": None,  # CompletenessItem.fix_in, widgets/completeness
    "cal.view.": None,  # the calendar's views, screens/plan/calendar
    "right.": None,  # the participant's rights fields, screens/plan/participants
    "pp.kind.": None,  # NotificationPrefs fields, screens/plan/participants
    "pp.ways.": None,  # the notification choices, screens/plan/participants
    "pp.account.": None,  # the login choices for a new person, screens/plan/participants
    "plog.role.": None,  # the log's roles, actions, objects (server words): screens/plan/log
    "plog.action.": None,
    "plog.obj.": None,
    "password.problem.": None,  # the server's password problems, screens/login/password
    "drafts.area.": None,  # a draft's key names its area, sampro_tui/draft_notice
}
# sampro_tui/errors.py uses key + "_nolimit" when an error carries no number or names.
NOLIMIT = "_nolimit"


def catalogue_files(language: str) -> dict[str, dict[str, str]]:
    """{file name: {key: text}} for one language."""
    files = {}
    for path in sorted((TEXTS_DIR / language).glob("*.toml")):
        with path.open("rb") as file:
            files[path.name] = tomllib.load(file)
    return files


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def code_strings() -> tuple[set[str], set[str]]:
    """Every string constant in the client's code, and every string that starts an
    f-string or a `"..." + x`: the heads of keys built at run time."""
    constants: set[str] = set()
    heads: set[str] = set()
    for folder in CLIENT_CODE:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    constants.add(node.value)
                elif isinstance(node, ast.JoinedStr) and node.values:
                    first = node.values[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        heads.add(first.value)
                elif (
                    isinstance(node, ast.BinOp)
                    and isinstance(node.op, ast.Add)
                    and isinstance(node.left, ast.Constant)
                    and isinstance(node.left.value, str)
                ):
                    heads.add(node.left.value)
    return constants, heads


def built_at_run_time(key: str) -> bool:
    for prefix, suffixes in DYNAMIC.items():
        if not key.startswith(prefix):
            continue
        suffix = key.removeprefix(prefix)
        if suffixes is None or suffix in {str(s) for s in suffixes}:
            return True
    return False


def unused_keys(keys: Iterable[str], constants: set[str]) -> list[str]:
    def used(key: str) -> bool:
        if key.endswith(NOLIMIT) and NOLIMIT in constants:
            return used(key.removesuffix(NOLIMIT))
        return key in constants or built_at_run_time(key)

    return sorted(k for k in keys if not used(k))


def test_both_languages_have_the_same_files_and_keys() -> None:
    nb, en = (catalogue_files(language) for language in LANGUAGES)
    assert LANGUAGES == ("nb", "en")
    assert sorted(nb) == sorted(en)
    assert len(nb) > 10  # one file per feature
    for name in nb:
        assert sorted(set(nb[name]) - set(en[name])) == [], f"missing in en/{name}"
        assert sorted(set(en[name]) - set(nb[name])) == [], f"missing in nb/{name}"


def test_a_key_lives_in_one_file_and_every_text_is_words() -> None:
    for language in LANGUAGES:
        seen: dict[str, str] = {}
        for name, texts in catalogue_files(language).items():
            for key, text in texts.items():
                assert key not in seen, f"{key} in both {seen[key]} and {name} ({language})"
                seen[key] = name
                assert isinstance(text, str) and text.strip(), (language, key)
                assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)*", key), key


def test_both_languages_fill_in_the_same_fields() -> None:
    nb, en = (catalogue_files(language) for language in LANGUAGES)
    for name, texts in nb.items():
        for key, text in texts.items():
            if key in en.get(name, {}):  # a missing key is the first test's to report
                assert placeholders(text) == placeholders(en[name][key]), (name, key)


def test_every_key_is_used_by_the_client() -> None:
    constants, _ = code_strings()
    keys = [k for texts in catalogue_files("nb").values() for k in texts]
    assert unused_keys(keys, constants) == []


def test_every_family_of_built_keys_is_still_built_and_complete() -> None:
    _, heads = code_strings()
    keys = {k for texts in catalogue_files("nb").values() for k in texts}
    for prefix, suffixes in DYNAMIC.items():
        assert prefix in heads, f"nothing builds {prefix}... any more: remove it from DYNAMIC"
        if suffixes is None:
            assert any(k.startswith(prefix) for k in keys), prefix
        else:
            missing = sorted(s for s in map(str, suffixes) if prefix + s not in keys)
            assert missing == [], prefix


def test_the_checks_find_a_missing_and_an_unused_key() -> None:
    """The test above would see a key the code never uses, and a family member missing."""
    constants, _ = code_strings()
    assert unused_keys(["login.title", "login.never_shown"], constants) == ["login.never_shown"]
    assert unused_keys(["field.too_long_nolimit", "plog.action.anything"], constants) == []
    assert not built_at_run_time("role.stranger")
    assert placeholders("{n} av {total}") == {"n", "total"}
