"""Time extents and time coordinate ranges are written as UTC ``xsd:dateTime`` (with ``Z``),
so SPARQL compares them with any other timezoned date-time (issue 13).

A date-time without a timezone is only partially ordered against one with it (XSD 1.1,
3.3.7.4): ``"2020-01-01T00:00:00"`` vs ``"2020-01-01T00:00:00Z"`` is indeterminate, and a
SPARQL ``FILTER`` on it drops the cube.
"""

from __future__ import annotations

import datetime as dt

import cftime
from ingest_helpers import write_nc

from cubegraph.api.services.search import search
from cubegraph.ingest.cubes import read_metadata
from cubegraph.ingest.cubes.times import iso
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.kg.records.cube import read_cubes

PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX cg: <https://w3id.org/cubegraph/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def test_iso_is_utc_and_parses_back():
    text = iso(cftime.DatetimeGregorian(2020, 1, 1, 6, 30, 0))
    assert text == "2020-01-01T06:30:00Z"
    # what ml / api code does with it (Python >= 3.11 reads the Z)
    assert dt.datetime.fromisoformat(text) == dt.datetime(2020, 1, 1, 6, 30, tzinfo=dt.timezone.utc)
    assert iso(cftime.Datetime360Day(2000, 2, 30)) is None  # still: no Gregorian instant


def test_units_with_an_offset_give_the_utc_instant(tmp_path):
    # 0 days since midnight at +03:00 is 21:00 UTC the day before
    path = write_nc(tmp_path / "o.nc", time_values=(0.0, 1.0),
                    time_units="days since 2000-01-01 00:00:00 +03:00")
    meta = read_metadata(path)
    assert (meta.time_start, meta.time_end) == ("1999-12-31T21:00:00Z", "2000-01-01T21:00:00Z")


def test_sparql_compares_the_extent_with_utc_dates(store, tmp_path):
    path = write_nc(tmp_path / "a.nc")  # days 0..2 since 2020-01-01
    result = ingest_cube(store, path)
    assert result.status == "ingested"
    query = PREFIXES + """
        SELECT ?start ?end ?min WHERE {
          ?cube dct:temporal ?t . ?t dcat:startDate ?start ; dcat:endDate ?end .
          ?cube cg:hasDimension ?d . ?d cg:axis "T" ; cg:minValue ?min .
          FILTER (?start >= "2020-01-01T00:00:00Z"^^xsd:dateTime
                  && ?end <= "2020-01-03T00:00:00Z"^^xsd:dateTime
                  && ?end > "2020-01-03T02:00:00+03:00"^^xsd:dateTime
                  && ?min = "2020-01-01T00:00:00Z"^^xsd:dateTime)
        }"""
    rows = store.query(query).rows()
    assert [(r["start"].toPython(), r["end"].toPython()) for r in rows] == [
        (dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2020, 1, 3, tzinfo=dt.timezone.utc))]
    # as stored (and as the /sparql endpoint answers): the canonical UTC form, "Z"
    assert store.query(query).serialize("tsv").decode().splitlines()[1].split("\t") == [
        f'"{d}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
        for d in ("2020-01-01T00:00:00Z", "2020-01-03T00:00:00Z", "2020-01-01T00:00:00Z")]
    # run it again: the same description, nothing rewritten
    assert ingest_cube(store, path).status == "unchanged"
    assert ingest_cube(store, path, force=True).status == "replaced"
    assert len(store.query(query).rows()) == 1
    # what api and reasoning read back
    record = next(c for c in read_cubes(store) if c.iri == str(result.cube))
    assert (record.start, record.end) == (dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 3))
    assert [h.cube for h in search(store, start="2020-01-03", end="2020-02-01").results] \
        == [str(result.cube)]
    assert search(store, start="2020-01-04").results == []


def test_init_gives_an_older_stores_dates_their_utc_zone(store, tmp_path):
    from cubegraph.kg.bootstrap import init_store, old_records

    path = write_nc(tmp_path / "a.nc")
    cube = ingest_cube(store, path).cube
    # as an older cubegraph wrote it: the same dates, no timezone (built by hand: no writer
    # of them is left)
    store.update(PREFIXES + """
        DELETE { GRAPH ?g { ?s ?p ?d } } INSERT { GRAPH ?g { ?s ?p ?naive } } WHERE {
          GRAPH ?g { ?s ?p ?d } FILTER (DATATYPE(?d) = xsd:dateTime && STRENDS(STR(?d), "Z"))
          FILTER (?p != <http://www.w3.org/ns/prov#endedAtTime>)
          BIND (STRDT(SUBSTR(STR(?d), 1, 19), xsd:dateTime) AS ?naive) }""")
    in_utc = PREFIXES + """SELECT ?start WHERE { ?cube dct:temporal/dcat:startDate ?start
        FILTER (?start >= "2020-01-01T00:00:00Z"^^xsd:dateTime) }"""
    assert store.query(in_utc).rows() == []  # indeterminate: the cube is lost to the filter
    assert old_records(store)["cubes"] == 1

    init_store(store)
    assert old_records(store)["cubes"] == 0
    assert len(store.query(in_utc).rows()) == 1
    dates = store.query(PREFIXES + """SELECT ?d WHERE { GRAPH ?g {
        ?s ?p ?d FILTER (DATATYPE(?d) = xsd:dateTime) } }""").serialize("tsv").decode()
    assert dates.count('Z"^^') == 5 and '00"^^' not in dates  # period, axis range, ingest time
    assert ingest_cube(store, path).status == "unchanged" and store.graphs().count(cube) == 1
