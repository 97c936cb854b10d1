"""Configuration, in one place: flags over environment over a config file over defaults.

Settings: ``store`` (``CUBEGRAPH_STORE``), ``base_iri`` (``CUBEGRAPH_BASE_IRI``), ``token``
(``CUBEGRAPH_TOKEN``: the write token a server demands, and the one the CLI sends to a remote
store), ``host``/``port`` of the server (``CUBEGRAPH_HOST``/``CUBEGRAPH_PORT``),
``real_data`` (``CUBEGRAPH_REAL_DATA``: the folder of real CF files by other institutions
that the demo ingests, the CF table build reads and the tests use; default
``../shared/data/real`` beside the repository), ``data_root`` (``CUBEGRAPH_DATA_ROOT``: the
folder recorded file locations are kept relative to, so the data can move; see
``kg/locations.py``; default none). The optional TOML file is
``CUBEGRAPH_CONFIG`` or ``./cubegraph.toml``; its keys are the setting names, e.g.
``store = "data/store"``.

:class:`ServerSettings` holds every setting of the HTTP server with its one default:
``create_app``, ``cubegraph serve`` and the serving functions all read their defaults there.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from cubegraph.errors import CubegraphError

#: Default base of minted IRIs: the local server's default address, so they dereference out
#: of the box (kg/iris.py mints under it; the server's host and port defaults match it).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_BASE_IRI = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/"


#: The repository root: it is the package folder (see pyproject's ``package-dir``).
REPOSITORY = Path(__file__).resolve().parent
#: Where the project's shared real data lives unless a setting says otherwise.
DEFAULT_REAL_DATA = REPOSITORY.parent / "shared" / "data" / "real"


class ConfigError(CubegraphError):
    """Raised when a config file or a setting's value is invalid."""

    http_status = 500


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    """Every setting of the HTTP server, each with its one default.

    Attributes:
        store: a store folder, ``":memory:"``, a SPARQL endpoint URL, or an open
            :class:`~cubegraph.kg.store.Store` (then the caller keeps ownership and closes it).
        base_iri: the base of minted IRIs; a request path ``/cube/x`` describes
            ``base_iri + "cube/x"`` (an open store's own base wins).
        token: the bearer token every write needs (``None``: writing is disabled).
        data_root: the folder recorded file locations are resolved against (``None``: none).
        host: the address to bind.
        port: the port to listen on.
        max_body: the largest request body, or query text, in bytes (larger -> 413).
        query_timeout: seconds a query may run before it is stopped (-> 503).
        max_rows: rows (or triples) of a query answer; longer answers are truncated and
            flagged.
        query_workers: queries one client may run in parallel on an on-disk store, each in
            a worker process (one more process is kept for a client with none running,
            and a spare starts while requests wait: no client can hold them all).
        query_memory_mb: memory a query may allocate in its worker, in MB (past it the
            query is stopped: 503); 0: no limit.
        threads: threads of the HTTP server answering requests.
        service_allowlist: endpoints a query's ``SERVICE`` clause may call (empty: none;
            ``"*"``: any).
    """

    # Typed loosely on purpose: config imports no layer (kg imports config), so an open
    # Store is accepted without naming its class here.
    store: str | Path | Any = ":memory:"
    base_iri: str = DEFAULT_BASE_IRI
    token: str | None = None
    data_root: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    max_body: int = 16 * 1024 * 1024
    query_timeout: float = 30.0
    max_rows: int = 100_000
    query_workers: int = 2
    query_memory_mb: int = 2048
    threads: int = 16
    service_allowlist: tuple[str, ...] = ()

    #: The names the app's config mapping uses (``create_app({"MAX_ROWS": 50})``) -> fields.
    CONFIG_KEYS: ClassVar[dict[str, str]] = {
        "STORE": "store", "BASE_IRI": "base_iri", "TOKEN": "token", "DATA_ROOT": "data_root",
        "HOST": "host",
        "PORT": "port", "MAX_CONTENT_LENGTH": "max_body", "QUERY_TIMEOUT": "query_timeout",
        "MAX_ROWS": "max_rows", "QUERY_WORKERS": "query_workers", "THREADS": "threads",
        "QUERY_MEMORY_MB": "query_memory_mb",
        "SERVICE_ALLOWLIST": "service_allowlist",
    }

    def __post_init__(self):
        # Values from a mapping, the environment or a flag arrive as text or lists: one
        # type per setting from here on.
        for name, convert in _CONVERT.items():
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, convert(value))
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"server setting {name} must be {_KIND[name]}, got "
                                  f"{value!r}") from exc

    @classmethod
    def from_mapping(cls, config: Mapping[str, object] | None) -> ServerSettings:
        """The settings a config mapping names (keys of :attr:`CONFIG_KEYS`), the rest at
        their defaults; other keys (Flask's own, such as ``TESTING``) are ignored here.

        Raises:
            ConfigError: a value has the wrong type.
        """
        return cls(**{field: config[key] for key, field in cls.CONFIG_KEYS.items()
                      if config and key in config})


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "port": int, "max_body": int, "query_timeout": float, "max_rows": int,
    "query_workers": int, "threads": int, "query_memory_mb": int,
    "service_allowlist": lambda value: (value,) if isinstance(value, str) else tuple(value or ()),
}
_KIND = {"port": "a number", "max_body": "a number of bytes", "query_timeout": "a number of seconds",
         "max_rows": "a number", "query_workers": "a number", "threads": "a number",
         "query_memory_mb": "a number of megabytes",
         "service_allowlist": "a list of endpoint IRIs"}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting the command line resolves, with its default (the server's from
    :class:`ServerSettings`; the SHACL engine switch, ``CUBEGRAPH_SHACL_ENGINE``, is read
    where it is used: ``ingest/validate.py``)."""

    store: str = "data/store"
    base_iri: str = DEFAULT_BASE_IRI
    token: str | None = None
    host: str = ServerSettings.host
    port: int = ServerSettings.port
    real_data: str = str(DEFAULT_REAL_DATA)
    data_root: str | None = None


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
