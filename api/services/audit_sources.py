"""The audit's source checks: each recorded source or file hashed again and compared.

Every check says what it verified, at one of these levels (:attr:`SourceCheck.level`):

``content``
    every stored byte hashed again: a cube's content digest (each chunk file or block, see
    :mod:`cubegraph.kg.records.content`) compared leaf by leaf, so a change names the
    variable and the chunk; a NetCDF file fingerprinted whole; a model file's sha256.
``sampled``
    a large NetCDF file's size and ~7 MiB of sampled bytes (its cheap fingerprint).
``sizes``
    a zarr store's metadata documents byte for byte and the size of every chunk file (its
    cheap fingerprint): a chunk rewritten at the same size is NOT seen at this level.
``none``
    nothing could be compared (no local path, or nothing recorded).

A cube's content is re-hashed when a content digest was recorded at ingest and the cube is
at most :data:`~cubegraph.ingest.content.AUTO_LIMIT` bytes, or always with ``deep``. The
cube's file is also re-read (metadata only, never its arrays) and compared with its
recorded variables and dimensions, so a description edited by hand shows too. Every
finding is a sentence in :attr:`SourceCheck.changes`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import URIRef

from cubegraph.errors import CubegraphError
from cubegraph.ingest.content import AUTO_LIMIT, digest_content, hash_file, rehash
from cubegraph.ingest.fingerprint import fingerprint_netcdf, fingerprint_zarr, list_zarr_store
from cubegraph.ingest.cubes import read_metadata
from cubegraph.kg.records.content import ZARR_ALGORITHM, ContentDigest, byte_range, differences
from cubegraph.kg.records.cube import distribution_facts, distribution_of, recorded_structure
from cubegraph.kg.records.run import run_usages
from cubegraph.kg.store import Store

__all__ = ["SourceCheck", "check_source", "check_reads", "recompute_fingerprint", "LEVELS"]

#: Check levels, most thorough first.
LEVELS = ("content", "sampled", "sizes", "none")

# What each cheap fingerprint recipe compares, in words, and its level.
_RECIPES = {
    "zarr-metadata+listing/v1": ("sizes", "metadata documents byte for byte and the size of "
                                          "every chunk file"),
    "netcdf-bytes/v1": ("content", "every byte of the file (sha256)"),
    "netcdf-sampled/v1": ("sampled", "the file size and ~7 MiB of sampled bytes"),
}


@dataclass
class SourceCheck:
    """A source (a cube's distribution, or a recorded file such as a model), hashed again
    and compared with what was recorded.

    Attributes:
        status: ``"unchanged"``, ``"changed"``, ``"missing"`` (the path is gone) or
            ``"unverifiable"`` (no local path, or nothing recorded to compare with).
        level: what was compared (see the module docstring): ``"content"``,
            ``"sampled"``, ``"sizes"`` or ``"none"``.
        verified: the same in words, with what was NOT compared and why.
        changes: what differs, in words (``"variable 'lst': chunk lst/c/0/1/0 changed"``).
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
    level: str = "none"
    verified: str = "nothing"

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


def _source_path(store: Store, row: dict) -> str | None:
    """Where the file a distribution row records is now: its first local path (a
    ``cg:sourcePath``, the cube's, a ``file:`` URL), resolved through the data root."""
    rel = row.get("rel")
    return store.locations.resolve(
        _local_path(row.get("path"), row.get("cubePath"), row.get("download"), row.get("access")),
        str(rel) if rel is not None else None)


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


def check_source(store: Store, dist: URIRef, *, deep: bool = False) -> SourceCheck:
    """Hash one source again and compare it with what was recorded.

    Args:
        store: the store.
        dist: a cube's distribution, or any resource recorded with a file (``cg:sha256``
            and ``cg:sourcePath``, e.g. a model).
        deep: re-hash a cube's content whatever its size (when a digest was recorded).

    Raises:
        StoreError: the store failed to answer (a missing or unreadable file is a finding,
            reported in the check, never raised).
    """
    row = distribution_facts(store, dist)
    get = lambda k: row.get(k)  # noqa: E731
    text = lambda k: str(row[k]) if row.get(k) is not None else None  # noqa: E731
    path = _source_path(store, row)
    check = SourceCheck(distribution=str(dist), cube=text("cube"), path=path,
                        recorded_fingerprint=text("fingerprint") or text("sha256"),
                        current_fingerprint=None,
                        algorithm=text("algorithm") or ("sha256" if get("sha256") else None),
                        status="unverifiable")
    if path is None:
        check.verified = "nothing: no local path recorded"
        check.changes.append("no local path recorded (cg:sourcePath or a file: access URL); "
                             "remote sources are not hashed")
        return check
    if not Path(path).exists():
        check.status = "missing"
        check.verified = "nothing: the path is gone"
        check.changes.append(f"'{path}' no longer exists")
        return check
    try:
        if get("sha256") is not None and get("fingerprint") is None:
            _check_file(check, text("sha256"), get("size"))
        else:
            _check_cube(store, check, row, deep)
    except OSError as exc:
        check.status = "missing"
        check.changes.append(f"'{path}' cannot be read: {exc}")
    except CubegraphError as exc:  # a piece of it cannot be hashed: that is the finding
        check.status = "changed"
        check.changes.append(str(exc))
    return check


def check_reads(store: Store, run: URIRef, *, deep: bool = False) -> list[SourceCheck]:
    """For each cube a run read, hash again exactly the stored pieces it read (recorded, as
    it read them, in its usage's content manifest) and compare them; pieces over
    :data:`~cubegraph.ingest.content.AUTO_LIMIT` bytes in all only with ``deep``.

    A run recorded before reads were journaled has no manifest: it gets no check here (its
    cubes are still checked as sources).

    Raises:
        StoreError: the store failed to answer.
    """
    out = []
    for usage in run_usages(store, run):
        if usage.content is None:
            continue
        dist = distribution_of(store, usage.cube)
        row = distribution_facts(store, dist) if dist is not None else {}
        path = _source_path(store, row)
        recorded = usage.content
        check = SourceCheck(distribution=str(dist or usage.cube), cube=str(usage.cube), path=path,
                            recorded_fingerprint=recorded.root, current_fingerprint=None,
                            algorithm=recorded.algorithm, status="unverifiable")
        pieces = f"{recorded.leaf_count:,} stored pieces run <{run}> read"
        if path is None or not Path(path).exists():
            check.status = "missing" if path is not None else "unverifiable"
            check.verified = f"nothing: the {pieces} are not on disk"
            check.changes.append(f"'{path}' no longer exists" if path else
                                 "no local path recorded for the cube")
            out.append(check)
            continue
        size = _pieces_size(Path(path), recorded)
        if size > AUTO_LIMIT and not deep:
            check.status, check.level = "unverifiable", "none"
            check.verified = (f"none: the {pieces} were NOT hashed again: {size:,} bytes is "
                              f"over the audit's {AUTO_LIMIT:,}-byte limit (--deep hashes them)")
            out.append(check)
            continue
        try:
            now = rehash(path, recorded)
        except CubegraphError as exc:
            check.status = "missing"
            check.changes.append(str(exc))
            out.append(check)
            continue
        check.current_fingerprint = now.root
        check.level = "content"
        check.verified = (f"content: the {pieces} (hashed as it read them) hashed again "
                          f"({now.byte_count:,} bytes)")
        found = differences(recorded, now)
        check.status = "changed" if found else "unchanged"
        check.changes.extend(f"since the run read it: {f}" for f in found)
        out.append(check)
    return out


def _pieces_size(path: Path, digest: ContentDigest) -> int:
    """Bytes the leaves of ``digest`` hold on disk now (a file's ranges, a store's files)."""
    total = 0
    for leaves in digest.leaves.values():
        for key in leaves:
            rng = byte_range(key)
            if rng is not None:
                total += rng[1] - rng[0] + 1
            else:
                try:
                    total += (path / key).stat().st_size
                except OSError:
                    pass
    return total


def _check_file(check: SourceCheck, recorded: str, recorded_size) -> None:
    """A recorded file (a model): its sha256 over every byte."""
    now = hash_file(check.path)
    size = Path(check.path).stat().st_size
    check.current_fingerprint = now
    check.level = "content"
    check.verified = f"content: the sha256 of every byte ({size:,} bytes)"
    check.details = {"algorithm": "sha256", "byte_size": size}
    if now == recorded:
        check.status = "unchanged"
        return
    check.status = "changed"
    before = _int(recorded_size)
    if before is not None and before != size:
        check.changes.append(f"size: recorded {before} bytes, now {size} bytes")
    check.changes.append(f"sha256: recorded {recorded[:12]}…, now {now[:12]}…")


def _check_cube(store: Store, check: SourceCheck, row: dict, deep: bool) -> None:
    path, recorded = check.path, check.recorded_fingerprint
    now = recompute_fingerprint(path)
    check.current_fingerprint = now["fingerprint"]
    check.details = now
    level, words = _RECIPES.get(now["algorithm"], ("sizes", now["algorithm"]))
    content_findings: list[str] = []
    manifest = row.get("manifest")
    if manifest is not None and (deep or now["byte_size"] <= AUTO_LIMIT):
        try:
            before = ContentDigest.from_text(str(manifest))
        except ValueError as exc:
            content_findings.append(f"the recorded content manifest cannot be read: {exc}")
            before = None
        if before is not None and row.get("content") is not None \
                and before.root != str(row["content"]):
            content_findings.append("the recorded content manifest does not add up to the "
                                    "recorded content digest: the record was altered")
            before = None
        if before is not None:
            # A file's leaves are byte ranges: hash the recorded ranges again (a damaged
            # HDF5 header must not change how the file is cut). A store's leaves are files:
            # list them afresh, so a chunk added or removed shows too.
            current = (digest_content(path) if before.algorithm == ZARR_ALGORITHM
                       else rehash(path, before))
            content_findings = differences(before, current)
            check.details["content_pieces"] = current.leaf_count
            check.details["content_bytes"] = current.byte_count
            level = "content"
            words = (f"every stored byte hashed again ({current.leaf_count:,} pieces, "
                     f"{current.byte_count:,} bytes) and compared piece by piece")
    elif manifest is not None:
        words += (f"; content NOT hashed: {now['byte_size']:,} bytes is over the audit's "
                  f"{AUTO_LIMIT:,}-byte limit (--deep hashes it)")
    elif level != "content":
        words += ("; content NOT hashed: no content digest was recorded at ingest "
                  "(ingest --checksum content records one)")
    check.level, check.verified = level, f"{level}: {words}"
    if recorded is None:
        check.changes.append("no cg:fingerprint recorded to compare with")
        return
    if recorded == now["fingerprint"] and not content_findings:
        check.status = "unchanged"
    else:
        check.status = "changed"
        check.changes.extend(content_findings)
        if recorded != now["fingerprint"]:
            check.changes.extend(c for c in _what_changed(check, row.get("size"), now)
                                 if not (content_findings and c.startswith("content")))
        elif content_findings:
            # Same sizes, other bytes: a plain re-ingest keeps the old description.
            check.changes.append("if the new bytes are intended, `cubegraph ingest "
                                 "--checksum content` records them")
    cube = check.cube
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


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _what_changed(check: SourceCheck, recorded_size, now: dict) -> list[str]:
    out = []
    if check.algorithm and check.algorithm != now["algorithm"]:
        out.append(f"fingerprint recipe: recorded {check.algorithm}, now {now['algorithm']} "
                   "(re-ingest to record a comparable fingerprint)")
    before = _int(recorded_size)
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
