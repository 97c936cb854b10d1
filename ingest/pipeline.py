"""The ingest pipeline: paths in, one atomic named-graph write per cube (or per batch) out.

Over 400 lines: the stages of one ingest and its two entry points (``ingest_cube``,
``ingest_paths``) share the result types and the per-cube bookkeeping; the CPU-bound work
already lives apart (``cubes``, ``validate``, ``parallel``).

Stages, each its own function so each can be tested alone::

    expand_paths -> reader.read_raw -> (unchanged? stop) -> interpret -> resolve_semantics
        -> [compute_stats] -> describe_triples -> validate -> store transaction

Cubes the store does not hold yet (the common case) are read, described and validated in
worker processes when there are many (:mod:`~cubegraph.ingest.parallel`); this process,
the store's one writer, writes their N-Quads as they come back (describing cubes itself
while it would otherwise wait); the summary lists every result in input order.

Rules this module owns:

- **Idempotent.** The distribution's fingerprint is compared with the one in the store
  before anything else is done: equal means "unchanged" and nothing is written, so the ingest
  time recorded the first time stays (re-ingesting produces the same triples).
- **Atomic.** A cube's graph is replaced inside a store transaction; in a batch, a group of
  cubes lands in one transaction. A crash leaves every cube either fully described (old or
  new) or absent, never half-written.
- **Revisions.** A changed cube replaces its graph; the new description says what it
  replaced (``cg:revisionOf`` the old fingerprint, ``prov:wasInformedBy`` the old ingest
  activity, whose description is carried forward).
- **Validated first.** Descriptions go through the ontology's SHACL shapes; a cube that
  fails is not written and its result names the variable and the rule.
- **A batch goes on.** A bad file fails alone; the summary lists ingested / replaced /
  unchanged / failed with reasons, and :attr:`IngestSummary.exit_code` is non-zero when
  anything failed.
"""

from __future__ import annotations

import glob
import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from rdflib import Graph, URIRef

from cubegraph.errors import CubegraphError
from cubegraph.ingest.content import digest_content, wants_content
from cubegraph.ingest.cubes import installed_readers, interpret, reader_for
from cubegraph.ingest.errors import CubeNotFound, CubeReadError, IngestError
from cubegraph.ingest.parallel import pool, shared_map, worker_count
from cubegraph.ingest.semantics import resolve_semantics
from cubegraph.ingest.validate import validate_many
from cubegraph.kg.iris import Iris
from cubegraph.kg.locations import Locations
from cubegraph.kg.records.content import ContentDigest
from cubegraph.kg.records.cube_metadata import CubeMetadata, IngestWarning
from cubegraph.kg.records.inheritance import Inherited
from cubegraph.kg.records.cube import (
    Description, Revision, described_cubes, describe_triples, ingest_history, recorded,
)

__all__ = [
    "IngestResult",
    "IngestSummary",
    "describe_paths",
    "expand_paths",
    "ingest_cube",
    "ingest_paths",
    "slug_for",
]

INGESTED, REPLACED, UNCHANGED, FAILED = "ingested", "replaced", "unchanged", "failed"

@dataclass
class IngestResult:
    """The outcome for one path.

    Attributes:
        path: the path as ingested (absolute).
        status: ``"ingested"``, ``"replaced"``, ``"unchanged"`` or ``"failed"``.
        cube: the cube IRI (also its named graph), ``None`` when it failed before one existed.
        warnings: oddities reported (the cube still landed).
        error: why it failed (a :class:`~cubegraph.errors.CubegraphError`), else ``None``.
        triples: number of triples written.
    """

    path: Path
    status: str
    cube: URIRef | None = None
    warnings: list[IngestWarning] = field(default_factory=list)
    error: Exception | None = None
    triples: int = 0

    @property
    def ok(self) -> bool:
        return self.status != FAILED


