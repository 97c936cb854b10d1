"""Namespace constants for every vocabulary cubegraph writes.

Over 400 lines: the ``CG`` class is one table of every term cubegraph names, one line each
with what it means; split, a term's declaration would no longer be one lookup away.

rdflib already ships DCAT, DCTERMS, QB, PROV, SOSA, SSN, TIME, GEO, VOID, SDO, SH, SKOS,
XSD, RDF, RDFS, OWL: they are re-exported here so the rest of the code has one import.
The vocabularies rdflib lacks are declared as closed ``DefinedNamespace`` classes
(``_fail = True``), so a misspelt term such as ``CG.Atribution`` raises ``AttributeError``
at once instead of quietly minting a wrong IRI. ``tests/ontology`` checks that every ``CG``
term below is declared in ``cubegraph.ttl`` (the shapes in ``shapes.ttl``) and the reverse.
"""

from rdflib import URIRef
from rdflib.namespace import (  # noqa: F401  (re-exported)
    DCAT,
    DCTERMS,
    GEO,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    SOSA,
    SSN,
    TIME,
    VOID,
    XSD,
    DefinedNamespace,
    Namespace,
)

#: CF standard names as NERC P07 IRIs. The IRIs end in a slash, so prefer
#: :func:`cf_iri`; ``CF["air_temperature"]`` alone would miss it.
CF = Namespace("http://vocab.nerc.ac.uk/standard_name/")


def cf_iri(standard_name: str) -> URIRef:
    """The NERC P07 IRI of a CF standard name, with its trailing slash.

    Args:
        standard_name: a current CF standard name (resolve aliases and strip modifiers
            first, see :mod:`cubegraph.ontology.cf_table`).

    Returns:
        e.g. ``http://vocab.nerc.ac.uk/standard_name/air_temperature/``.
    """
    return URIRef(f"{CF}{standard_name}/")

#: IRI of the cubegraph ontology document itself.
CG_ONTOLOGY = URIRef("https://w3id.org/cubegraph/ontology")


class MLS(DefinedNamespace):
    """ML-Schema (W3C ML Schema Community Group), http://www.w3.org/ns/mls#."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/mls#")

    Run: URIRef  # an execution of an implementation of an algorithm on data
    Model: URIRef  # the output of a run: a trained model
    ModelEvaluation: URIRef  # the value of an evaluation measure for a model
    EvaluationMeasure: URIRef  # a measure such as AUROC or RMSE
    HyperParameter: URIRef  # a prior parameter of an implementation
    HyperParameterSetting: URIRef  # the value a run gave a hyper-parameter
    Implementation: URIRef  # software that implements an algorithm
    Algorithm: URIRef  # an abstract learning algorithm
    Task: URIRef  # a learning task (classification, regression)
    Data: URIRef  # data used or produced by a run
    Dataset: URIRef  # a dataset used or produced by a run
    Feature: URIRef  # a feature (column) of a dataset
    executes: URIRef  # run -> implementation
    hasInput: URIRef  # run -> data, hyper-parameter settings
    hasOutput: URIRef  # run -> model, evaluations
    realizes: URIRef  # run -> algorithm
    achieves: URIRef  # run -> task
    implements: URIRef  # implementation -> algorithm
    hasHyperParameter: URIRef  # implementation -> hyper-parameter
    specifiedBy: URIRef  # evaluation / setting -> measure / hyper-parameter
    hasValue: URIRef  # literal value of an evaluation or setting
    defines: URIRef  # task -> dataset


class QUDT(DefinedNamespace):
    """QUDT schema, http://qudt.org/schema/qudt/."""

    _fail = True
    _NS = Namespace("http://qudt.org/schema/qudt/")

    Unit: URIRef  # a unit of measure
    unit: URIRef  # quantity / variable -> unit
    hasQuantityKind: URIRef  # variable -> quantity kind
    symbol: URIRef  # printed symbol of a unit
    ucumCode: URIRef  # UCUM code of a unit


#: QUDT unit individuals: ``UNIT["K"]``, ``UNIT["M-PER-SEC"]``.
UNIT = Namespace("http://qudt.org/vocab/unit/")


