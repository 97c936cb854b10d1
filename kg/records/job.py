"""The job noun: an ML job spec recorded as a ``cg:MLJob`` / ``prov:Plan``.

A job lives in its own named graph, ``{base}job/{id}`` (the job's IRI), written when its
inputs are selected and replaced whenever it is selected again. Layout::

    {base}job/{id}   cg:MLJob, prov:Plan: identifier, title, target term, driver classes,
                     region (dct:spatial), period (dct:temporal), temporal resolution, the
                     seed its runs take (cg:plannedSeed), and the spec as given
                     (cg:jobSpec, JSON) for provenance
      dct:spatial    a dct:Location whose dcat:bbox is the region as a WKT polygon
                     (geo:wktLiteral, CRS84, the numbers as given)

Only properties whose domain admits a job are used: a cube's ``cg:westBound`` … or a run's
``cg:seed`` on a job would make the OWL 2 RL closure type the job a ``cg:DataCube`` or a
``cg:ModelRun``, families the ontology declares disjoint from ``cg:MLJob``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._sparql import PREFIXES, text
from cubegraph.kg.wkt import box_of_wkt, wkt_box
from cubegraph.ontology.namespaces import CG, DCAT, DCTERMS, GEO, PROV, RDF, XSD, bind_prefixes

__all__ = ["Job", "job_graph", "read_job", "OLD_LAYOUT_COUNT", "OLD_LAYOUT_UPGRADE"]


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
    region = BNode()
    g.add((j, DCTERMS.spatial, region))
    g.add((region, RDF.type, DCTERMS.Location))
    g.add((region, DCAT.bbox, Literal(wkt_box(job.bbox), datatype=GEO.wktLiteral)))
    period = BNode()
    g.add((j, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(job.start.isoformat(), datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(job.end.isoformat(), datatype=XSD.date)))
    if job.temporal_resolution:
        g.add((j, DCAT.temporalResolution, Literal(job.temporal_resolution, datatype=XSD.duration)))
    g.add((j, CG.plannedSeed, Literal(job.seed, datatype=XSD.integer)))
    g.add((j, CG.jobSpec, Literal(json.dumps(job.spec, sort_keys=True, default=str))))
    return g


JOB = PREFIXES + """
SELECT ?job ?id ?title ?target ?box ?start ?end ?res ?seed ?spec WHERE {
  ?job a cg:MLJob .
  OPTIONAL { ?job dct:identifier ?id }
  OPTIONAL { ?job dct:title ?title }
  OPTIONAL { ?job cg:target ?target }
  OPTIONAL { ?job dct:spatial ?region . ?region dcat:bbox ?box }
  OPTIONAL { ?job dct:temporal ?t . ?t dcat:startDate ?start ; dcat:endDate ?end }
  OPTIONAL { ?job dcat:temporalResolution ?res }
  OPTIONAL { ?job cg:plannedSeed ?seed }
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
    bbox = (box_of_wkt(str(r["box"])) if r.get("box") is not None else None) or ()
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


# A store written before the layout above has jobs with a run's cg:seed and a cube's
# cg:westBound ... (whose domains make the closure type the job a run and a cube). The
# upgrade moves them to cg:plannedSeed and a dct:spatial box, in place; a job selected
# again is rewritten whole anyway. ``cubegraph init`` runs it (kg/bootstrap.py).
OLD_LAYOUT_COUNT = PREFIXES + """
SELECT (COUNT(DISTINCT ?job) AS ?n) WHERE {
  GRAPH ?g { ?job a cg:MLJob . { ?job cg:seed ?x } UNION { ?job cg:westBound ?x } }
}"""

OLD_LAYOUT_UPGRADE = PREFIXES + """
DELETE { GRAPH ?g { ?job cg:seed ?seed } } INSERT { GRAPH ?g { ?job cg:plannedSeed ?seed } }
WHERE { GRAPH ?g { ?job a cg:MLJob ; cg:seed ?seed } } ;
DELETE { GRAPH ?g { ?job cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n } }
INSERT { GRAPH ?g { ?job dct:spatial _:region . _:region a dct:Location ; dcat:bbox ?wkt } }
WHERE {
  GRAPH ?g { ?job a cg:MLJob ; cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n }
  BIND (STRDT(CONCAT("POLYGON((", STR(?w), " ", STR(?s), ", ", STR(?e), " ", STR(?s), ", ",
                     STR(?e), " ", STR(?n), ", ", STR(?w), " ", STR(?n), ", ",
                     STR(?w), " ", STR(?s), "))"), geo:wktLiteral) AS ?wkt)
}"""