@dataclass
class IngestSummary:
    """The outcome of a batch: one :class:`IngestResult` per path, in input order."""

    results: list[IngestResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def with_status(self, status: str) -> list[IngestResult]:
        return [r for r in self.results if r.status == status]

    @property
    def ingested(self) -> list[IngestResult]:
        return self.with_status(INGESTED)

    @property
    def replaced(self) -> list[IngestResult]:
        return self.with_status(REPLACED)

    @property
    def unchanged(self) -> list[IngestResult]:
        return self.with_status(UNCHANGED)

    @property
    def failed(self) -> list[IngestResult]:
        return self.with_status(FAILED)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 otherwise (the CLI's exit status)."""
        return 0 if self.ok else 1

    @property
    def triples(self) -> int:
        return sum(r.triples for r in self.results)

    def render(self, *, warnings: bool = True) -> str:
        """The text the CLI prints: one line per cube, reasons, then the totals."""
        lines = []
        for r in self.results:
            where = f"<{r.cube}>" if r.cube is not None else ""
            lines.append(f"{r.status:9s} {r.path} {where}".rstrip())
            if r.error is not None:
                lines.append(f"    error: {r.error}")
            if warnings:
                for w in r.warnings:
                    lines.append(f"    warning [{w.code}]: {w.message}")
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} file(s) that are not cubes: "
                         + ", ".join(p.name for p in self.skipped[:10])
                         + (" ..." if len(self.skipped) > 10 else ""))
        counts = self.note_counts
        if counts:
            lines.append("notes per kind: " + ", ".join(f"{code} {n}" for code, n in counts.items())
                         + " (cubes described now; --report FILE lists every note)")
        lines.append(
            f"{len(self.ingested)} ingested, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed "
            f"({self.triples} triples, {self.seconds:.1f} s)"
        )
        return "\n".join(lines)

    @property
    def note_counts(self) -> dict[str, int]:
        """Notes per kind over the cubes this batch described, most frequent first (a
        cube left unchanged is not read again, a failed one was not written: neither
        counts here)."""
        return dict(Counter(w.code for r in self.results if r.ok
                            for w in r.warnings).most_common())


_log = logging.getLogger(__name__)

# --- paths --------------------------------------------------------------------------------------

_GLOB_CHARS = set("*?[")


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path], list[IngestResult]]:
    """Turn files, folders and globs into the cube paths to ingest.

    A zarr store is a cube even though it is a folder; any other folder is searched
    (recursively, not inside zarr stores) for cubes, and the files in it that no reader
    recognises are *skipped*, not failed. A path named explicitly that is not a cube fails.

    Returns:
        ``(cubes, skipped, failures)``: absolute cube paths in a stable order without
        duplicates, skipped non-cube files found in folders, and one failed result for every
        path that does not exist or glob that matches nothing.
    """
    readers = list(installed_readers().values())
    cubes: list[Path] = []
    skipped: list[Path] = []
    failures: list[IngestResult] = []

    def is_cube(p: Path) -> bool:
        return any(r.can_read(p) for r in readers)

    def walk(folder: Path) -> None:
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue
            if is_cube(entry):
                cubes.append(entry)
            elif entry.is_dir():
                walk(entry)
            else:
                skipped.append(entry)

    for raw in paths:
        text = str(raw)
        if _GLOB_CHARS & set(text):
            matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
            if not matches:
                failures.append(IngestResult(Path(text), FAILED,
                                             error=CubeNotFound(f"no path matches '{text}'")))
            candidates = [Path(m) for m in matches]
        else:
            candidates = [Path(text).expanduser()]
        for path in candidates:
            path = path.absolute()
            if not path.exists():
                failures.append(IngestResult(path, FAILED, error=CubeNotFound(f"'{path}' does not exist")))
            elif path.is_dir() and not is_cube(path):
                walk(path)
            else:
                cubes.append(path)  # files that no reader knows fail later, with a reason
    seen: set[Path] = set()
    unique = [p for p in cubes if not (p in seen or seen.add(p))]
    return unique, skipped, failures


def slug_for(path: Path) -> str:
    """The default slug of a cube: its file or folder name, suffix included.

    The suffix stays so that ``x.nc`` and ``x.zarr`` (often the same data in two formats)
    become two cubes rather than overwrite each other.
    """
    return Iris.slugify(path.name)


# --- one cube ---------------------------------------------------------------------------------


