"""What a model's output cube inherits from its run: the rules, and the cube writer writing them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib import namespace as ns

from cubegraph.kg.iris import Iris
from cubegraph.kg.records.cube import CubeRecord, describe_cube
from cubegraph.kg.records.cube_metadata import CubeMetadata, VariableMetadata
from cubegraph.kg.records.inheritance import Inherited, inherit, overlap_box, overlap_period
from cubegraph.ontology.namespaces import CG

SPDX = "https://spdx.org/licenses/"
NERC = "http://vocab.nerc.ac.uk/standard_name/"


def cube(iri, bbox=None, start=None, end=None, license=None) -> CubeRecord:
    day = dt.datetime.fromisoformat
    return CubeRecord(iri, bbox=bbox, license=license, start=day(start) if start else None,
                      end=day(end) if end else None)


@pytest.mark.parametrize("boxes, expected", [
    ([(20, 35, 30, 42), (22, 30, 35, 40)], (22, 35, 30, 40)),
    ([(20, 35, 30, 42), None], (20, 35, 30, 42)),  # unknown extents are skipped
    ([None, None], None),
    ([(20, 35, 30, 42), (31, 35, 40, 42)], None),  # apart in longitude
    ([(20, 35, 30, 42), (20, 43, 30, 50)], None),  # apart in latitude
    # across the antimeridian (west > east)
    ([(170, -20, -170, -10), (175, -30, 180, 0)], (175, -20, 180, -10)),
    ([(170, -20, -170, -10), (-175, -30, -160, 0)], (-175, -20, -170, -10)),
    ([(170, -20, -170, -10), (175, -25, -175, -15)], (175, -20, -175, -15)),
    ([(170, -20, -170, -10), (-179, -20, 179, -10)], None),  # two pieces, not one box
])
def test_overlap_box(boxes, expected):
    assert overlap_box(boxes) == (tuple(map(float, expected)) if expected else None)


def test_overlap_period_skips_cubes_without_one():
    cubes = [cube("a", start="2020-01-01T00:00:00", end="2022-12-31T00:00:00"),
             cube("b", start="2021-01-01T00:00:00", end="2023-06-30T00:00:00"),
             cube("static")]
    assert overlap_period(cubes) == ("2021-01-01T00:00:00Z", "2022-12-31T00:00:00Z")
    assert overlap_period([cube("static")]) == (None, None)
    assert overlap_period([cube("a", start="2020-01-01T00:00:00", end="2020-02-01T00:00:00"),
                           cube("b", start="2021-01-01T00:00:00", end="2021-02-01T00:00:00")]) \
        == (None, None)


def test_inherit_takes_the_overlap_the_strictest_licence_and_the_run():
    target = cube("t", (20, 35, 30, 42), "2020-01-01T00:00:00", "2022-12-31T00:00:00", SPDX + "CC-BY-4.0")
    inputs = [cube("i", (22, 30, 35, 40), "2019-01-01T00:00:00", "2022-06-30T00:00:00", SPDX + "CC-BY-SA-4.0"),
              cube("static", (0, 0, 50, 50), license="CC0-1.0"), target]
    got = inherit(target, inputs, creator="cubegraph 1.0 (run r)", created="2024-05-01T10:00:00Z",
                  about={"fire_predicted": NERC + "x"})
    assert got.bbox == (22, 35, 30, 40)
    assert (got.time_start, got.time_end) == ("2020-01-01T00:00:00Z", "2022-06-30T00:00:00Z")
    assert got.license == SPDX + "CC-BY-SA-4.0"
    assert (got.creator, got.created) == ("cubegraph 1.0 (run r)", "2024-05-01T10:00:00Z")
    assert got.sources == ("t", "i", "static")  # the target once, first
    # an overlap that is no box falls back on the target's extent (the outputs' grid)
    far = cube("far", (100, 35, 110, 42))
    assert inherit(target, [far]).bbox == target.bbox
    # an input without a licence leaves the output with none
    assert inherit(target, [cube("unlicensed")]).license is None


def metadata(path: Path, **kw) -> CubeMetadata:
    return CubeMetadata(path=path, format="zarr", format_version="3",
                        media_type="application/vnd+zarr", byte_size=1, fingerprint="f" * 64,
                        fingerprint_algorithm="test", **kw)


def output_meta(path: Path) -> CubeMetadata:
    """An output cube as its reader sees it: a time axis, no lat/lon, no licence or creator."""
    meta = metadata(path, attrs={"title": "Predictions of run r"},
                    time_start="2020-01-02T00:00:00", time_end="2022-12-31T00:00:00",
                    variables=[VariableMetadata("fire_predicted", ("time", "y", "x"), (3, 2, 2), "float32"),
                               VariableMetadata("split", ("time", "y", "x"), (3, 2, 2), "int8")])
    meta.warn("no-spatial-extent", "no latitude/longitude coordinates: no spatial extent")
    return meta


INHERITED = Inherited(bbox=(21.5, 39.19, 21.81, 39.5), time_start="2019-01-01T00:00:00",
                      time_end="2023-01-01T00:00:00", license=SPDX + "CC-BY-4.0",
                      creator="cubegraph 1.0 (run r of job j)", created="2024-05-01T10:00:00Z",
                      about={"fire_predicted": NERC + "x", "absent": NERC + "y"},
                      sources=("http://t.example/cube/t",))


def test_fill_puts_in_what_the_file_lacks_and_the_writer_writes_it(tmp_path):
    meta = INHERITED.fill(output_meta(tmp_path / "r_predictions.zarr"))
    assert meta.bbox == INHERITED.bbox
    # the file's own time axis (the target's time) wins over the inputs' overlap
    assert (meta.time_start, meta.time_end) == ("2020-01-02T00:00:00", "2022-12-31T00:00:00")
    assert (meta.license, meta.creator, meta.created) == (
        SPDX + "CC-BY-4.0", "cubegraph 1.0 (run r of job j)", "2024-05-01T10:00:00Z")
    assert [w.code for w in meta.warnings] == ["extent-inherited"]
    assert [v.about for v in meta.variables] == [NERC + "x", None]

    iris = Iris("http://t.example/")
    g = describe_cube(meta, iris, slug="r", ingested_at="2024-05-01T10:01:00Z")
    c = iris.cube("r")
    assert g.value(c, ns.DCTERMS.license) == URIRef(SPDX + "CC-BY-4.0")
    assert g.value(c, ns.DCTERMS.created) == Literal("2024-05-01T10:00:00Z", datatype=ns.XSD.dateTime)
    assert str(g.value(g.value(c, ns.DCTERMS.creator), ns.RDFS.label)) \
        == "cubegraph 1.0 (run r of job j)"
    assert [float(g.value(c, p)) for p in (CG.westBound, CG.southBound, CG.eastBound, CG.northBound)] \
        == [21.5, 39.19, 21.81, 39.5]
    assert g.value(iris.variable("r", "fire_predicted"), CG.isAbout) == URIRef(NERC + "x")
    assert not list(g.triples((None, CG.measures, None)))  # about, never measures


def test_what_the_file_states_wins(tmp_path):
    meta = metadata(tmp_path / "x.zarr", attrs={"license": "CC0-1.0", "creator_name": "ESA"},
                    bbox=(0.0, 0.0, 1.0, 1.0), time_start="2020-01-01T00:00:00",
                    variables=[VariableMetadata("fire_predicted", ("time",), (3,), "float32",
                                                observable=NERC + "measured")])
    INHERITED.fill(meta)
    assert meta.bbox == (0.0, 0.0, 1.0, 1.0)
    assert (meta.time_start, meta.time_end) == ("2020-01-01T00:00:00", None)
    assert (meta.license, meta.creator) == ("CC0-1.0", "ESA")
    assert meta.created == "2024-05-01T10:00:00Z"  # a file's date_created is not read
    assert meta.variables[0].about is None  # it measures something: nothing to be about
    assert meta.warnings == []
    # a file with no time at all takes the overlap of the inputs' periods, and says so
    timeless = metadata(tmp_path / "y.zarr")
    INHERITED.fill(timeless)
    assert (timeless.time_start, timeless.time_end) == ("2019-01-01T00:00:00", "2023-01-01T00:00:00")
    assert [w.code for w in timeless.warnings] == ["extent-inherited", "period-inherited"]


def test_a_licence_given_as_text_is_read_back_and_inherited_as_text(tmp_path):
    from cubegraph.kg import open_store
    from cubegraph.kg.records.cube import read_cubes

    iris = Iris("http://t.example/")
    source = metadata(tmp_path / "s.zarr", attrs={"license": "Copernicus data licence"},
                      bbox=(20.0, 35.0, 30.0, 42.0))
    with open_store(None, base_iri=iris.base) as store:
        store.replace_graph(iris.cube("s"), describe_cube(source, iris, slug="s",
                                                          ingested_at="2024-01-01T00:00:00Z"))
        [record] = read_cubes(store, str(iris.cube("s")))
    assert record.license == "Copernicus data licence"  # the document's label, not a blank node
    out = inherit(record).fill(output_meta(tmp_path / "r.zarr"))
    g = describe_cube(out, iris, slug="r", ingested_at="2024-01-01T00:00:00Z")
    doc = g.value(iris.cube("r"), ns.DCTERMS.license)
    assert str(g.value(doc, ns.RDFS.label)) == "Copernicus data licence"
    assert out.bbox == (20.0, 35.0, 30.0, 42.0)
