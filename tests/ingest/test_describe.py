"""describe_cube is pure: the same metadata gives exactly the expected triples."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from cubegraph.kg.records.cube import Revision, describe_cube
from cubegraph.kg.wkt import wkt_extent
from cubegraph.kg.records.cube_metadata import (
    CubeMetadata,
    DimensionMetadata,
    IngestWarning,
    PlantedEffect,
    VariableMetadata,
)
from cubegraph.kg.iris import Iris
from cubegraph.ontology.namespaces import CG, PROV

DATA = Path(__file__).parent / "data"
IRIS = Iris("http://test.example/")


def small_cube() -> CubeMetadata:
    return CubeMetadata(
        path=Path("/data/fire.zarr"),
        format="zarr",
        format_version="3",
        media_type="application/vnd+zarr",
        byte_size=1234,
        fingerprint="ab" * 32,
        fingerprint_algorithm="zarr-metadata+listing/v1",
        attrs={"title": "Fire cube", "summary": "A small cube.", "license": "CC-BY-4.0",
               "creator_name": "Jane Doe", "Conventions": "CF-1.8"},
        dimensions=[
            DimensionMetadata("time", 3, "T", "days since 2020-01-01", "time", "standard",
                              "2020-01-01T00:00:00", "2020-01-03T00:00:00", None, "P1D", True),
            DimensionMetadata("lat", 2, "Y", "degrees_north", "latitude", None, 38.0, 39.0, 1.0, None, True),
        ],
        variables=[
            VariableMetadata("fwi", ("time", "lat"), (3, 2), "float32", (3, 2), -999.0, "1",
                             "Fire Weather Index", "canadian_fire_weather_index",
                             cf_name="canadian_fire_weather_index",
                             observable="http://vocab.nerc.ac.uk/standard_name/canadian_fire_weather_index/",
                             observable_how="CF standard name 'canadian_fire_weather_index'",
                             qudt_unit="http://qudt.org/vocab/unit/UNITLESS",
                             planted=[PlantedEffect("fire", 1.2, 1)], is_distractor=False),
            VariableMetadata("fire", ("time", "lat"), (3, 2), "int8", None, None, "1", "active fire"),
            VariableMetadata("fire_7d", ("time", "lat"), (3, 2), "int16", None, None, "1",
                             derived_from=["fire"]),
        ],
        crs="http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        bbox=(21.0, 38.0, 22.5, 39.0),
        time_start="2020-01-01T00:00:00",
        time_end="2020-01-03T00:00:00",
        time_resolution="P1D",
        warnings=[IngestWarning("no-observable", "variable 'fire': none found", "fire")],
    )


def test_describe_matches_expected_turtle():
    got = describe_cube(small_cube(), IRIS, slug="fire-zarr", ingested_at="2024-05-01T12:00:00Z")
    expected = Graph().parse(DATA / "fire_cube_expected.ttl", format="turtle")
    if not isomorphic(got, expected):
        _both, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        raise AssertionError(
            "description differs from tests/ingest/data/fire_cube_expected.ttl\n"
            f"only in output:\n{only_got.serialize(format='nt')}\n"
            f"only expected:\n{only_expected.serialize(format='nt')}"
        )


def test_describe_is_deterministic():
    a = describe_cube(small_cube(), IRIS, slug="fire-zarr", ingested_at="2024-05-01T12:00:00Z")
    b = describe_cube(small_cube(), IRIS, slug="fire-zarr", ingested_at="2024-05-01T12:00:00Z")
    assert isomorphic(a, b)


def test_revision_links_to_what_it_replaced():
    old_activity = URIRef("http://test.example/cube/fire-zarr/ingest/cdcdcdcdcdcdcdcd")
    g = describe_cube(small_cube(), IRIS, slug="fire-zarr", ingested_at="2024-05-02T00:00:00Z",
                      revision=Revision("cd" * 32, old_activity))
    cube = IRIS.cube("fire-zarr")
    assert str(g.value(cube, CG.revisionOf)) == "cd" * 32
    new_activity = g.value(cube, PROV.wasGeneratedBy)
    assert g.value(new_activity, PROV.wasInformedBy) == old_activity


def test_wkt_point_for_degenerate_box():
    assert wkt_extent((1.5, 2.0, 1.5, 2.0)) == "POINT(1.5 2)"
    assert wkt_extent((0, 0, 1, 1)) == "POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))"


def test_a_content_digest_is_written_on_the_distribution_and_each_variable():
    from rdflib import Literal

    from cubegraph.kg.records.content import ContentDigest

    meta = small_cube()
    meta.content = ContentDigest("zarr-chunk-tree/v1", {
        "fwi": {"fwi/0.0": "a" * 64}, "fire": {"fire/0.0": "b" * 64},
        "(metadata)": {".zgroup": "c" * 64}}, 300)
    g = describe_cube(meta, IRIS, slug="fire-zarr", ingested_at="2024-05-01T12:00:00Z")
    dist = URIRef("http://test.example/cube/fire-zarr/distribution")
    assert g.value(dist, CG.checksumLevel) == Literal("content")
    assert g.value(dist, CG.contentDigest) == Literal(meta.content.root)
    assert g.value(dist, CG.contentAlgorithm) == Literal("zarr-chunk-tree/v1")
    assert ContentDigest.from_text(str(g.value(dist, CG.contentManifest))) == meta.content
    per_variable = {str(s).rsplit("/", 1)[-1]: str(o) for s, o in g.subject_objects(CG.contentDigest)
                    if s != dist}
    # fire_7d stored no chunk: no part, no digest of its own
    assert per_variable == {"fwi": meta.content.parts["fwi"], "fire": meta.content.parts["fire"]}
