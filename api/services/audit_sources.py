"""The audit's source checks: each distribution fingerprinted again and compared.

A distribution reached by the lineage is re-fingerprinted from disk with the ingest layer's
own recipe (:func:`recompute_fingerprint`, the one place that calls it) and compared with
its recorded ``cg:fingerprint`` and byte size; the cube's file is also re-read (metadata
only, never its arrays) and compared with its recorded variables and dimensions, so a
description edited by hand shows too. Every finding is a sentence in
:attr:`SourceCheck.changes`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import URIRef

from cubegraph.errors import CubegraphError
from cubegraph.ingest.fingerprint import fingerprint_netcdf, fingerprint_zarr, list_zarr_store
from cubegraph.ingest.cubes import read_metadata
from cubegraph.kg.records.cube import distribution_facts, recorded_structure
from cubegraph.kg.store import Store

__all__ = ["SourceCheck", "check_source", "recompute_fingerprint"]

@dataclass
class SourceCheck:
    """A source distribution, fingerprinted again and compared with what was recorded.

    Attributes:
        status: ``"unchanged"``, ``"changed"``, ``"missing"`` (the path is gone) or
            ``"unverifiable"`` (no local path, or nothing recorded to compare with).
        changes: what differs, in words (``"size: recorded 1200 bytes, now 1310"``).
        details: what was recomputed (algorithm, byte size, metadata document hashes).
    """

    distribution: str
    cube: str | None
    path: str | None
    recorded_fingerprint: str | None
    current_fingerprint: str | None
    algorithm: str | None
    status: str
    changes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status in ("changed", "missing")


def recompute_fingerprint(path: str | Path) -> dict:
    """Fingerprint a source again with the ingest layer's recipe (the ONE place that calls it).

    Returns:
        ``{"fingerprint", "algorithm", "byte_size", "metadata_sha256": {doc: hash},
        "chunk_files"}`` (the last two for zarr stores only).

    Raises:
        FileNotFoundError: the path does not exist.
        OSError: it cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"source '{path}' does not exist")
    if path.is_dir():
        listing = list_zarr_store(path)
        digest, algorithm = fingerprint_zarr(listing)
        return {"fingerprint": digest, "algorithm": algorithm, "byte_size": listing.byte_size,
                "metadata_sha256": {k: hashlib.sha256(v).hexdigest()
                                    for k, v in sorted(listing.metadata.items())},
                "chunk_files": len(listing.chunks)}
    digest, algorithm = fingerprint_netcdf(path)
    return {"fingerprint": digest, "algorithm": algorithm, "byte_size": path.stat().st_size}


def _local_path(*candidates) -> str | None:
    for value in candidates:
        if value is None:
            continue
        text = str(value)
        if text.startswith("file:"):
            return unquote(urlparse(text).path)
        if "://" not in text:
            return text
    return None


def check_source(store: Store, dist: URIRef) -> SourceCheck:
    """Fingerprint one source distribution again and compare it with what was recorded.

    Raises:
        StoreError: the store failed to answer (a missing or unreadable file is a finding,
            reported in the check, never raised).
    """
    row = distribution_facts(store, dist)
    get = lambda k: row.get(k)  # noqa: E731
    recorded = str(get("fingerprint")) if get("fingerprint") is not None else None
    algorithm = str(get("algorithm")) if get("algorithm") is not None else None
    path = _local_path(get("path"), get("cubePath"), get("download"), get("access"))
    cube = str(get("cube")) if get("cube") is not None else None
    check = SourceCheck(distribution=str(dist), cube=cube, path=path,
                        recorded_fingerprint=recorded, current_fingerprint=None,
                        algorithm=algorithm, status="unverifiable")
    if path is None:
        check.changes.append("no local path recorded (cg:sourcePath or a file: access URL); "
                             "remote sources are not re-fingerprinted")
        return check
    try:
        now = recompute_fingerprint(path)
    except FileNotFoundError:
        check.status = "missing"
        check.changes.append(f"'{path}' no longer exists")
        return check
    except OSError as exc:
        check.status = "missing"
        check.changes.append(f"'{path}' cannot be read: {exc}")
        return check
    check.current_fingerprint = now["fingerprint"]
    check.details = now
    if recorded is None:
        check.changes.append("no cg:fingerprint recorded to compare with")
        return check
    if recorded == now["fingerprint"]:
        check.status = "unchanged"
    else:
        check.status = "changed"
        check.changes.extend(_what_changed(store, check, get("size"), now, cube))
    if cube:
        # The bytes against the description even when the fingerprint matches: a
        # description edited by hand would not show in the fingerprint.
        drift = _structure_drift(store, URIRef(cube), path)
        check.details["description_drift"] = drift
        if drift and check.status == "unchanged":
            check.status = "changed"
            check.changes.extend(drift)
        elif drift:
            check.changes.extend(d for d in drift if d not in check.changes)
    return check


def _what_changed(store, check: SourceCheck, recorded_size, now: dict, cube) -> list[str]:
    out = []
    if check.algorithm and check.algorithm != now["algorithm"]:
        out.append(f"fingerprint recipe: recorded {check.algorithm}, now {now['algorithm']} "
                   "(re-ingest to record a comparable fingerprint)")
    if recorded_size is not None:
        try:
            before = int(recorded_size)
        except (TypeError, ValueError):
            before = None
        if before is not None and before != now["byte_size"]:
            out.append(f"size: recorded {before} bytes, now {now['byte_size']} bytes")
    if not out:
        out.append("content fingerprint differs (metadata documents or chunk listing changed; "
                   "see details.metadata_sha256)")
    return out


def _structure_drift(store: Store, cube: URIRef, path: str) -> list[str]:
    """Differences between the cube's recorded variables/dimensions and its file now."""
    recorded_vars, recorded_dims = recorded_structure(store, cube)
    if not recorded_vars and not recorded_dims:
        return []
    try:
        meta = read_metadata(path)
    except (CubegraphError, OSError, ValueError, RuntimeError) as exc:
        # A corrupted store fails inside codecs (blosc raises RuntimeError): that IS the
        # finding, reported as a change rather than crashing the audit.
        return [f"cannot re-read the cube's metadata: {exc}"]
    out = []
    now_vars = {v.name: (",".join(str(n) for n in v.shape), v.dtype) for v in meta.variables}
    for name in sorted(set(recorded_vars) - set(now_vars)):
        out.append(f"variable '{name}' is described but no longer in the file")
    for name in sorted(set(now_vars) - set(recorded_vars)) if recorded_vars else []:
        out.append(f"variable '{name}' is in the file but not described")
    for name in sorted(set(recorded_vars) & set(now_vars)):
        (shape, dtype), (now_shape, now_dtype) = recorded_vars[name], now_vars[name]
        if shape is not None and shape != now_shape:
            out.append(f"variable '{name}' shape: recorded {shape}, now {now_shape}")
        if dtype is not None and dtype != now_dtype:
            out.append(f"variable '{name}' dtype: recorded {dtype}, now {now_dtype}")
    now_dims = {d.name: d.size for d in meta.dimensions}
    for name, size in sorted(recorded_dims.items()):
        if name not in now_dims:
            out.append(f"dimension '{name}' is described but no longer in the file")
        elif now_dims[name] != size:
            out.append(f"dimension '{name}' size: recorded {size}, now {now_dims[name]}")
    return out