@dataclass
class _Prepared:
    result: IngestResult
    slug: str
    description: Description
    validated: bool = False  # already validated (in a worker), and it passed


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepare(store, path: Path, *, stats: bool, force: bool, slug: str | None,
             progress: bool, claimed: dict[str, tuple[Path, str]],
             checksum: str = "auto",
             inherited: Inherited | None = None) -> _Prepared | IngestResult:
    """Read and describe one cube; an IngestResult when there is nothing to write."""
    iris: Iris = store.iris
    try:
        reader = reader_for(path)
        raw = reader.read_raw(path)
        slug = slug or slug_for(path)
        cube = iris.cube(slug)
        if slug in claimed:  # same slug twice in one batch
            other, fp = claimed[slug]
            if other == path or fp == raw.fingerprint:
                return IngestResult(path, UNCHANGED, cube)
            raise IngestError(
                f"'{path}' and '{other}' would both be cube <{cube}> (slug {slug!r}): "
                "rename one, or ingest it with an explicit slug"
            )
        claimed[slug] = (path, raw.fingerprint)
        row = recorded(store, cube)
        revision, content = None, None
        if row is not None:
            old_fp, old_path, had_stats = row.fingerprint, row.path, row.has_stats
            if old_path not in (None, str(path)) and old_fp != raw.fingerprint and not force:
                raise IngestError(
                    f"cube <{cube}> already describes '{old_path}', a different cube, and "
                    f"'{path}' would replace it (slug {slug!r}): rename one, ingest it with "
                    "an explicit slug, or force the replacement"
                )
            wanted = wants_content(checksum, raw.byte_size)
            # The same bytes at a new path (moved, or the data root moved): re-described, so
            # the location is the new one; the old ingest stays in the history.
            moved = old_path is not None and old_path != str(path)
            if checksum == "content" and row.content is not None and old_fp == raw.fingerprint:
                # Asked for content: the bytes themselves decide, not only their sizes (a
                # chunk rewritten at the same size is then recorded).
                content = digest_content(path, progress=progress, listing=raw.listing)
            if (old_fp == raw.fingerprint and not force and (had_stats or not stats)
                    and (row.content_hashed or not wanted) and not moved
                    and (content is None or content.root == row.content)):
                return IngestResult(path, UNCHANGED, cube)
            activity = row.activity
            if activity is not None:
                revision = Revision(old_fp, activity, ingest_history(store, cube, activity),
                                    old_path)
            else:
                revision = Revision(old_fp, URIRef(str(cube) + "#unknown-ingest"), None)
        status = REPLACED if row is not None else INGESTED
        return _describe(raw, path, slug, iris, status=status, revision=revision, stats=stats,
                         progress=progress, checksum=checksum,
                         root_path=store.locations.relative(path), inherited=inherited,
                         content=content)
    except CubegraphError as exc:
        return IngestResult(path, FAILED, error=exc)
    except Exception as exc:  # noqa: BLE001 -- one bad file fails alone, never the batch
        return IngestResult(path, FAILED, error=_unexpected(path, exc))


def _unexpected(path: Path, exc: Exception) -> CubeReadError:
    """A failure nobody foresaw (a codec's, the file system's, or a bug), as this cube's
    error: the batch goes on; the traceback is logged at debug level (``--debug``)."""
    _log.debug("ingest of %s failed unexpectedly", path, exc_info=exc)
    error = CubeReadError(f"'{path}' could not be described: {type(exc).__name__}: {exc} "
                          "(unexpected; --debug shows where)")
    error.__cause__ = exc
    return error


def _describe(raw, path: Path, slug: str, iris: Iris, *, status: str, revision: Revision | None,
              stats: bool = False, progress: bool = False, checksum: str = "auto",
              root_path: str | None = None, inherited: Inherited | None = None,
              content: ContentDigest | None = None) -> _Prepared:
    meta: CubeMetadata = interpret(raw)
    meta.root_path = root_path
    resolve_semantics(meta)
    if inherited is not None:
        inherited.fill(meta)
    if content is not None:
        meta.content = content  # hashed already, to decide the re-ingest
    elif wants_content(checksum, meta.byte_size):
        meta.content = digest_content(path, progress=progress, listing=raw.listing)
    if stats:
        from cubegraph.ingest.stats import compute_stats

        compute_stats(meta, progress=progress)
    description = describe_triples(meta, iris, slug=slug, ingested_at=_now(), revision=revision)
    return _Prepared(IngestResult(path, status, iris.cube(slug), list(meta.warnings)), slug, description)


