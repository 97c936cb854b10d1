"""ML job specs: read (YAML or JSON) and validate against ``job-schema.json``.

A job spec says what to predict (a target variable, or a phenomenon class such as
``cg:ActiveFire`` plus a horizon), from which drivers (driver classes such as
``cg:FireDangerDriver`` and/or variable IRIs), where (a bbox), when (a period) and at what
temporal resolution. :func:`cubegraph.reasoning.selection.select_inputs` compiles it into
concrete (cube, variable) inputs.

Example:
    >>> job = load_job({"id": "j", "target": {"phenomenon": "cg:ActiveFire"},
    ...                 "region": {"bbox": [19, 34.5, 29.7, 42]},
    ...                 "period": {"start": "2020-01-01", "end": "2022-12-31"}})
    >>> str(job.target_class)
    'https://w3id.org/cubegraph/ontology#ActiveFire'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import URIRef

from cubegraph.kg.records.job import Job
from cubegraph.ontology.namespaces import PREFIXES, local_name
from cubegraph.reasoning.errors import JobSpecError

__all__ = ["JobSpec", "load_job", "expand", "SCHEMA_PATH"]

SCHEMA_PATH = Path(__file__).with_name("job-schema.json")


@dataclass(frozen=True)
class JobSpec:
    """A validated job spec with every term expanded to an IRI.

    Attributes:
        id: slug of the job.
        title: human title.
        target_variable: IRI of the target variable (or ``None``).
        target_class: phenomenon class of the target (or ``None``).
        horizon: lead time in time steps.
        driver_classes: driver classes to select members of.
        driver_variables: variables named explicitly as drivers.
        bbox: (west, south, east, north) degrees.
        start, end: the period (inclusive dates).
        temporal_resolution: ISO 8601 duration (``"P1D"``) or ``None``.
        include, exclude: terms forced in / kept out (variables or classes).
        task, model, seed: learning settings passed on to ``ml``.
        spec: the spec as given (a plain dict), kept for provenance.
    """

    id: str
    target_variable: URIRef | None
    target_class: URIRef | None
    bbox: tuple[float, float, float, float]
    start: dt.date
    end: dt.date
    title: str = ""
    horizon: int = 1
    driver_classes: tuple[URIRef, ...] = ()
    driver_variables: tuple[URIRef, ...] = ()
    temporal_resolution: str | None = None
    include: tuple[URIRef, ...] = ()
    exclude: tuple[URIRef, ...] = ()
    task: str = "classification"
    model: str = "mlp"
    seed: int = 0
    spec: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def target(self) -> URIRef:
        """The target term: the variable when given, else the phenomenon class."""
        return self.target_variable or self.target_class

    def period_text(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def record(self) -> Job:
        """The job as the graph records it (:mod:`cubegraph.kg.records.job`)."""
        return Job(id=self.id, target=self.target, bbox=self.bbox, start=self.start,
                   end=self.end, title=self.title, driver_classes=self.driver_classes,
                   temporal_resolution=self.temporal_resolution, seed=self.seed, spec=self.spec)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def expand(term: str, *, what: str = "term") -> URIRef:
    """Expand a prefixed name (``cg:FireDangerDriver``) or check a full IRI.

    Raises:
        JobSpecError: for an unknown prefix or text that is neither.
    """
    text = term.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        if any(c in text for c in ' <>"{}|\\^`'):
            raise JobSpecError(f"{what} {term!r} is not a valid IRI")
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in PREFIXES:
        raise JobSpecError(
            f"{what} {term!r} is neither an IRI nor a prefixed name with a known prefix "
            f"(known: {', '.join(sorted(PREFIXES))})"
        )
    iri = PREFIXES[prefix] + local
    if prefix == "cf" and not iri.endswith("/"):
        iri += "/"  # NERC P07 IRIs end with a slash
    return URIRef(iri)


def load_job(source: str | Path | dict) -> JobSpec:
    """Read and validate a job spec.

    Args:
        source: a path to a ``.yaml``/``.yml``/``.json`` file, or the spec as a dict.

    Returns:
        The :class:`JobSpec`.

    Raises:
        JobSpecError: the file is missing or unreadable, the spec fails the schema (the
            message names the field), the region is empty or the period inverted.
        FileNotFoundError: never; a missing file is a :class:`JobSpecError` too.
    """
    spec = _read(source) if not isinstance(source, dict) else dict(source)
    errors = sorted(_validator().iter_errors(spec), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise JobSpecError(f"job spec is invalid at '{where}': {first.message}")
    target = spec["target"]
    west, south, east, north = (float(v) for v in spec["region"]["bbox"])
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise JobSpecError(f"region bbox {spec['region']['bbox']} is outside [-180, 180] x [-90, 90]")
    if west >= east or south >= north:
        raise JobSpecError(
            f"region bbox {spec['region']['bbox']} is empty: need west < east and south < north "
            "([west, south, east, north])"
        )
    start, end = _date(spec["period"]["start"], "period/start"), _date(spec["period"]["end"], "period/end")
    if start > end:
        raise JobSpecError(f"period is inverted: start {start} is after end {end}")
    drivers = [expand(t, what="driver") for t in spec.get("drivers", [])]
    return JobSpec(
        id=spec["id"],
        title=spec.get("title", ""),
        target_variable=expand(target["variable"], what="target variable") if "variable" in target else None,
        target_class=expand(target["phenomenon"], what="target phenomenon") if "phenomenon" in target else None,
        horizon=int(target.get("horizon", 1)),
        # A driver term is a class when it is a cg: term starting upper-case, else a variable.
        driver_classes=tuple(d for d in drivers if _looks_like_class(d)),
        driver_variables=tuple(d for d in drivers if not _looks_like_class(d)),
        bbox=(west, south, east, north),
        start=start,
        end=end,
        temporal_resolution=spec.get("resolution", {}).get("temporal"),
        include=tuple(expand(t, what="include entry") for t in spec.get("include", [])),
        exclude=tuple(expand(t, what="exclude entry") for t in spec.get("exclude", [])),
        task=spec.get("task", "classification"),
        model=spec.get("model", "mlp"),
        seed=int(spec.get("seed", 0)),
        spec=spec,
    )


def _looks_like_class(iri: URIRef) -> bool:
    # Classes are named in CamelCase after '#' or the last '/'; variables minted by
    # cubegraph end in .../variable/{name}. The selection checks the store either way.
    text = str(iri)
    if "/variable/" in text:
        return False
    local = local_name(text)
    return bool(local) and local[0].isupper()


def _read(source: str | Path) -> dict:
    path = Path(source)
    if not path.is_file():
        raise JobSpecError(f"no job spec file at '{path}'")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except (ValueError, Exception) as exc:  # yaml.YAMLError and json errors
        raise JobSpecError(f"job spec '{path}' does not parse: {exc}") from exc
    if not isinstance(data, dict):
        raise JobSpecError(f"job spec '{path}' must be a mapping, got {type(data).__name__}")
    return data


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise JobSpecError(f"job spec is invalid at '{where}': {value!r} is not an ISO date") from exc
