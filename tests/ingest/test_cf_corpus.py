"""Every file of the CF conformance corpus ingests, in every format that can carry it, with
the description the corpus expects (issue 13): the measures, what each measures, its units,
the extents, the notes and the statements about bounds, cell measures, scalar and vertical
coordinates. The cases are in ``cf_corpus.py``; each is written here (netCDF4, zarr v2 and
v3) and ingested into a real store on disk, and the store's graph is what is compared.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from cf_corpus import CASES, NO_CRS, Case, write
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.kg.records.cube import read_cubes
from cubegraph.ontology.namespaces import CG, OA, cf_iri

FORMATS = ("netcdf4", "zarr2", "zarr3")
PARAMS = [pytest.param(case, fmt, id=f"{case.name}-{fmt}")
          for case in CASES for fmt in FORMATS if fmt == "netcdf4" or case.zarr]


def test_the_corpus_covers_each_section():
    """One file or more per CF section the issue names, each with a unique name."""
    sections = {case.section.split(" ")[1] for case in CASES if case.section.startswith("CF ")}
    assert {"2.5.1", "3.1", "3.3", "3.5", "4.1", "4.2", "4.3", "4.4", "4.4.1", "5", "5.6",
            "5.7", "7.1", "7.2", "8.1", "8.2", "9"} <= sections
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case, fmt", PARAMS)
def test_corpus_file_ingests_as_expected(store, tmp_path, case: Case, fmt: str):
    path = write(case, tmp_path, fmt)
    result = ingest_cube(store, path)
    assert result.status == "ingested", f"{case.name} ({case.section}): {result.error}"
    cube = result.cube
    g = store.graph(cube)
    expect = case.expect

    variables = {str(g.value(v, CG.variableName)): v for v in g.objects(cube, CG.hasVariable)}
    assert set(variables) == expect.measures
    for name, standard_name in expect.observables.items():
        assert g.value(variables[name], CG.measures) == cf_iri(standard_name), name
    for name, units in expect.units.items():
        got = g.value(variables[name], CG.unitsString)
        assert (None if got is None else str(got)) == units, name

    [record] = read_cubes(store, str(cube))
    assert record.bbox == expect.bbox
    period = (record.start_text, record.end_text)
    assert period == (expect.period or (None, None))

    notes = set()
    for note in g.subjects(CG.noteCode, None):
        code = str(g.value(note, CG.noteCode))
        if code == NO_CRS:
            continue
        target = g.value(note, OA.hasTarget)
        name = None if target == cube else str(target).rsplit("/", 1)[-1]
        notes.add((code, name))
    assert notes == expect.notes

    for subject, predicate, value in expect.facts:
        node = URIRef(f"{cube}/{subject}") if subject else cube
        prop = RDF.type if predicate == "type" else CG[predicate]
        got = set(g.objects(node, prop))
        if predicate == "type":
            want = CG[value]
        elif isinstance(value, str) and value.startswith("/"):
            want = URIRef(f"{cube}{value}")
        elif isinstance(value, str) and value.startswith("http"):
            want = URIRef(value)
        else:
            want = Literal(value)
        assert any(o == want or (isinstance(o, Literal) and (o.toPython() == value
                                                             or str(o) == str(value)))
                   for o in got), f"{subject} {predicate}: {sorted(got)} lacks {value!r}"


def test_docs_list_every_corpus_file_beside_its_rule():
    """docs/ingest.md's conformance table names each corpus file, and only those."""
    import re
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "ingest.md").read_text()
    table = text.split("## CF conformance", 1)[1].split("\n## ", 1)[0]
    named = {name for row in table.splitlines() if row.startswith("| ")
             for name in re.findall(r"`([a-z0-9_]+)`", row.rsplit("|", 2)[-2])}
    assert named == {case.name for case in CASES}


def test_a_variable_in_a_group_reads_as_ml_reads_it(tmp_path):
    """ml opens a group's variable by the name the catalogue gives it, with the root's
    coordinates (CF 2.7: dimensions are found in the group or above it)."""
    import numpy as np

    from cubegraph.ingest.cubes.variable import open_cube

    [case] = [c for c in CASES if c.name == "groups"]
    cube = open_cube(write(case, tmp_path, "netcdf4"))
    assert sorted(cube.data_variables) == ["analysis/tas", "forecast/tas"]
    var = cube.variable("forecast/tas")
    assert var.dims == ("lat", "lon")
    np.testing.assert_array_equal(var.read(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(var.coords["lon"], [20.0, 21.0, 22.0])