def _prepare_new(chunk: tuple[str, list[tuple[Path, str]]]) -> list[_Prepared | IngestResult]:
    """In a worker: read, describe and validate cubes absent from the store."""
    base, checksum, data_root, items = chunk
    iris, locations = Iris(base), Locations(data_root)
    out: list[_Prepared | IngestResult] = []
    for path, slug in items:
        try:
            p = _describe(reader_for(path).read_raw(path), path, slug, iris, status=INGESTED,
                          revision=None, checksum=checksum, root_path=locations.relative(path))
        except CubegraphError as exc:
            out.append(IngestResult(path, FAILED, error=exc))
            continue
        except Exception as exc:  # noqa: BLE001 -- one bad file fails alone
            out.append(IngestResult(path, FAILED, error=_unexpected(path, exc)))
            continue
        try:
            error = validate_many({slug: p.description}).get(slug)
        except Exception as exc:  # noqa: BLE001 -- one bad file fails alone
            error = _unexpected(path, exc)
        if error is not None:
            p.result.status, p.result.error = FAILED, error
            out.append(p.result)
        else:
            p.validated = True
            out.append(p)
    return out


def _new_cubes(store, cubes: list[Path]) -> dict[Path, str]:
    """path -> slug for the cubes the store does not describe and whose slug no other path
    in this batch has: what workers can prepare without asking the store anything."""
    described = described_cubes(store)
    slugs = [slug_for(p) for p in cubes]
    counts: dict[str, int] = {}
    for slug in slugs:
        counts[slug] = counts.get(slug, 0) + 1
    return {p: slug for p, slug in zip(cubes, slugs)
            if counts[slug] == 1 and store.iris.cube(slug) not in described}


def _write(store, prepared: list[_Prepared]) -> None:
    """Validate, then write every valid description in ONE transaction."""
    failures = validate_many({p.slug: p.description for p in prepared if not p.validated})
    valid = []
    for p in prepared:
        if p.slug in failures:
            p.result.status, p.result.error = FAILED, failures[p.slug]
        else:
            valid.append(p)
    if not valid:
        return
    try:
        with store.transaction() as tx:
            for p in valid:
                if p.result.status != INGESTED:
                    tx.drop_graph(p.result.cube)
                # A new cube's graph was absent when prepared (the store lock keeps other
                # writers out): a batch of new cubes is add-only, which the store applies
                # natively (no SPARQL text), and dropping an absent graph would cost as
                # much as the insert.
                tx.add_nquads(p.description.nquads())
    except CubegraphError as exc:
        for p in valid:
            p.result.status, p.result.error = FAILED, exc
        return
    for p in valid:
        p.result.triples = len(p.description)


def ingest_cube(store, path: str | Path, *, stats: bool = False, force: bool = False,
                slug: str | None = None, progress: bool = False,
                checksum: str = "auto") -> IngestResult:
    """Ingest one cube: describe, validate and write its named graph atomically.

    Args:
        store: a :class:`cubegraph.kg.Store` (its ``iris`` mints the IRIs).
        path: a zarr store folder or a NetCDF file.
        stats: also compute per-variable statistics (reads the data, chunk by chunk).
        force: rewrite even when the fingerprint is unchanged, and replace a cube of the same
            slug that came from another path.
        slug: the cube's slug (default: from the file name, see :func:`slug_for`).
        progress: show a progress bar for the statistics.
        checksum: hash the cube's content (``"content"``), never (``"metadata"``), or when
            it is at most :data:`~cubegraph.ingest.content.AUTO_LIMIT` bytes (``"auto"``);
            a cube recorded without content digests is described again when asked for them.

    Returns:
        The result; it never raises for a bad cube: ``status == "failed"`` and ``error`` say
        why (``CubeNotFound``, ``ReaderNotFound``, ``CubeReadError``, ``EmptyCube``,
        ``ShapeViolation`` or a store error), and nothing was written.
    """
    path = Path(path).expanduser().absolute()
    if not path.exists():
        return IngestResult(path, FAILED, error=CubeNotFound(f"'{path}' does not exist"))
    wants_content(checksum, 0)  # an unknown mode is the caller's mistake: raise it here
    prepared = _prepare(store, path, stats=stats, force=force, slug=slug, progress=progress,
                        claimed={}, checksum=checksum)
    if isinstance(prepared, IngestResult):
        return prepared
    _write(store, [prepared])
    return prepared.result


