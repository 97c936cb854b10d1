"""A deterministic LUBM-style university dataset and a scaled-up demo cube catalog.

LUBM (Guo, Pan, Heflin 2005) is the usual OWL reasoning benchmark: universities with
departments, faculty, students, courses and publications, described with the univ-bench
ontology. This generator writes the same shape of data (same seed -> same bytes) with an
OWL 2 RL subset of univ-bench that exercises the rules cubegraph relies on: subclass and
subproperty hierarchies, domains and ranges, inverse and transitive properties, and
class definitions by intersection with someValuesFrom (``Chair ≡ Person ⊓ ∃headOf.Department``).

Usage::

    python bench/lubm.py --triples 100000 > lubm.nt      # data only (N-Triples)
    python bench/lubm.py --ontology > univ-bench.ttl
"""

from __future__ import annotations

import argparse
import random
import sys

UB = "http://swat.cse.lehigh.edu/onto/univ-bench.owl#"

ONTOLOGY = f"""@prefix ub: <{UB}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

ub:Organization a owl:Class . ub:Person a owl:Class . ub:Work a owl:Class .
ub:University rdfs:subClassOf ub:Organization .
ub:Department rdfs:subClassOf ub:Organization .
ub:ResearchGroup rdfs:subClassOf ub:Organization .
ub:Course rdfs:subClassOf ub:Work . ub:GraduateCourse rdfs:subClassOf ub:Course .
ub:Publication a owl:Class . ub:Article rdfs:subClassOf ub:Publication .
ub:JournalArticle rdfs:subClassOf ub:Article . ub:ConferencePaper rdfs:subClassOf ub:Article .
ub:Employee owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ub:Person
    [ a owl:Restriction ; owl:onProperty ub:worksFor ; owl:someValuesFrom ub:Organization ] ) ] .
ub:Faculty rdfs:subClassOf ub:Employee .
ub:Professor rdfs:subClassOf ub:Faculty .
ub:FullProfessor rdfs:subClassOf ub:Professor .
ub:AssociateProfessor rdfs:subClassOf ub:Professor .
ub:AssistantProfessor rdfs:subClassOf ub:Professor .
ub:Lecturer rdfs:subClassOf ub:Faculty .
ub:Chair owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ub:Person
    [ a owl:Restriction ; owl:onProperty ub:headOf ; owl:someValuesFrom ub:Department ] ) ] .
ub:Chair rdfs:subClassOf ub:Professor .
ub:Student owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ub:Person
    [ a owl:Restriction ; owl:onProperty ub:takesCourse ; owl:someValuesFrom ub:Course ] ) ] .
ub:UndergraduateStudent rdfs:subClassOf ub:Student .
ub:GraduateStudent rdfs:subClassOf ub:Person .
ub:TeachingAssistant owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ub:Person
    [ a owl:Restriction ; owl:onProperty ub:teachingAssistantOf ; owl:someValuesFrom ub:Course ] ) ] .
ub:ResearchAssistant rdfs:subClassOf ub:Person .

ub:memberOf a owl:ObjectProperty ; owl:inverseOf ub:member .
ub:worksFor rdfs:subPropertyOf ub:memberOf .
ub:headOf rdfs:subPropertyOf ub:worksFor .
ub:degreeFrom a owl:ObjectProperty ; rdfs:range ub:University ; owl:inverseOf ub:hasAlumnus .
ub:undergraduateDegreeFrom rdfs:subPropertyOf ub:degreeFrom .
ub:mastersDegreeFrom rdfs:subPropertyOf ub:degreeFrom .
ub:doctoralDegreeFrom rdfs:subPropertyOf ub:degreeFrom .
ub:subOrganizationOf a owl:TransitiveProperty .
ub:teacherOf rdfs:domain ub:Faculty ; rdfs:range ub:Course .
ub:takesCourse a owl:ObjectProperty .
ub:teachingAssistantOf rdfs:domain ub:TeachingAssistant ; rdfs:range ub:Course .
ub:advisor rdfs:domain ub:Person ; rdfs:range ub:Professor .
ub:publicationAuthor rdfs:domain ub:Publication ; rdfs:range ub:Person .
ub:researchInterest a owl:DatatypeProperty .
ub:name a owl:DatatypeProperty . ub:emailAddress a owl:DatatypeProperty .
"""


def _t(s: str, p: str, o: str) -> str:
    return f"<{s}> <{UB}{p}> {o} .\n"


