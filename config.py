"""Configuration, in one place: flags over environment over a config file over defaults.

Settings: ``store`` (``CUBEGRAPH_STORE``), ``base_iri`` (``CUBEGRAPH_BASE_IRI``), ``token``
(``CUBEGRAPH_TOKEN``: the write token a server demands, and the one the CLI sends to a remote
store), ``host``/``port`` of the server (``CUBEGRAPH_HOST``/``CUBEGRAPH_PORT``),
``real_data`` (``CUBEGRAPH_REAL_DATA``: the folder of real CF files by other institutions
that the demo ingests, the CF table build reads and the tests use; default
``../shared/data/real`` beside the repository). The optional TOML file is
``CUBEGRAPH_CONFIG`` or ``./cubegraph.toml``; its keys are the setting names, e.g.
``store = "data/store"``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from cubegraph.errors import CubegraphError
from cubegraph.kg.iris import DEFAULT_BASE_IRI


#: The repository root: it is the package folder (see pyproject's ``package-dir``).
REPOSITORY = Path(__file__).resolve().parent
#: Where the project's shared real data lives unless a setting says otherwise.
DEFAULT_REAL_DATA = REPOSITORY.parent / "shared" / "data" / "real"


class ConfigError(CubegraphError):
    """Raised when a config file or a setting's value is invalid."""

    http_status = 500


@dataclasses.dataclass(frozen=True)
class Settings:
    """The settings resolved here, with their defaults (the SHACL engine switch,
    ``CUBEGRAPH_SHACL_ENGINE``, is read where it is used: ``ingest/validate.py``)."""

    store: str = "data/store"
    base_iri: str = DEFAULT_BASE_IRI
    token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    real_data: str = str(DEFAULT_REAL_DATA)


_ENV = {f.name: f"CUBEGRAPH_{f.name.upper()}" for f in dataclasses.fields(Settings)}


def load_settings(flags: Mapping[str, object] | None = None, *,
                  env: Mapping[str, str] | None = None,
                  config_file: str | Path | None = None) -> Settings:
    """Resolve settings: flags (non-None) > environment > config file > defaults.

    Raises:
        ConfigError: the config file does not parse or has unknown keys, the file named by
            ``config_file`` does not exist, or ``port`` is not a number (the only value
            whose type is checked).
    """
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    path = Path(config_file or env.get("CUBEGRAPH_CONFIG") or "cubegraph.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file '{path}' is not valid TOML: {exc}") from exc
        unknown = sorted(set(data) - set(_ENV))
        if unknown:
            raise ConfigError(f"config file '{path}' has unknown settings {unknown}; "
                              f"known: {sorted(_ENV)}")
        values.update(data)
    elif config_file is not None:
        raise ConfigError(f"config file '{path}' does not exist")
    for name, var in _ENV.items():
        if env.get(var):
            values[name] = env[var]
    for name, value in (flags or {}).items():
        if value is not None:
            values[name] = value
    try:
        if "port" in values:
            values["port"] = int(values["port"])
    except ValueError as exc:
        raise ConfigError(f"port must be a number, got {values['port']!r}") from exc
    return Settings(**values)
