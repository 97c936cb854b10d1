"""The ontology file itself: parses, matches namespaces.py, reuses the agreed vocabularies."""

import re

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from cubegraph.ontology import ONTOLOGY_PATH, SHAPES_PATH, load_ontology, load_shapes
from cubegraph.ontology.cf_table import CFTable
from cubegraph.ontology import namespaces as ns
from cubegraph.ontology.namespaces import CF, CG, CG_ONTOLOGY, MLS, OWL, RDF, RDFS, SH, SKOS, cf_iri
from cubegraph.ontology.phenomena import subclasses_of

CG_NS = str(CG._NS)
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def _cg_terms_in_namespaces() -> set[URIRef]:
    return {URIRef(CG_NS + name) for name in CG.__annotations__}


def _declared_cg_terms(graph: Graph, types: set[URIRef]) -> set[URIRef]:
    return {
        s for t in types for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(CG_NS)
    }


def test_files_live_inside_the_package():
    assert ONTOLOGY_PATH.is_file() and SHAPES_PATH.is_file()
    assert ONTOLOGY_PATH.parent.name == "ontology"


def test_ontology_parses_and_declares_its_iri(onto):
    assert (CG_ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert str(CG_ONTOLOGY) == "https://w3id.org/cubegraph/ontology"
    assert CG_NS == "https://w3id.org/cubegraph/ontology#"


def test_load_returns_fresh_graphs():
    first = load_ontology()
    first.add((URIRef("http://example.org/x"), RDF.type, CG.DataCube))
    assert (URIRef("http://example.org/x"), RDF.type, CG.DataCube) not in load_ontology()
    assert len(load_shapes()) == len(load_shapes()) > 0


def test_every_cg_term_in_namespaces_is_declared(onto, shapes):
    declared = _declared_cg_terms(onto, DECLARATION_TYPES) | _declared_cg_terms(shapes, {SH.NodeShape})
    missing = sorted(str(t) for t in _cg_terms_in_namespaces() - declared)
    assert not missing, f"in namespaces.CG but not declared in cubegraph.ttl/shapes.ttl: {missing}"


def test_every_cg_term_in_the_turtle_is_in_namespaces(onto, shapes):
    used = {
        term for graph in (onto, shapes) for triple in graph for term in triple
        if isinstance(term, URIRef) and str(term).startswith(CG_NS)
    }
    unknown = sorted(str(t) for t in used - _cg_terms_in_namespaces())
    assert not unknown, f"used in the Turtle but missing from namespaces.CG: {unknown}"


def test_every_cg_term_has_a_label_and_a_comment(onto, shapes):
    for graph, types in ((onto, DECLARATION_TYPES), (shapes, {SH.NodeShape})):
        for term in _declared_cg_terms(graph, types):
            assert graph.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
            assert graph.value(term, RDFS.comment) is not None or (
                graph.value(term, RDF.type) == OWL.NamedIndividual and str(term).startswith(CF)
            ), f"{term} has no rdfs:comment"


def test_typo_in_a_cg_term_raises():
    with pytest.raises(AttributeError):
        CG.Atribution  # noqa: B018
    with pytest.raises(AttributeError):
        MLS.Runn  # noqa: B018


@pytest.mark.parametrize(
    ("cls", "parents"),
    [
        (CG.DataCube, {ns.DCAT.Dataset, ns.QB.DataSet}),
        (CG.Variable, {ns.QB.MeasureProperty}),
        (CG.Dimension, {ns.QB.DimensionProperty}),
        (CG.CubeDistribution, {ns.DCAT.Distribution}),
        (CG.Model, {MLS.Model, ns.PROV.Entity}),
        (CG.ModelRun, {MLS.Run, ns.PROV.Activity}),
        (CG.Evaluation, {MLS.ModelEvaluation, ns.PROV.Entity}),
        (CG.Explanation, {ns.PROV.Entity}),
        (CG.Attribution, {ns.PROV.Entity}),
        (CG.InputSelection, {ns.PROV.Entity}),
        (CG.Phenomenon, {ns.SOSA.ObservableProperty}),
    ],
)
def test_core_classes_reuse_the_agreed_vocabularies(onto, cls, parents):
    assert set(onto.objects(cls, RDFS.subClassOf)) >= parents


def test_phenomenon_taxonomy_has_the_required_classes():
    required = {
        CG.Vegetation: {CG.NDVI, CG.LeafAreaIndex},
        CG.Hydrology: {CG.SoilMoisture, CG.Evapotranspiration, CG.Precipitation},
        CG.Thermal: {CG.AirTemperature, CG.LandSurfaceTemperature},
        CG.Atmosphere: {CG.Humidity, CG.Wind, CG.CarbonMonoxide, CG.NitrogenDioxide,
                        CG.Ozone, CG.SulfurDioxide, CG.Methane},
        CG.Fire: {CG.FireWeatherIndex, CG.BurnedArea, CG.ActiveFire},
        CG.Human: {CG.PopulationDensity, CG.RoadDensity},
        CG.Terrain: {CG.Elevation, CG.Slope, CG.Aspect},
        CG.InSAR: {CG.InterferometricPhase, CG.Coherence, CG.GroundDisplacement},
        CG.ThermalComfort: {CG.UTCI, CG.MeanRadiantTemperature},
    }
    for group, members in required.items():
        assert group in subclasses_of(CG.Phenomenon)
        assert members <= subclasses_of(group), f"{group}: missing {members - subclasses_of(group)}"


def test_every_leaf_phenomenon_has_an_observable_individual(onto):
    leaves = [c for c in subclasses_of(CG.Phenomenon) if subclasses_of(c) == {c}]
    assert len(leaves) > 30
    for leaf in leaves:
        assert any(True for _ in onto.subjects(RDF.type, leaf)), f"no individual is a {leaf}"


def test_every_cf_iri_is_a_current_v93_name(onto):
    table = CFTable.load()
    cf_iris = {t for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(CF)}
    assert len(cf_iris) > 60
    for iri in cf_iris:
        match = re.fullmatch(re.escape(str(CF)) + r"([A-Za-z0-9_]+)/", str(iri))
        assert match, f"{iri} is not of the form {CF}{{name}}/"
        assert table.is_current(match.group(1)), f"{iri}: not a current entry of CF table v93"
        assert iri == cf_iri(match.group(1))


def test_every_cf_iri_is_in_the_official_xml(onto, cf_xml_entries):
    cf_iris = {str(t) for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(CF)}
    names = {iri[len(str(CF)):-1] for iri in cf_iris}
    assert names <= cf_xml_entries, f"not entries of the v93 XML: {sorted(names - cf_xml_entries)}"


def test_short_names_and_labels_are_unambiguous(onto):
    seen: dict[tuple[str, str], URIRef] = {}
    for prop in (SKOS.notation, SKOS.altLabel, RDFS.label):
        for individual in onto.subjects(RDF.type, OWL.NamedIndividual):
            for value in onto.objects(individual, prop):
                key = ("notation" if prop == SKOS.notation else "label", str(value).casefold())
                assert seen.setdefault(key, individual) == individual, (
                    f"{prop} {value!r} is on both {seen[key]} and {individual}"
                )


def test_role_definitions_stay_in_owl2_rl(onto):
    # someValuesFrom / unionOf only in subclass position: never on the right of
    # subClassOf and never inside owl:equivalentClass.
    assert not list(onto.triples((None, OWL.equivalentClass, None)))
    for sub, sup in onto.subject_objects(RDFS.subClassOf):
        assert not isinstance(sup, BNode), f"{sub} subClassOf an anonymous class: not OWL 2 RL"
    for role, factor in (
        (CG.FireDangerDriver, CG.FireDangerFactor),
        (CG.DroughtDriver, CG.DroughtFactor),
        (CG.VolcanicUnrestDriver, CG.VolcanicUnrestFactor),
        (CG.ThermalComfortDriver, CG.ThermalComfortFactor),
    ):
        gci = [s for s in onto.subjects(RDFS.subClassOf, role) if isinstance(s, BNode)]
        assert len(gci) == 1, f"{role} needs exactly one defining axiom"
        parts = list(Collection(onto, onto.value(gci[0], OWL.intersectionOf)))
        assert CG.Variable in parts
        restriction = next(p for p in parts if isinstance(p, BNode))
        assert onto.value(restriction, OWL.onProperty) == CG.measures
        assert onto.value(restriction, OWL.someValuesFrom) == factor


def test_properties_have_sound_domains(onto):
    assert onto.value(CG.measures, RDFS.domain) == CG.Variable
    assert onto.value(CG.hasVariable, RDFS.range) == CG.Variable
    # numeric properties carry no OWL datatype range (see cubegraph.ttl header)
    for prop in (CG.importance, CG.minValue, CG.westBound, CG.missingFraction):
        assert onto.value(prop, RDFS.range) is None
    assert isinstance(onto.value(CG.variableName, RDFS.label), Literal)


def test_the_families_of_what_cubegraph_writes_are_pairwise_disjoint(onto):
    [group] = list(onto.subjects(RDF.type, OWL.AllDisjointClasses))
    members = set(Collection(onto, onto.value(group, OWL.members)))
    assert members == {CG.DataCube, CG.Variable, CG.Dimension, CG.CubeDistribution, CG.MLJob,
                       CG.InputSelection, CG.ModelRun, CG.Model, CG.Evaluation, CG.Explanation,
                       CG.Attribution, ns.SOSA.ObservableProperty}
    # Every pair has a cg: class on one side: how reused vocabularies' classes relate to
    # each other is theirs to say.
    assert sum(not str(m).startswith(CG_NS) for m in members) == 1


def test_a_job_is_a_plan_and_a_plan_an_entity_never_an_activity(onto):
    assert (CG.MLJob, RDFS.subClassOf, ns.PROV.Plan) in onto
    # PROV-O's own axioms, restated for reasoners that do not load PROV-O
    assert (ns.PROV.Plan, RDFS.subClassOf, ns.PROV.Entity) in onto
    assert (ns.PROV.Activity, OWL.disjointWith, ns.PROV.Entity) in onto


def test_record_properties_have_the_domains_their_writers_need(onto):
    assert onto.value(CG.plannedSeed, RDFS.domain) == CG.MLJob
    assert onto.value(CG.seed, RDFS.domain) == CG.ModelRun
    assert onto.value(CG.excludedCube, RDFS.domain) == CG.InputSelection
    assert onto.value(CG.excludedCube, RDFS.range) == CG.DataCube
    assert onto.value(CG.excluded, RDFS.range) == CG.Variable
    assert onto.value(CG.westBound, RDFS.domain) == CG.DataCube
    # written on distributions and on a run's usages; on attributions and planted effects
    assert onto.value(CG.fingerprint, RDFS.domain) is None
    assert onto.value(CG.attributedVariable, RDFS.domain) is None
