"""Exports of the catalog as linked data other tools read: DCAT, VoID, schema.org.

- :func:`dcat_catalog`: a ``dcat:Catalog`` with every cube as ``dcat:dataset`` (each with its
  distributions, period, location as a ``dcat:bbox`` WKT, variables) and the SPARQL
  endpoint as a ``dcat:DataService``; serialise with :func:`serialize_graph` as Turtle or
  JSON-LD.
- :func:`void_description`: VoID statistics of the whole store and one ``void:subset`` per
  named graph.
- :func:`schema_org_dataset`: schema.org ``Dataset`` JSON-LD of one cube, for web pages.

The STAC export is :mod:`cubegraph.api.services.stac_export`.

Everything reads only asserted descriptions: the inferred graph would repeat type closures
that consumers of these formats do not need.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF as FOAF_NS

from cubegraph.api.services.errors import ResourceNotFound
from cubegraph.kg.serialize import jsonld_text, xml_checked
from cubegraph.kg.records.cube import dataset_triples, read_cubes
from cubegraph.kg.records.phenomenon import read_taxonomy
from cubegraph.kg.formats import rdflib_name
from cubegraph.kg.store import Store
from cubegraph.kg.wkt import wkt_box
from cubegraph.ontology.namespaces import (
    local_name,
    CF,
    CG,
    DCAT,
    DCTERMS,
    GEO,
    MLS,
    PROV,
    QB,
    QUDT,
    RDF,
    SD,
    SOSA,
    UNIT,
    VOID,
    XSD,
)

__all__ = ["dcat_catalog", "serialize_graph", "void_description", "schema_org_dataset",
           "endpoint_url"]

#: Export formats of graphs (the triple formats of :data:`cubegraph.kg.formats.RDF_FORMATS`).
GRAPH_FORMATS = ("turtle", "jsonld", "ntriples", "rdfxml")

COUNT_GRAPHS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
COUNT_GRAPH_ENTITIES = """
SELECT ?g (COUNT(DISTINCT ?s) AS ?entities) WHERE { GRAPH ?g { ?s ?p ?o FILTER(isIRI(?s)) } }
GROUP BY ?g
"""
COUNT_GRAPH_CLASSES = """
SELECT ?g (COUNT(DISTINCT ?c) AS ?classes) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g
"""
COUNT_ALL = """
SELECT (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?c) AS ?classes)
WHERE { GRAPH ?g { ?s ?p ?o OPTIONAL { ?s a ?c } } FILTER(isIRI(?s)) }
"""
CLASS_PARTITIONS = """
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c
"""
PROPERTY_PARTITIONS = """
SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p
"""


def endpoint_url(store: Store) -> URIRef:
    """The SPARQL endpoint of this store's server: ``{base}sparql``."""
    return URIRef(store.iris.base + "sparql")


def _asserted_graphs(store: Store) -> list[str]:
    skip = {str(store.iris.inferred_graph), str(store.iris.ontology_graph),
            str(store.iris.shapes_graph)}
    return [str(g) for g in store.graphs() if str(g) not in skip]


