"""The job noun: an ML job spec recorded as a ``cg:MLJob`` / ``prov:Plan``.

A job lives in its own named graph, ``{base}job/{id}`` (the job's IRI), written when its
inputs are selected and replaced whenever it is selected again. Layout::

    {base}job/{id}   cg:MLJob, prov:Plan: identifier, title, target term, driver classes,
                     region bounds, period (dct:temporal), temporal resolution, seed, and
                     the spec as given (cg:jobSpec, JSON) for provenance
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._sparql import PREFIXES, text
from cubegraph.ontology.namespaces import CG, DCAT, DCTERMS, PROV, RDF, XSD, bind_prefixes

__all__ = ["Job", "job_graph", "read_job"]


@dataclass(frozen=True)
class Job:
    """A job as the graph holds it.

    Attributes:
        id: the job's slug (its IRI is ``iris.job(id)``).
        target: the target term: a variable IRI or a phenomenon class IRI.
        bbox: the region, (west, south, east, north) degrees.
        start / end: the period, inclusive dates.
        title: human title ("" when none).
        driver_classes: driver classes whose members are candidates.
        temporal_resolution: ISO 8601 duration (``"P1D"``) or ``None``.
        seed: the seed of the job's runs.
        spec: the spec as given (plain JSON-able dict).
    """

    id: str
    target: URIRef
    bbox: tuple[float, float, float, float]
    start: dt.date
    end: dt.date
    title: str = ""
    driver_classes: tuple[URIRef, ...] = ()
    temporal_resolution: str | None = None
    seed: int = 0
    spec: dict = field(default_factory=dict, compare=False, repr=False)


def job_graph(job: Job, iris: Iris) -> Graph:
    """The job's triples (the content of its named graph ``iris.job(job.id)``).

    Returns:
        A new graph; nothing is written anywhere.
    """
    g = bind_prefixes(Graph(), "cg", "prov", "dct", "dcat")
    j = iris.job(job.id)
    g.add((j, RDF.type, CG.MLJob))
    g.add((j, RDF.type, PROV.Plan))
    g.add((j, DCTERMS.identifier, Literal(job.id)))
    if job.title:
        g.add((j, DCTERMS.title, Literal(job.title)))
    g.add((j, CG.target, job.target))
    for cls in job.driver_classes:
        g.add((j, CG.driverClass, cls))
    for prop, value in zip((CG.westBound, CG.southBound, CG.eastBound, CG.northBound), job.bbox):
        g.add((j, prop, Literal(str(value), datatype=XSD.decimal)))
    period = BNode()
    g.add((j, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(job.start.isoformat(), datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(job.end.isoformat(), datatype=XSD.date)))
    if job.temporal_resolution:
        g.add((j, DCAT.temporalResolution, Literal(job.temporal_resolution, datatype=XSD.duration)))
    g.add((j, CG.seed, Literal(job.seed, datatype=XSD.integer)))
    g.add((j, CG.jobSpec, Literal(json.dumps(job.spec, sort_keys=True, default=str))))
    return g


JOB = PREFIXES + """
SELECT ?job ?id ?title ?target ?w ?s ?e ?n ?start ?end ?res ?seed ?spec WHERE {
  ?job a cg:MLJob .
  OPTIONAL { ?job dct:identifier ?id }
  OPTIONAL { ?job dct:title ?title }
  OPTIONAL { ?job cg:target ?target }
  OPTIONAL { ?job cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n }
  OPTIONAL { ?job dct:temporal ?t . ?t dcat:startDate ?start ; dcat:endDate ?end }
  OPTIONAL { ?job dcat:temporalResolution ?res }
  OPTIONAL { ?job cg:seed ?seed }
  OPTIONAL { ?job cg:jobSpec ?spec }
}
"""

DRIVER_CLASSES = PREFIXES + "SELECT ?job ?cls WHERE { ?job cg:driverClass ?cls } ORDER BY ?cls"


def read_job(store, iri: str | URIRef) -> Job | None:
    """The job at ``iri``, or ``None`` when the graph holds no ``cg:MLJob`` there.

    Raises:
        StoreError: the store failed to answer.
    """
    job = URIRef(str(iri))
    rows = store.query(JOB, bindings={"job": job}).rows()
    if not rows:
        return None
    r = rows[0]
    try:
        spec = json.loads(str(r["spec"])) if r.get("spec") is not None else {}
    except ValueError:
        spec = {}
    classes = tuple(URIRef(str(c["cls"])) for c in store.query(DRIVER_CLASSES, bindings={"job": job}))
    bbox = tuple(float(r[k].toPython()) for k in ("w", "s", "e", "n")) if r.get("w") is not None else ()
    return Job(
        id=text(r.get("id")) or str(job).rsplit("/", 1)[-1],
        target=URIRef(str(r["target"])) if r.get("target") is not None else None,
        bbox=bbox,
        start=dt.date.fromisoformat(str(r["start"])[:10]) if r.get("start") is not None else None,
        end=dt.date.fromisoformat(str(r["end"])[:10]) if r.get("end") is not None else None,
        title=text(r.get("title")) or "",
        driver_classes=classes,
        temporal_resolution=text(r.get("res")),
        seed=int(str(r["seed"])) if r.get("seed") is not None else 0,
        spec=spec,
    )
