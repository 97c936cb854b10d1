"""The cube noun (a package: its writer and its readers): a catalogued data cube, its dimensions, distribution and ingest history.

A cube lives in its own named graph, ``{base}cube/{slug}`` (the cube's IRI), replaced whole
on each re-ingest. Layout (``{cube}`` = ``iris.cube(slug)``)::

    {cube}               cg:DataCube, dcat:Dataset, qb:DataSet: title, description, licence,
                         creator, conventions, extents, CRS, warnings, provenance
    {cube}/dimension/x   cg:Dimension, qb:DimensionProperty: size, axis, range, resolution
    {cube}/variable/v    see :mod:`cubegraph.kg.records.variable`
    {cube}/distribution  cg:CubeDistribution, dcat:Distribution: access URL, media type,
                         size, fingerprint
    {cube}/ingest/{fp}   prov:Activity that generated the description; a re-ingest links the
                         new activity to the one it replaces (prov:wasInformedBy), and the
                         chain of earlier activities is carried forward into the new graph
"""

from cubegraph.kg.records.cube.describe import (
    Description,
    Revision,
    describe_cube,
    describe_triples,
)
from cubegraph.kg.records._sparql import to_datetime
from cubegraph.kg.records.cube.read import (
    CubeRecord,
    DistributionRecord,
    Recorded,
    cube_labels,
    cubes_matching,
    dataset_triples,
    described_cubes,
    distribution_facts,
    distribution_of,
    ingest_history,
    read_cubes,
    recorded,
    recorded_structure,
)

__all__ = ["Description", "Revision", "describe_cube", "describe_triples",
           "CubeRecord", "DistributionRecord", "Recorded", "described_cubes", "ingest_history",
           "read_cubes", "recorded", "to_datetime", "cubes_matching",
           "dataset_triples", "distribution_facts", "distribution_of", "recorded_structure",
           "cube_labels"]
