"""The client's configuration: a TOML file under platformdirs' user config dir.

Keys: `server_url`, `last_username`, `language` ("nb" or "en"), `theme`,
`remember_session` (keep the session token in the system keyring), and a `[keymap]`
table of binding id -> keys, e.g. `"plans.search" = "ctrl+f,slash,s"` (the help screen
shows each key's binding id). The environment
(`SAMPRO_SERVER`, `SAMPRO_LANG`) and `--server` win over the file for the current run
and are never written back.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_SERVER_URL = "http://127.0.0.1:8000"
LANGUAGES = ("nb", "en")
CONFIG_ENV = "SAMPRO_CONFIG"  # a config file path of its own (tests, several profiles)


@dataclass
class Config:
    server_url: str = DEFAULT_SERVER_URL
    last_username: str = ""
    language: str = "nb"
    theme: str = "textual-dark"
    remember_session: bool = True
    keymap: dict[str, str] = field(default_factory=dict)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    from platformdirs import user_config_path

    return user_config_path("sampro", appauthor=False) / "config.toml"


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        # A broken file must not keep anyone out: start with defaults.
        return {}


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    server_override: str | None = None,
) -> Config:
    """The file's settings, then the environment, then `--server`, in rising priority."""
    env = os.environ if env is None else env
    data = _read(path or config_path(env))
    config = Config()
    for item in fields(Config):
        value = data.get(item.name)
        if item.name == "keymap":
            if isinstance(value, dict):
                config.keymap = {str(k): str(v) for k, v in value.items()}
        elif item.name == "remember_session":
            if isinstance(value, bool):
                config.remember_session = value
        elif isinstance(value, str):
            setattr(config, item.name, value)
    if config.language not in LANGUAGES:
        config.language = "nb"
    if env.get("SAMPRO_SERVER"):
        config.server_url = env["SAMPRO_SERVER"]
    if env.get("SAMPRO_LANG", "").lower()[:2] in LANGUAGES:
        config.language = env["SAMPRO_LANG"].lower()[:2]
    if server_override:
        config.server_url = server_override
    config.server_url = config.server_url.rstrip("/")
    return config


def save_settings(changes: Mapping[str, object], path: Path | None = None) -> None:
    """Write the given keys into the file, keeping everything else as it was."""
    import tomli_w

    path = path or config_path()
    data = _read(path)
    data.update(changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(tomli_w.dumps(data).encode())
    tmp.replace(path)
