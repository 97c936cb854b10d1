"""What a model's output cube inherits from the run that made it: the rules, pure.

A run's output cubes (predictions, attributions: :mod:`cubegraph.ml.writeback`) are zarr
files with little metadata of their own, yet most of what a catalogue needs follows from the
run's target and input cubes and from the run itself. :func:`inherit` derives it from their
records; :meth:`Inherited.fill` puts it into the output's
:class:`~cubegraph.kg.records.cube_metadata.CubeMetadata`, where the file says nothing, so
the one cube writer (:mod:`cubegraph.kg.records.cube`) writes it as it writes any cube's:

- **extent**: where the target's and every input's extents overlap (the outputs lie on the
  target's grid, and a sample needs every input), else the target's own when the overlap is
  not one box; inputs without a recorded extent are skipped, not taken as empty;
- **period**: the same overlap of the recorded periods (the outputs' own time axis, the
  target's time, is in the file and comes first);
- **licence**: the most restrictive of the target's and inputs' licences
  (:func:`cubegraph.kg.records.licences.most_restrictive`: none when there is no such one);
- **creator** and **date**: the run (the software that made the data, and when the run
  ended, ``dct:created``);
- **phenomenon**: per output variable, the observable property it is about (``cg:isAbout``):
  the target's for a prediction, the driver's for an attribution. Not ``cg:measures``: see
  ``cg:isAbout`` in the ontology.

What the file states always wins; an inherited extent or period leaves a warning saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cubegraph.kg.records.cube import CubeRecord
from cubegraph.kg.records.cube_metadata import CubeMetadata
from cubegraph.kg.records.licences import most_restrictive

__all__ = ["Inherited", "inherit", "overlap_box", "overlap_period"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Inherited:
    """What an output cube takes from its run, where its own file says nothing.

    Attributes:
        bbox: ``(west, south, east, north)`` degrees (``west > east`` across the antimeridian).
        time_start / time_end: ISO 8601 date-times.
        license: the licence (an IRI or text, as the input had it).
        creator: who made the data (the run's software).
        created: when (ISO 8601 date-time, the run's end).
        about: output variable name -> IRI of the observable property it is about.
        derived_from: output variable name -> IRIs of the input variables it was computed
            from (the file's ``derived_from`` names them, but they are not in its cube).
        sources: the cubes the extent and period came from (IRIs), for the warnings.
    """

    bbox: Box | None = None
    time_start: str | None = None
    time_end: str | None = None
    license: str | None = None
    creator: str | None = None
    created: str | None = None
    about: Mapping[str, str] = field(default_factory=dict)
    derived_from: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def fill(self, meta: CubeMetadata) -> CubeMetadata:
        """Put what ``meta`` (read from the output's file) lacks into it, in place; returns it."""
        whence = (f"the run's target and inputs ({len(self.sources)} cubes)"
                  if len(self.sources) > 1 else "the run's target")
        if meta.bbox is None and self.bbox is not None:
            meta.bbox = self.bbox
            meta.warnings = [w for w in meta.warnings if w.code != "no-spatial-extent"]
            meta.warn("extent-inherited", f"no latitude/longitude coordinates: the spatial "
                      f"extent is inherited from {whence}, where they overlap")
        if not (meta.time_start or meta.time_end) and (self.time_start or self.time_end):
            meta.time_start, meta.time_end = self.time_start, self.time_end
            meta.warn("period-inherited", f"no time coordinate: the period is inherited from "
                      f"{whence}, where they overlap")
        for key, value in (("license", self.license), ("creator_name", self.creator),
                           ("date_created", self.created)):
            if value:
                meta.inherited.setdefault(key, value)
        own = {v.name for v in meta.variables}
        for var in meta.variables:
            if var.about is None and var.observable is None and var.name in self.about:
                var.about = self.about[var.name]
            if var.name in self.derived_from:
                # The sources the file names live in the run's input cubes: link those.
                var.derived_from = [n for n in var.derived_from if n in own]
                var.derived_from_iris = list(self.derived_from[var.name])
        meta.warnings = [w for w in meta.warnings
                         if not (w.code == "derived-from-unknown" and w.variable in self.derived_from)]
        return meta


def inherit(target: CubeRecord, inputs: Iterable[CubeRecord] = (), *, creator: str | None = None,
            created: str | None = None, about: Mapping[str, str] | None = None,
            derived_from: Mapping[str, tuple[str, ...]] | None = None) -> Inherited:
    """What the outputs of a run inherit (rules in the module docstring).

    Args:
        target: the record of the run's target cube.
        inputs: the records of its input cubes (the target's cube among them or not).
        creator / created: who made the outputs and when (the run).
        about: output variable name -> observable property IRI.
        derived_from: output variable name -> IRIs of the input variables it came from.
    """
    cubes = list({c.iri: c for c in (target, *inputs)}.values())
    start, end = overlap_period(cubes)
    return Inherited(
        bbox=overlap_box([c.bbox for c in cubes]) or target.bbox,
        time_start=start, time_end=end,
        license=most_restrictive(c.license for c in cubes),
        creator=creator, created=created, about=dict(about or {}),
        derived_from={k: tuple(v) for k, v in (derived_from or {}).items()},
        sources=tuple(c.iri for c in cubes))


def _pieces(west: float, east: float) -> list[tuple[float, float]]:
    """A longitude range as intervals in [-180, 180] (two when it crosses the antimeridian)."""
    return [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]


def overlap_box(boxes: Iterable[Box | None]) -> Box | None:
    """Where every known box overlaps (``None`` boxes are unknown, skipped); ``None`` when
    none is known, they do not meet, or the overlap is not one box."""
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    south, north = max(b[1] for b in known), min(b[3] for b in known)
    lon = _pieces(known[0][0], known[0][2])
    for w, _, e, _ in known[1:]:
        lon = [(max(a0, b0), min(a1, b1)) for a0, a1 in lon for b0, b1 in _pieces(w, e)
               if max(a0, b0) <= min(a1, b1)]
    if south > north or not lon:
        return None
    if len(lon) == 1:
        return lon[0][0], south, lon[0][1], north
    (a0, a1), (b0, b1) = sorted(lon)[-1], sorted(lon)[0]
    if len(lon) == 2 and a1 == 180.0 and b0 == -180.0:
        return a0, south, b1, north  # one box across the antimeridian
    return None


def overlap_period(cubes: Iterable[CubeRecord]) -> tuple[str | None, str | None]:
    """``(start, end)`` where the recorded periods overlap, as ISO date-times in UTC (``Z``,
    as ingest writes them: a date-time without a timezone does not compare with one that
    has it); cubes without a period are skipped; ``(None, None)`` when none has one or they
    do not overlap."""
    cubes = list(cubes)
    starts = [c.start for c in cubes if c.start is not None]
    ends = [c.end for c in cubes if c.end is not None]
    start, end = max(starts, default=None), min(ends, default=None)
    if start is not None and end is not None and start > end:
        return None, None
    # the records' datetimes are naive UTC (kg.records._sparql.to_datetime)
    return (start.isoformat() + "Z" if start else None, end.isoformat() + "Z" if end else None)