# --------------------------------------------------------------------------------------
# DCAT
# --------------------------------------------------------------------------------------
def dcat_catalog(store: Store, *, endpoint: str | None = None) -> Graph:
    """The DCAT catalog of every cube.

    Args:
        store: the store.
        endpoint: the SPARQL endpoint URL to advertise (default ``{base}sparql``).

    Returns:
        A graph with one ``dcat:Catalog`` (``store.iris.catalog``), every cube as its
        ``dcat:dataset``, and a ``dcat:DataService`` for the SPARQL endpoint.

    Raises:
        StoreError: the store failed to answer.
    """
    graph = _bound_graph()
    graphs = _asserted_graphs(store)
    if graphs:
        for triple in dataset_triples(store, graphs):
            graph.add(triple)
    catalog = store.iris.catalog
    service = URIRef(str(catalog) + "/sparql-service")
    cubes = read_cubes(store)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("cubegraph catalog of Earth-observation data cubes", lang="en")))
    graph.add((catalog, DCTERMS.description, Literal(
        "Every data cube described in this cubegraph store, with its variables, extents and "
        "distributions; machine learning runs are queryable through the SPARQL endpoint.", lang="en")))
    graph.add((catalog, FOAF_NS.homepage, URIRef(store.iris.base)))
    graph.add((catalog, DCAT.service, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("cubegraph SPARQL 1.1 endpoint", lang="en")))
    graph.add((service, DCAT.endpointURL, URIRef(endpoint) if endpoint else endpoint_url(store)))
    graph.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    for cube in cubes:
        iri = URIRef(cube.iri)
        graph.add((catalog, DCAT.dataset, iri))
        graph.add((service, DCAT.servesDataset, iri))
        graph.add((iri, RDF.type, DCAT.Dataset))
        if cube.bbox and not any(graph.triples((iri, DCTERMS.spatial, None))):
            location = BNode()
            graph.add((iri, DCTERMS.spatial, location))
            graph.add((location, RDF.type, DCTERMS.Location))
            graph.add((location, DCAT.bbox, Literal(wkt_box(cube.bbox), datatype=GEO.wktLiteral)))
    return graph


def serialize_graph(graph: Graph, fmt: str = "turtle") -> bytes:
    """Serialise an export graph as ``turtle``, ``jsonld``, ``ntriples`` or ``rdfxml``.

    Raises:
        ValueError: an unknown format name (the message lists the known ones).
        FormatCannotCarry: ``rdfxml`` of a graph whose literals hold a character XML 1.0
            cannot write (see :func:`cubegraph.kg.serialize.xml_checked`).
    """
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {sorted(GRAPH_FORMATS)}")
    name = rdflib_name(fmt)
    if name == "json-ld":
        context = {p: str(ns) for p, ns in graph.namespaces() if p}
        return jsonld_text(graph, context=context, auto_compact=True).encode()
    return xml_checked(graph.serialize(format=name).encode(), fmt)


def _bound_graph() -> Graph:
    graph = Graph()
    for prefix, ns in (("cg", str(CG)), ("dcat", str(DCAT)), ("dct", str(DCTERMS)),
                       ("void", str(VOID)), ("sd", str(SD)), ("geo", str(GEO)),
                       ("foaf", str(FOAF_NS)), ("xsd", str(XSD)), ("prov", str(PROV)),
                       ("qudt", str(QUDT)), ("unit", str(UNIT)), ("nerc", str(CF))):
        graph.bind(prefix, ns, override=True)
    return graph


# --------------------------------------------------------------------------------------
# VoID
# --------------------------------------------------------------------------------------
def void_description(store: Store, *, endpoint: str | None = None) -> Graph:
    """VoID description of the store: totals, class and property partitions, and one
    ``void:subset`` per named graph (``sd:name`` gives the graph's IRI).

    Raises:
        StoreError: the store failed to answer.
    """
    graph = _bound_graph()
    base = store.iris.base
    dataset = URIRef(base + "void#dataset")
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("cubegraph knowledge graph", lang="en")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint) if endpoint else endpoint_url(store)))
    graph.add((dataset, VOID.uriSpace, Literal(base)))
    graph.add((dataset, VOID.rootResource, store.iris.catalog))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/JSON-LD")))
    for vocabulary in (DCAT, DCTERMS, CG, VOID, PROV, QB, SOSA, MLS, QUDT):
        graph.add((dataset, VOID.vocabulary, URIRef(str(vocabulary))))

    entities = {str(r["g"]): int(r["entities"]) for r in store.query(COUNT_GRAPH_ENTITIES)}
    classes = {str(r["g"]): int(r["classes"]) for r in store.query(COUNT_GRAPH_CLASSES)}
    total = 0
    for row in store.query(COUNT_GRAPHS):
        name = str(row["g"])
        subset = BNode()
        total += int(row["triples"])
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(name)))
        graph.add((subset, VOID.triples, Literal(int(row["triples"]))))
        graph.add((subset, VOID.entities, Literal(entities.get(name, 0))))
        graph.add((subset, VOID.classes, Literal(classes.get(name, 0))))
        graph.add((subset, VOID.distinctSubjects, Literal(int(row["subjects"]))))
        graph.add((subset, VOID.properties, Literal(int(row["properties"]))))
        graph.add((subset, VOID.distinctObjects, Literal(int(row["objects"]))))
    graph.add((dataset, VOID.triples, Literal(total)))
    rows = store.query(COUNT_ALL).rows()
    if rows:
        graph.add((dataset, VOID.entities, Literal(int(rows[0]["entities"]))))
        graph.add((dataset, VOID.properties, Literal(int(rows[0]["properties"]))))
        graph.add((dataset, VOID.classes, Literal(int(rows[0]["classes"]))))
    for row in store.query(CLASS_PARTITIONS):
        part = BNode()
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], row["c"]))
        graph.add((part, VOID.entities, Literal(int(row["n"]))))
    for row in store.query(PROPERTY_PARTITIONS):
        part = BNode()
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, row["p"]))
        graph.add((part, VOID.triples, Literal(int(row["n"]))))
    cubes = read_cubes(store)
    if cubes:
        graph.add((dataset, VOID.exampleResource, URIRef(cubes[0].iri)))
    return graph