def _type(s: str, cls: str) -> str:
    return f"<{s}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{UB}{cls}> .\n"


def department(rng: random.Random, u: int, d: int, n_univ: int) -> str:
    """N-Triples of one department of university ``u`` (~3,000 triples)."""
    univ = f"http://www.University{u}.edu"
    dept = f"http://www.Department{d}.University{u}.edu"
    out = [_type(univ, "University"), _type(dept, "Department"),
           _t(dept, "subOrganizationOf", f"<{univ}>"), _t(dept, "name", f'"Department{d}"')]
    for g in range(rng.randint(3, 6)):
        grp = f"{dept}/ResearchGroup{g}"
        out += [_type(grp, "ResearchGroup"), _t(grp, "subOrganizationOf", f"<{dept}>")]
    courses = [f"{dept}/Course{i}" for i in range(rng.randint(20, 30))]
    gcourses = [f"{dept}/GraduateCourse{i}" for i in range(rng.randint(10, 20))]
    out += [_type(c, "Course") for c in courses] + [_type(c, "GraduateCourse") for c in gcourses]
    faculty = []
    for kind, n in (("FullProfessor", rng.randint(7, 10)), ("AssociateProfessor", rng.randint(10, 14)),
                    ("AssistantProfessor", rng.randint(8, 11)), ("Lecturer", rng.randint(5, 7))):
        for i in range(n):
            f = f"{dept}/{kind}{i}"
            faculty.append(f)
            other = f"<http://www.University{rng.randrange(n_univ)}.edu>"
            out += [_type(f, kind), _t(f, "worksFor", f"<{dept}>"), _t(f, "name", f'"{kind}{i}"'),
                    _t(f, "emailAddress", f'"{kind}{i}@Department{d}.University{u}.edu"'),
                    _t(f, "undergraduateDegreeFrom", other),
                    _t(f, "doctoralDegreeFrom", f"<http://www.University{rng.randrange(n_univ)}.edu>"),
                    _t(f, "researchInterest", f'"Research{rng.randrange(30)}"')]
            for c in rng.sample(courses + gcourses, 2):
                out.append(_t(f, "teacherOf", f"<{c}>"))
            for p in range(rng.randint(3, 8)):
                pub = f"{f}/Publication{p}"
                out += [_type(pub, rng.choice(("JournalArticle", "ConferencePaper", "Publication"))),
                        _t(pub, "publicationAuthor", f"<{f}>"), _t(pub, "name", f'"Publication{p}"')]
    out.append(_t(f"{dept}/FullProfessor0", "headOf", f"<{dept}>"))
    profs = [f for f in faculty if "Professor" in f]
    for i in range(len(faculty) * rng.randint(8, 10)):
        s = f"{dept}/UndergraduateStudent{i}"
        out += [_type(s, "UndergraduateStudent"), _t(s, "memberOf", f"<{dept}>"),
                _t(s, "name", f'"UndergraduateStudent{i}"')]
        for c in rng.sample(courses, rng.randint(2, 4)):
            out.append(_t(s, "takesCourse", f"<{c}>"))
        if rng.random() < 0.2:
            out.append(_t(s, "advisor", f"<{rng.choice(profs)}>"))
    for i in range(len(faculty) * rng.randint(3, 4)):
        s = f"{dept}/GraduateStudent{i}"
        out += [_type(s, "GraduateStudent"), _t(s, "memberOf", f"<{dept}>"),
                _t(s, "undergraduateDegreeFrom", f"<http://www.University{rng.randrange(n_univ)}.edu>"),
                _t(s, "advisor", f"<{rng.choice(profs)}>")]
        for c in rng.sample(gcourses, rng.randint(1, 3)):
            out.append(_t(s, "takesCourse", f"<{c}>"))
        if rng.random() < 0.25:
            out.append(_t(s, "teachingAssistantOf", f"<{rng.choice(courses)}>"))
        if rng.random() < 0.25:
            out += [_type(s, "ResearchAssistant"),
                    _t(s, "worksFor", f"<{dept}/ResearchGroup0>")]
    return "".join(out)