class DQV(DefinedNamespace):
    """Data Quality Vocabulary, http://www.w3.org/ns/dqv#."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/dqv#")

    QualityMeasurement: URIRef  # a measured value of a metric on a resource
    Metric: URIRef  # what is measured
    Dimension: URIRef  # a quality dimension grouping metrics
    QualityAnnotation: URIRef  # a free-form quality note
    hasQualityMeasurement: URIRef  # resource -> measurement
    computedOn: URIRef  # measurement -> resource
    isMeasurementOf: URIRef  # measurement -> metric
    value: URIRef  # the measured value
    inDimension: URIRef  # metric -> dimension


class OA(DefinedNamespace):
    """Web Annotation vocabulary, http://www.w3.org/ns/oa# (what a DQV quality note is)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")

    hasTarget: URIRef  # annotation -> the resource it is about
    bodyValue: URIRef  # annotation -> its text


class SD(DefinedNamespace):
    """SPARQL 1.1 Service Description, http://www.w3.org/ns/sparql-service-description#."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")

    Service: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    endpoint: URIRef
    supportedLanguage: URIRef
    SPARQL11Query: URIRef
    SPARQL11Update: URIRef
    resultFormat: URIRef
    feature: URIRef
    UnionDefaultGraph: URIRef
    BasicFederatedQuery: URIRef
    extensionFunction: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    namedGraph: URIRef
    name: URIRef
    graph: URIRef


class CG(DefinedNamespace):
    """The cubegraph ontology, https://w3id.org/cubegraph/ontology#.

    Only what the reused vocabularies do not name. Declared in ``ontology/cubegraph.ttl``:
    core classes and properties, the phenomenon taxonomy (classes whose instances are
    observable properties), the role classes defined by axioms, and the observable-property
    individuals CF has no standard name for (lower-case names, e.g. ``CG.coherence``; CF
    names are ``CF["air_temperature/"]``-style NERC IRIs instead). The SHACL shapes
    (``CG.VariableShape``, ...) are declared in ``ontology/shapes.ttl``.
    """

    _fail = True
    _NS = Namespace("https://w3id.org/cubegraph/ontology#")

    # --- core classes -------------------------------------------------------------------
    DataCube: URIRef  # a gridded dataset: a dcat:Dataset and a qb:DataSet
    Variable: URIRef  # a data variable of a cube (a qb:MeasureProperty of that cube)
    Dimension: URIRef  # a dimension of a cube (time, lat, lon, ...), a qb:DimensionProperty
    CubeDistribution: URIRef  # a zarr store or NetCDF file holding a cube, a dcat:Distribution
    CellBounds: URIRef  # the bounds variable of a coordinate: each cell's edges (CF 7.1)
    ClimatologyBounds: URIRef  # climatological bounds of a time coordinate (CF 7.4)
    CellMeasure: URIRef  # a cell area or volume variable (CF 7.2), not a measure of the cube
    ScalarCoordinate: URIRef  # a coordinate of one value and no dimension (CF 5.7)
    MLJob: URIRef  # a job spec: target, drivers, region, period
    Model: URIRef  # a trained model artifact, an mls:Model and prov:Entity
    ModelRun: URIRef  # one training run, an mls:Run and prov:Activity
    Evaluation: URIRef  # a metric value of a model on a split, an mls:ModelEvaluation
    Explanation: URIRef  # the explanation of a model (a set of attributions), a prov:Entity
    Attribution: URIRef  # importance of one input variable in an explanation, a prov:Entity
    InputSelection: URIRef  # the result of compiling a job into concrete inputs
    Phenomenon: URIRef  # root of the taxonomy of observed phenomena (sosa:ObservableProperty)
    Driver: URIRef  # a variable that can drive some target phenomenon
    FireDangerDriver: URIRef  # a variable measuring a fire-danger factor (by axiom)
    DroughtDriver: URIRef  # a variable measuring a drought factor (by axiom)

    # --- properties of cubes, variables, dimensions ----------------------------------------
    measures: URIRef  # variable -> observable property (CF name IRI or cg: individual)
    isAbout: URIRef  # model output variable -> observable property it predicts / attributes to
    hasVariable: URIRef  # cube -> variable
    hasDimension: URIRef  # cube or variable -> dimension
    dimensionName: URIRef  # name of a dimension in the file
    variableName: URIRef  # name of a variable in the file
    size: URIRef  # number of steps along a dimension
    minValue: URIRef  # lowest coordinate value of a dimension / statistic of a variable
    maxValue: URIRef  # highest coordinate value of a dimension / statistic of a variable
    meanValue: URIRef  # mean of a variable's values (with --stats)
    missingFraction: URIRef  # fraction of missing values of a variable (with --stats)
    resolution: URIRef  # step of a regular dimension (numeric, in the dimension's units)
    axis: URIRef  # CF axis of a dimension: "T", "X", "Y", "Z"
    calendar: URIRef  # CF calendar of a time dimension ("360_day", "noleap", ...)
    positive: URIRef  # direction of a vertical coordinate: "up" or "down" (CF 4.3)
    hasBounds: URIRef  # dimension -> its cg:CellBounds
    cellMeasure: URIRef  # variable -> its cg:CellMeasure
    measureKind: URIRef  # a cell measure's kind: "area" or "volume"
    scalarCoordinate: URIRef  # cube -> a cg:ScalarCoordinate
    arrayName: URIRef  # name of a bounds, cell measure or scalar coordinate array in the file
    value: URIRef  # the one value of a scalar coordinate (number or date-time)
    unitsString: URIRef  # the raw CF units string, kept always
    standardName: URIRef  # the raw CF standard_name attribute, kept always
    dtype: URIRef  # numpy dtype of a variable
    shape: URIRef  # shape of a variable, e.g. "365,120,160"
    chunks: URIRef  # chunk shape of a variable
    fillValue: URIRef  # _FillValue / missing_value
    crs: URIRef  # coordinate reference system (WKT or EPSG IRI) of a cube
    westBound: URIRef  # numeric bounds of the spatial extent (degrees east / north)
    eastBound: URIRef
    southBound: URIRef
    northBound: URIRef
    fingerprint: URIRef  # content fingerprint of a distribution, or of a cube as a run used it
    fingerprintAlgorithm: URIRef  # how the fingerprint was computed
    contentDigest: URIRef  # root of a hash tree over every stored byte (kg/records/content.py)
    contentAlgorithm: URIRef  # how the content digest was computed
    contentManifest: URIRef  # the digest's leaves as JSON: part -> chunk or range -> sha256
    checksumLevel: URIRef  # "content" or "metadata": what was hashed at ingest
    dataRootPath: URIRef  # a recorded file's path relative to the declared data root
    conventions: URIRef  # the Conventions attribute (e.g. "CF-1.8")
    sourcePath: URIRef  # absolute local path a cube was ingested from
    revisionOf: URIRef  # new description -> fingerprint it replaced (a dct:isVersionOf aid)
    ingestWarning: URIRef  # deprecated: a note's text, before notes were DQV annotations
    noteCode: URIRef  # the kind of an ingest note (a DQV quality annotation)
    TruncatedResult: URIRef  # what a query result cut at the server's row cap links to
    textMatch: URIRef  # SPARQL function: every word of its second argument is in its first
    queryTimeout: URIRef  # a SPARQL service's deadline for one query, in seconds
    maxResultRows: URIRef  # the rows (or triples) a SPARQL service returns at most
    maxRequestBytes: URIRef  # the largest request body or query text a service accepts
    queryMemoryLimit: URIRef  # the memory one query may use on a service, in MB

    # --- CMIP6 global attributes of a cube (the DRS facets; docs/ingest.md) ---------------
    cmipAttribute: URIRef  # parent of the properties below (skos:notation: the attribute)
    mipEra: URIRef  # mip_era, e.g. "CMIP6"
    activityId: URIRef  # activity_id, one value per activity ("CMIP", "ScenarioMIP")
    institutionId: URIRef  # institution_id, e.g. "AWI"
    sourceId: URIRef  # source_id (the model), e.g. "AWI-CM-1-1-MR"
    experimentId: URIRef  # experiment_id, e.g. "historical"
    subExperimentId: URIRef  # sub_experiment_id, e.g. "none", "s1960"
    variantLabel: URIRef  # variant_label, e.g. "r1i1p1f1"
    memberId: URIRef  # member_id: [sub_experiment_id-]variant_label
    tableId: URIRef  # table_id (the MIP table), e.g. "Amon"
    variableId: URIRef  # variable_id, e.g. "ta"
    gridLabel: URIRef  # grid_label, e.g. "gn"
    frequency: URIRef  # frequency, e.g. "mon"
    realm: URIRef  # realm, one value per realm ("atmos", "ocean")
    trackingId: URIRef  # tracking_id, the file's handle ("hdl:21.14100/...")

    # --- ML jobs, runs, explanations --------------------------------------------------------
    target: URIRef  # job / run -> target variable or phenomenon
    driverClass: URIRef  # job -> class of drivers to select
    selected: URIRef  # selection -> chosen variable
    excluded: URIRef  # selection -> refused variable
    excludedCube: URIRef  # selection -> cube whose candidates were all refused
    reason: URIRef  # why a variable was selected or excluded
    selectionQuery: URIRef  # the SPARQL text a selection ran
    jobSpec: URIRef  # the job spec text (JSON) of a run
    split: URIRef  # evaluation -> "train" / "validation" / "test"
    baselineOf: URIRef  # evaluation of a baseline -> evaluation it stands beside
    baseline: URIRef  # run -> baseline name (e.g. "fwi-logistic")
    seed: URIRef  # random seed of a run
    plannedSeed: URIRef  # random seed a job gives its runs
    status: URIRef  # "succeeded" / "failed"
    errorMessage: URIRef  # why a failed run failed
    host: URIRef  # host name a run ran on
    softwareVersion: URIRef  # cubegraph version that wrote a description or run
    sha256: URIRef  # sha256 of a file (model artifact)
    byteSize: URIRef  # size in bytes (where dcat:byteSize does not apply)
    hasAttribution: URIRef  # explanation -> attribution
    attributedVariable: URIRef  # attribution (or planted effect) -> variable
    method: URIRef  # attribution -> method name ("shap.GradientExplainer")
    importance: URIRef  # mean |SHAP| of a variable
    rank: URIRef  # 1 = most important
    effectSign: URIRef  # +1 / -1: direction of effect

    # --- demo ground truth --------------------------------------------------------------------
    plantedEffect: URIRef  # demo cube -> a planted effect (ground truth)
    effectStrength: URIRef  # planted coefficient of a driver
    effectLag: URIRef  # planted lag in time steps
    isDistractor: URIRef  # true for demo variables that drive nothing
    # --- phenomenon taxonomy (classes; instances are observable properties) ---------------
    Vegetation: URIRef  # vegetation
    NDVI: URIRef  # normalized difference vegetation index (under Vegetation)
    LeafAreaIndex: URIRef  # leaf area index (under Vegetation)
    FuelMoisture: URIRef  # fuel moisture (under Vegetation)
    Hydrology: URIRef  # hydrology
    SoilMoisture: URIRef  # soil moisture (under Hydrology)
    Evapotranspiration: URIRef  # evapotranspiration (under Hydrology)
    Precipitation: URIRef  # precipitation (under Hydrology)
    Thermal: URIRef  # thermal
    AirTemperature: URIRef  # air temperature (under Thermal)
    LandSurfaceTemperature: URIRef  # land surface temperature (under Thermal)
    Atmosphere: URIRef  # atmosphere
    Humidity: URIRef  # humidity (under Atmosphere)
    Wind: URIRef  # wind (under Atmosphere)
    Pressure: URIRef  # air pressure (under Atmosphere)
    Radiation: URIRef  # radiation (under Atmosphere)
    AtmosphericComposition: URIRef  # atmospheric composition (under Atmosphere)
    CarbonMonoxide: URIRef  # carbon monoxide (under AtmosphericComposition)
    NitrogenDioxide: URIRef  # nitrogen dioxide (under AtmosphericComposition)
    Ozone: URIRef  # ozone (under AtmosphericComposition)
    SulfurDioxide: URIRef  # sulfur dioxide (under AtmosphericComposition)
    Methane: URIRef  # methane (under AtmosphericComposition)
    Fire: URIRef  # fire
    FireDangerIndex: URIRef  # fire danger index (under Fire)
    FireWeatherIndex: URIRef  # fire weather index (under FireDangerIndex)
    BurnedArea: URIRef  # burned area (under Fire)
    ActiveFire: URIRef  # active fire (under Fire)
    Human: URIRef  # human factors
    PopulationDensity: URIRef  # population density (under Human)
    RoadDensity: URIRef  # road density (under Human)
    Tourism: URIRef  # tourism (under Human)
    Terrain: URIRef  # terrain
    Elevation: URIRef  # elevation (under Terrain)
    Slope: URIRef  # slope (under Terrain)
    Aspect: URIRef  # aspect (under Terrain)
    InSAR: URIRef  # InSAR
    InterferometricPhase: URIRef  # interferometric phase (under InSAR)
    Coherence: URIRef  # interferometric coherence (under InSAR)
    GroundDisplacement: URIRef  # ground displacement (under InSAR)
    ThermalComfort: URIRef  # thermal comfort
    UTCI: URIRef  # universal thermal climate index (under ThermalComfort)
    MeanRadiantTemperature: URIRef  # mean radiant temperature (under ThermalComfort)
    HeatStressIndex: URIRef  # heat stress index (under ThermalComfort)
    LandCover: URIRef  # land cover

    # --- roles: factor groups of phenomena, and driver classes of variables (by axiom) ---
    FireDangerFactor: URIRef  # fire-danger factor: FuelMoisture, AirTemperature, Humidity, Wind, ...
    DroughtFactor: URIRef  # drought factor: Precipitation, SoilMoisture, AirTemperature, LandSurfaceTemperature, ...
    VolcanicUnrestFactor: URIRef  # volcanic-unrest factor: InterferometricPhase, Coherence, GroundDisplacement
    ThermalComfortFactor: URIRef  # thermal-comfort factor: AirTemperature, Humidity, Wind, Radiation, ...
    FireOccurrence: URIRef  # fire occurrence: ActiveFire, BurnedArea
    DroughtImpact: URIRef  # drought impact: NDVI, LeafAreaIndex
    VolcanicUnrestDriver: URIRef  # a variable measuring a VolcanicUnrestFactor
    ThermalComfortDriver: URIRef  # a variable measuring a ThermalComfortFactor

    # --- observable-property individuals CF has no standard name for ----------------------
    dead_fuel_moisture: URIRef  # dead fuel moisture, a FuelMoisture
    live_fuel_moisture: URIRef  # live fuel moisture, a FuelMoisture
    active_fire: URIRef  # active fire, an ActiveFire
    population_density: URIRef  # population density, a PopulationDensity
    road_density: URIRef  # road density, a RoadDensity
    visitors: URIRef  # visitor count, a Tourism
    interferometric_phase: URIRef  # interferometric phase, an InterferometricPhase
    coherence: URIRef  # interferometric coherence, a Coherence
    ground_displacement: URIRef  # ground displacement, a GroundDisplacement
    mean_radiant_temperature: URIRef  # mean radiant temperature, a MeanRadiantTemperature

    # --- SHACL shapes (declared in shapes.ttl, not cubegraph.ttl) ---------------------------
    CubeShape: URIRef  # what a cg:DataCube description must state
    VariableShape: URIRef  # what a cg:Variable must state (units required)
    DimensionShape: URIRef  # what a cg:Dimension must state
    ArrayShape: URIRef  # a named array that is not a data variable (bounds, measure, scalar)
    CellMeasureShape: URIRef  # what a cg:CellMeasure must state
    ScalarCoordinateShape: URIRef  # what a cg:ScalarCoordinate must state
    DistributionShape: URIRef  # a distribution needs a fingerprint
    PeriodShape: URIRef  # dct:temporal: dcat:startDate <= dcat:endDate
    NumberShape: URIRef  # any numeric literal
    NumberOrTimeShape: URIRef  # a numeric literal or a date(-time)
    RunShape: URIRef  # what a cg:ModelRun must state
    FailedRunShape: URIRef  # a failed run needs cg:errorMessage
    EvaluationShape: URIRef  # what a cg:Evaluation must state
    AttributionShape: URIRef  # what a cg:Attribution must state


# --- the one prefix table -------------------------------------------------------------------

#: Every prefix cubegraph writes or reads, prefix -> namespace IRI: SPARQL ``PREFIX`` headers,
#: Turtle bindings, job-spec prefixed names and compact labels in the UI all come from here.
PREFIXES: dict[str, str] = {
    "cg": str(CG._NS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "qb": str(QB),
    "prov": str(PROV),
    "geo": str(GEO),
    "sosa": str(SOSA),
    "ssn": str(SSN),
    "time": str(TIME),
    "skos": str(SKOS),
    "schema": str(SDO),
    "void": str(VOID),
    "sh": str(SH),
    "mls": str(MLS._NS),
    "qudt": str(QUDT._NS),
    "unit": str(UNIT),
    "dqv": str(DQV._NS),
    "oa": str(OA._NS),
    "sd": str(SD._NS),
    "cf": str(CF),
}



def sparql_prefixes(*names: str) -> str:
    """A SPARQL ``PREFIX`` header for some prefixes of :data:`PREFIXES` (all when none is named)."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in (names or PREFIXES))


#: The ``PREFIX`` header with every prefix of :data:`PREFIXES`.
SPARQL_PREFIXES = sparql_prefixes()


def bind_prefixes(graph, *names: str):
    """Bind prefixes of :data:`PREFIXES` on an rdflib graph (all of them when none is named).

    Returns:
        ``graph``, for chaining.
    """
    for prefix in names or PREFIXES:
        graph.bind(prefix, PREFIXES[prefix], override=True)
    return graph


def curie(iri: str) -> str:
    """``cg:DataCube`` for a term of a known namespace, else ``<iri>``."""
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (a trailing ``/`` or ``#`` ignored)."""
    text = str(iri).rstrip("/#")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