# --------------------------------------------------------------------------------------
# schema.org
# --------------------------------------------------------------------------------------
def schema_org_dataset(store: Store, cube_iri: str) -> dict:
    """schema.org ``Dataset`` JSON-LD of one cube, to embed in its web page.

    Raises:
        ResourceNotFound: no cube has that IRI.
    """
    cubes = read_cubes(store, cube_iri)
    if not cubes:
        raise ResourceNotFound(f"no cube <{cube_iri}> in the store: search the catalog "
                               "for its IRI (cubegraph search)")
    cube = cubes[0]
    taxonomy = read_taxonomy(store)
    keywords = set(cube.keywords)
    variables = []
    for var in cube.variables:
        labels = [taxonomy.label(c) for c in taxonomy.most_specific(var.phenomena)]
        keywords.update(labels)
        prop = {"@type": "PropertyValue", "name": var.name or local_name(var.iri),
                "@id": var.iri}
        if var.label or var.observable_label:
            prop["description"] = var.label or var.observable_label
        if var.observable:
            prop["propertyID"] = var.observable
        if var.units:
            prop["unitText"] = var.units
        if var.unit:
            prop["unitCode"] = var.unit
        variables.append(prop)
    doc = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": cube.iri,
        "url": cube.iri,
        "name": cube.title or cube.slug,
        "description": cube.description or cube.title or cube.slug,
        "identifier": cube.identifier or cube.iri,
        "isAccessibleForFree": True,
        "variableMeasured": variables,
        "includedInDataCatalog": {"@type": "DataCatalog", "@id": str(store.iris.catalog),
                                  "name": "cubegraph catalog"},
    }
    if keywords:
        doc["keywords"] = sorted(keywords)
    if cube.license:
        doc["license"] = cube.license
    if cube.creator:
        doc["creator"] = {"@type": "Organization", "name": cube.creator} \
            if not cube.creator.startswith("http") else {"@id": cube.creator}
    if cube.bbox:
        w, s, e, n = cube.bbox
        doc["spatialCoverage"] = {"@type": "Place", "geo": {
            "@type": "GeoShape", "box": f"{s} {w} {n} {e}"}}
    if cube.start_text or cube.end_text:
        doc["temporalCoverage"] = f"{cube.start_text or '..'}/{cube.end_text or '..'}"
    downloads = []
    for dist in cube.distributions:
        url = dist.download_url or dist.access_url
        if url:
            item = {"@type": "DataDownload", "contentUrl": url}
            if dist.media_type:
                item["encodingFormat"] = dist.media_type
            if dist.byte_size is not None:
                item["contentSize"] = f"{dist.byte_size} B"
            downloads.append(item)
    if downloads:
        doc["distribution"] = downloads
    return doc