def generate(triples: int, *, seed: int = 0, departments_per_university: int = 15):
    """Yield ``(graph_name, ntriples_text)`` per department until ``triples`` are written.

    The same ``triples`` and ``seed`` always give the same data.
    """
    rng = random.Random(seed)
    n_univ = max(1, triples // (3_000 * departments_per_university) + 1)
    written, d = 0, 0
    while written < triples:
        u, k = divmod(d, departments_per_university)
        text = department(rng, u, k, n_univ)
        if written + text.count("\n") > triples and written:
            # Trim the last department so the dataset has exactly ``triples`` lines.
            text = "".join(text.splitlines(keepends=True)[: triples - written])
        written += text.count("\n")
        yield f"http://www.Department{k}.University{u}.edu", text
        d += 1


# --- a scaled-up demo catalog of cube descriptions ------------------------------------------
_OBSERVABLES = (
    "http://vocab.nerc.ac.uk/standard_name/air_temperature/",
    "http://vocab.nerc.ac.uk/standard_name/relative_humidity/",
    "http://vocab.nerc.ac.uk/standard_name/wind_speed/",
    "http://vocab.nerc.ac.uk/standard_name/precipitation_amount/",
    "http://vocab.nerc.ac.uk/standard_name/leaf_area_index/",
    "http://vocab.nerc.ac.uk/standard_name/normalized_difference_vegetation_index/",
    "http://vocab.nerc.ac.uk/standard_name/volume_fraction_of_condensed_water_in_soil/",
    "https://w3id.org/cubegraph/ontology#road_density",
    "https://w3id.org/cubegraph/ontology#population_density",
    "https://w3id.org/cubegraph/ontology#visitors",
)
_GREECE = (19.5, 35.0, 28.5, 41.5)


def cube_graph(iris, i: int):
    """``(cube IRI, rdflib Graph)`` of demo cube ``i`` (deterministic), shaped like ingest's output.

    Every 50th cube covers Greece in 2020-2022 at daily resolution and carries an
    ``active_fire`` target; the others are spread over the world and over 2010-2023.
    """
    from decimal import Decimal

    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

    from cubegraph.ontology.namespaces import CG

    rng = random.Random(i)
    slug = f"demo-{i:05d}"
    cube, g = iris.cube(slug), Graph()
    g.add((cube, RDF.type, CG.DataCube))
    g.add((cube, RDF.type, DCAT.Dataset))
    g.add((cube, DCTERMS.title, Literal(f"demo cube {i}")))
    greek = i % 50 == 0
    if greek:
        bbox, y0, y1 = _GREECE, 2020, 2022
    else:
        w, s = rng.uniform(-180, 170), rng.uniform(-80, 70)
        bbox, y0 = (w, s, w + rng.uniform(1, 10), s + rng.uniform(1, 10)), rng.randint(2010, 2021)
        y1 = y0 + rng.randint(0, 2)
    for prop, v in zip((CG.westBound, CG.southBound, CG.eastBound, CG.northBound), bbox):
        g.add((cube, prop, Literal(Decimal(f"{v:.4f}"), datatype=XSD.decimal)))
    period = BNode()
    g.add((cube, DCTERMS.temporal, period))
    g.add((period, DCAT.startDate, Literal(f"{y0}-01-01T00:00:00", datatype=XSD.dateTime)))
    g.add((period, DCAT.endDate, Literal(f"{y1}-12-31T00:00:00", datatype=XSD.dateTime)))
    res = "P1D" if greek or rng.random() < 0.8 else "P1M"
    g.add((cube, DCAT.temporalResolution, Literal(res, datatype=XSD.duration)))
    names = rng.sample(range(len(_OBSERVABLES)), rng.randint(4, 8))
    variables = [(f"v{k}", URIRef(_OBSERVABLES[k])) for k in names]
    if greek:
        variables.append(("active_fire", CG.active_fire))
    for name, obs in variables:
        v = iris.variable(slug, name)
        g.add((cube, CG.hasVariable, v))
        g.add((v, RDF.type, CG.Variable))
        g.add((v, CG.variableName, Literal(name)))
        g.add((v, CG.measures, obs))
        g.add((v, CG.unitsString, Literal("1")))
    return cube, g


def load_catalog(store, n: int) -> int:
    """Write ``n`` demo cubes into ``store`` (one named graph each); returns the triple count."""
    total = 0
    for i in range(n):
        cube, g = cube_graph(store.iris, i)
        total += len(g)
        store.load(g.serialize(format="nt").encode(), format="ntriples", graph=str(cube))
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ontology", action="store_true", help="print the ontology (Turtle) instead")
    args = ap.parse_args(argv)
    if args.ontology:
        sys.stdout.write(ONTOLOGY)
        return 0
    for _, text in generate(args.triples, seed=args.seed):
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
