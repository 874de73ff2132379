"""Text on screen: Norwegian bokmål by default, English available (`t("key")`).

The texts are data, one TOML file per feature and language:
`sampro_tui/texts/<language>/<feature>.toml` (`nb/goals.toml` beside `en/goals.toml`).
Per feature, because a feature's words are then read and translated in one place, as its
code is (`screens/plan/goals/` and `texts/*/goals.toml`), and a translator compares two
short files rather than two of 700 lines. Each key is written out whole and quoted
(`"goals.empty" = "..."`), so searching for a key the code uses finds its text.

A language is read the first time one of its texts is asked for, all of its files at once
(keys such as `key.*` are used across features, so a key does not tell its file); that
costs about 4 ms (tomllib), paid once and not at import. A missing key falls back to
bokmål, then to the key itself, so a built-in Textual description passed through `t`
stays as it is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

LANGUAGES = ("nb", "en")
TEXTS_DIR = Path(__file__).with_name("texts")

_loaded: dict[str, dict[str, str]] = {}


def _catalogue(language: str) -> dict[str, str]:
    """Every text of `language`, read from its files on first use."""
    texts = _loaded.get(language)
    if texts is None:
        texts = {}
        for path in sorted((TEXTS_DIR / language).glob("*.toml")):
            with path.open("rb") as file:
                texts.update(tomllib.load(file))
        _loaded[language] = texts
    return texts


class _Catalogues(Mapping[str, Mapping[str, str]]):
    """{language: {key: text}}, each language read when it is first looked at."""

    def __getitem__(self, language: str) -> Mapping[str, str]:
        if language not in LANGUAGES:
            raise KeyError(language)
        return _catalogue(language)

    def __contains__(self, language: object) -> bool:
        return language in LANGUAGES

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


CATALOGUES: Mapping[str, Mapping[str, str]] = _Catalogues()

_language = "nb"


def set_language(language: str) -> None:
    global _language
    _language = language if language in LANGUAGES else "nb"


def language() -> str:
    return _language


def has_text(key: str) -> bool:
    """Whether the catalogue has `key` (in any language: `t` falls back to bokmål)."""
    return key in _catalogue(_language) or key in _catalogue("nb")


def t(key: str, **values: Any) -> str:
    """The text for `key` in the current language, with `{name}` fields filled in."""
    text = _catalogue(_language).get(key) or _catalogue("nb").get(key) or key
    return text.format(**values) if values else text