def describe_paths(store, paths: Iterable[str | Path], *,
                   inherited: Mapping[Path, Inherited] | None = None) -> list[tuple[URIRef, Graph]]:
    """Read, describe and validate cubes WITHOUT writing: for callers that write them in a
    transaction of their own, together with other graphs (e.g. a run and its output cubes).

    Args:
        store: the store (its IRIs; what it records of the cubes already).
        paths: the cubes.
        inherited: path -> what that cube inherits where its file says nothing (a run's
            outputs: :mod:`cubegraph.kg.records.inheritance`), put in before it is described.

    Returns:
        ``(cube IRI, description)`` per cube, in order; a graph to ``add`` (a new cube) or
        ``replace_graph`` (a changed one): ``replace_graph`` is right in both cases.

    Raises:
        IngestError (or a subclass): the first cube that cannot be read or described, or
            that fails validation. Nothing is written in any case.
    """
    claimed: dict[str, tuple[Path, str]] = {}
    prepared: list[_Prepared] = []
    for path in paths:
        p = _prepare(store, Path(path), stats=False, force=True, slug=None, progress=False,
                     claimed=claimed, inherited=(inherited or {}).get(Path(path)))
        if isinstance(p, IngestResult):
            if p.error is not None:
                raise p.error
            continue
        prepared.append(p)
    failures = validate_many({p.slug: p.description for p in prepared})
    if failures:
        raise next(iter(failures.values()))
    return [(p.result.cube, p.description.graph()) for p in prepared]


def ingest_paths(store, paths: Iterable[str | Path], *, stats: bool = False,
                 progress: bool = True, force: bool = False, batch_size: int = 200,
                 workers: int | None = None, checksum: str = "auto") -> IngestSummary:
    """Ingest every cube found in ``paths`` (files, folders, globs); never stops at a bad one.

    Cubes are validated and written in groups of ``batch_size``: one store transaction per
    group (a cube failing validation is left out of its group's write, and its result says
    why). Cubes absent from the store are read, described and validated in ``workers``
    processes when there are many; the others (changed, unchanged, a slug used twice, any
    cube with ``stats``) in this process.

    Args:
        store: a :class:`cubegraph.kg.Store`.
        paths: files, folders (searched recursively) and glob patterns.
        stats: compute per-variable statistics (reads the data; in this process).
        progress: show a tqdm progress bar over the cubes.
        force: see :func:`ingest_cube`.
        batch_size: cubes per transaction (a batch of new cubes on disk is one bulk load:
            fewer, bigger ones leave the store fewer files to merge).
        workers: worker processes; ``None`` = every core when at least
            :data:`~cubegraph.ingest.parallel.MIN_CUBES_FOR_WORKERS` new cubes, else none;
            0 or 1 = all in this process. Results are the same either way.
        checksum: see :func:`ingest_cube`.

    Returns:
        The summary, results in input order; ``summary.exit_code`` is 1 when anything failed.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    wants_content(checksum, 0)  # an unknown mode is the caller's mistake: raise it here
    cubes, skipped, failures = expand_paths(paths)
    summary = IngestSummary(skipped=skipped)
    order = {p: i for i, p in enumerate(cubes)}
    new = _new_cubes(store, cubes) if not stats and cubes else {}
    n_workers = worker_count(workers, len(new))
    if n_workers < 2:
        new = {}
    results: list[IngestResult] = []
    claimed: dict[str, tuple[Path, str]] = {}
    batch: list[_Prepared] = []
    bar = tqdm(total=len(cubes), desc="ingest", unit="cube",
               disable=not progress or len(cubes) < 2, leave=False)

    def take(prepared: _Prepared | IngestResult) -> None:
        nonlocal batch
        bar.update()
        if isinstance(prepared, IngestResult):
            results.append(prepared)
            return
        batch.append(prepared)
        results.append(prepared.result)
        if len(batch) >= batch_size:
            _write(store, batch)
            batch = []

    with bar, pool(n_workers) if new else _no_pool() as executor:
        if new:
            items = list(new.items())
            size = max(1, min(25, len(items) // (4 * n_workers)))
            root = store.locations.root
            chunks = [(store.iris.base, checksum, str(root) if root else None, items[i:i + size])
                      for i in range(0, len(items), size)]
            shared = shared_map(executor, _prepare_new, chunks, ahead=3 * n_workers)
        for path in cubes:  # the others meanwhile, here
            if path not in new:
                take(_prepare(store, path, stats=stats, force=force, slug=None,
                              progress=progress, claimed=claimed, checksum=checksum))
        if new:
            for chunk_results in shared:
                for prepared in chunk_results:
                    take(prepared)
        if batch:
            _write(store, batch)
    results.sort(key=lambda r: order.get(r.path, -1))
    summary.results = failures + results
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _no_pool():
    yield None
