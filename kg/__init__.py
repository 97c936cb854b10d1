"""cubegraph.kg: the knowledge-graph store.

``open_store(location)`` picks a backend from the location: ``None`` or ``":memory:"`` gives
an in-memory pyoxigraph store, a filesystem path an on-disk one, an ``http(s)://`` URL a
remote SPARQL 1.1 endpoint. Callers only see the :class:`~cubegraph.kg.store.Store`
interface and rdflib terms.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from cubegraph.kg.errors import (
    FormatCannotCarry,
    GraphNotFound,
    InvalidTerm,
    QuerySyntaxError,
    RDFSyntaxError,
    StoreError,
    StoreUnavailable,
    UnknownFormat,
)
from cubegraph.kg.iris import DEFAULT_BASE_IRI, Iris
from cubegraph.kg.locations import Locations
from cubegraph.kg.results import QueryResult
from cubegraph.kg.store import Store, Transaction

__all__ = [
    "open_store", "Store", "Transaction", "QueryResult", "Iris", "DEFAULT_BASE_IRI",
    "StoreError", "StoreUnavailable", "GraphNotFound", "QuerySyntaxError", "RDFSyntaxError",
    "UnknownFormat", "InvalidTerm", "FormatCannotCarry",
]

#: Backends by location scheme -> "module:Class" (imported only when used).
BACKENDS = {
    "memory": "cubegraph.kg.embedded:EmbeddedStore",
    "file": "cubegraph.kg.embedded:EmbeddedStore",
    "http": "cubegraph.kg.remote:RemoteStore",
    "https": "cubegraph.kg.remote:RemoteStore",
}


def open_store(location: str | Path | None = None, *, base_iri: str = DEFAULT_BASE_IRI,
               read_only: bool = False, token: str | None = None,
               timeout: float | None = None, data_root: str | Path | None = None) -> Store:
    """Open the store at ``location``.

    Args:
        location: ``None`` / ``":memory:"`` (in memory), a folder path (on disk; created
            when missing), or the URL of a SPARQL 1.1 endpoint (remote; updates go to the
            same URL, or to ``.../update`` for an Oxigraph ``.../query`` URL).
        base_iri: base of every IRI the store's :class:`Iris` mints.
        read_only: open the store for reading only: an on-disk store is opened without
            taking its write lock; a remote store refuses every write itself, before any
            request is sent. A store in memory ignores it.
        token: bearer token sent with every request to a remote store (a cubegraph server
            needs one for writes); local stores ignore it.
        timeout: seconds a remote store waits for each answer (``None``: the backend's
            default, :data:`cubegraph.kg.remote.DEFAULT_TIMEOUT`); local stores ignore it.
        data_root: the declared data root recorded file locations are resolved against
            (see :mod:`cubegraph.kg.locations`); ``None``: absolute paths only.

    Raises:
        StoreUnavailable: the location cannot be opened (locked, not a store, unsupported).
    """
    store = _open(location, Iris(base_iri), read_only, token, timeout)
    store.locations = Locations(data_root)
    return store


def _open(location, iris: Iris, read_only: bool, token: str | None,
          timeout: float | None) -> Store:
    text = None if location is None else str(location)
    if text is None or text == ":memory:":
        return _backend("memory")(None, iris=iris)
    if "://" in text and not text.startswith("file://"):
        scheme = text.split("://", 1)[0].lower()
        if scheme not in BACKENDS:
            raise StoreUnavailable(f"no store backend for '{scheme}://' locations: use a folder "
                                   f"path, ':memory:' or an http(s) SPARQL endpoint URL")
        options = {} if timeout is None else {"timeout": timeout}
        return _backend(scheme)(text, iris=iris, read_only=read_only, token=token, **options)
    path = Path(text.removeprefix("file://")).expanduser()
    return _backend("file")(path, iris=iris, read_only=read_only)


def _backend(kind: str):
    module, cls = BACKENDS[kind].split(":")
    return getattr(importlib.import_module(module), cls)
