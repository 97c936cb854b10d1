"""Discovery search over hand-written cube descriptions (tests/api/data/catalog.trig)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cubegraph.api.services.search import search
from cubegraph.api.services.errors import InvalidSearch, UnknownPhenomenon
from cubegraph.api.services.search_params import parse_bbox, parse_duration, tokenize
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store

DATA = Path(__file__).parent / "data" / "catalog.trig"
EX = "http://test.example/cube/"


@pytest.fixture(scope="module")
def store():
    # Read-only in every test, so one store serves the module (the ontology load is the cost).
    s = open_store(None, base_iri="http://test.example/")
    init_store(s)
    s.load(DATA)
    yield s
    s.close()


def ids(result):
    return [h.identifier for h in result.results]


def test_vegetation_over_horn_of_africa_2019_daily_finds_ndvi_and_lai(store):
    result = search(store, phenomenon="cg:Vegetation", bbox="33,-5,52,15",
                    start="2019-01-01", end="2019-12-31", resolution="P1D")
    assert sorted(ids(result)) == ["africa-lai", "africa-ndvi"]
    assert result.total == 2
    ndvi = next(h for h in result.results if h.identifier == "africa-ndvi")
    # Only the matching variable is listed, with its phenomenon; soil moisture is not.
    assert [v["name"] for v in ndvi.variables] == ["ndvi"]
    assert ndvi.variables[0]["phenomenon"] == ["normalized difference vegetation index"]


def test_phenomenon_matches_subclasses_only(store):
    assert set(ids(search(store, phenomenon="Vegetation"))) == {
        "africa-lai", "africa-ndvi", "africa-ndvi-monthly"}
    assert ids(search(store, phenomenon="leaf area index")) == ["africa-lai"]
    assert ids(search(store, phenomenon="https://w3id.org/cubegraph/ontology#Thermal")) == ["greece-fire"]


def test_unknown_phenomenon_suggests_close_names(store):
    with pytest.raises(UnknownPhenomenon, match="did you mean Vegetation"):
        search(store, phenomenon="Vegetaton")


def test_phenomenon_needs_the_ontology():
    s = open_store(None, base_iri="http://test.example/")
    s.load(DATA)
    with pytest.raises(UnknownPhenomenon, match="cubegraph init"):
        search(s, phenomenon="Vegetation")


def test_text_ranking_title_before_variable_before_description(store):
    result = search(store, text="Vegetation")
    order = ids(result)
    assert order[0] == "africa-ndvi"  # in its title
    assert order.index("africa-lai") < order.index("brazil-tourism")  # variable > description
    assert order[-1] == "brazil-tourism"
    assert result.results[0].matched["vegetation"][-1] == "variable"


def test_text_tokens_must_all_match(store):
    assert set(ids(search(store, text="ndvi africa"))) == {"africa-ndvi", "africa-ndvi-monthly"}
    assert ids(search(store, text="ndvi greece")) == []


@pytest.mark.parametrize("text", ['"} UNION { ?s ?p ?o }', "zq' . } #", 'lai"} UNION {',
                                  "zq}}}{{{", 'a"b', "FILTER(true)", "\\u0022"])
def test_search_text_cannot_inject_sparql(store, text):
    result = search(store, text=text)
    assert result.total == 0  # quotes and braces are literal search text, never query text


def test_raw_tokens_are_bound_not_pasted(store):
    from cubegraph.api.services.search import _text_matches

    # Past the tokenizer, a token full of SPARQL syntax is still one bound literal.
    assert _text_matches(store, ['") || true || ("', '"} UNION { ?cube ?p ?o } #']) == {}
    assert "http://test.example/cube/africa-lai" in _text_matches(store, ["leaf area"])


def test_bbox_crossing_the_antimeridian(store):
    assert ids(search(store, bbox="175,-15,-175,-12")) == ["pacific-insar"]
    assert ids(search(store, bbox="-179,-15,-178,-12")) == ["pacific-insar"]
    assert ids(search(store, bbox="160,-15,165,-12")) == []


def test_period_overlap_and_open_ends(store):
    assert "greece-fire" in ids(search(store, start="2021-09-30"))
    assert "greece-fire" not in ids(search(store, start="2021-10-01"))
    assert ids(search(store, end="2018-12-31")) == ["africa-ndvi"]


def test_resolution_compares_durations_by_value(store):
    daily = set(ids(search(store, resolution="PT24H")))
    assert daily == set(ids(search(store, resolution="daily")))
    assert "africa-ndvi-monthly" not in daily
    assert ids(search(store, resolution="P1M")) == ["africa-ndvi-monthly"]


def test_facets_count_all_hits_and_paging(store):
    page1 = search(store, page_size=2)
    page3 = search(store, page_size=2, page=3)
    page9 = search(store, page_size=2, page=9)
    assert page1.total == 6 and len(page1.results) == 2 and len(page3.results) == 2
    assert page9.results == [] and page9.total == 6
    assert set(ids(page1)).isdisjoint(ids(page3))
    assert page1.facets["license"]["CC-BY-4.0"] == 4
    assert page1.facets["phenomenon"]["vegetation"] == 3
    assert page1.facets["resolution"]["P1D"] == 4
    assert page1.to_dict()["results"][0]["cube"].startswith(EX)


@pytest.mark.parametrize("kwargs, message", [
    ({"bbox": "1,2,3"}, "four numbers"),
    ({"bbox": "a,b,c,d"}, "four numbers"),
    ({"bbox": "0,-91,10,10"}, "latitude -91 is outside"),
    ({"bbox": "0,10,10,5"}, "south 10 is above north 5"),
    ({"bbox": "200,0,210,10"}, "longitude 200 is outside"),
    ({"start": "2019-13-01"}, "not an ISO 8601 date"),
    ({"start": "yesterday"}, "not an ISO 8601 date"),
    ({"start": "2020-01-01", "end": "2019-01-01"}, "inverted"),
    ({"resolution": "1 day"}, "not an ISO 8601 duration"),
    ({"page": 0}, "page 0 must be 1 or more"),
    ({"page_size": 501}, "between 1 and 500"),
    ({"page_size": 0}, "between 1 and 500"),
    ({"text": "x" * 501}, "at most 500"),
    ({"text": "}}} {{{ of the"}, "no searchable words"),
])
def test_bad_input_is_a_clear_400(store, kwargs, message):
    with pytest.raises(InvalidSearch, match=message) as info:
        search(store, **kwargs)
    assert info.value.http_status == 400


def test_helpers():
    assert parse_bbox([170, -20, -170, -10]) == (170.0, -20.0, -170.0, -10.0)
    assert parse_duration("P1D") == parse_duration("PT24H") != parse_duration("P1M")
    assert parse_duration("P") is None and parse_duration("PT") is None
    assert tokenize('The NDVI "} of Africa') == ["ndvi", "africa"]


def test_cli_search_json_and_table(tmp_path):
    from cubegraph.api.cli import main

    store_dir = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(main, ["--store", str(store_dir), "init"]).exit_code == 0
    assert runner.invoke(main, ["--store", str(store_dir), "load", str(DATA)]).exit_code == 0
    out = runner.invoke(main, ["--store", str(store_dir), "search", "--phenomenon", "Vegetation",
                               "--bbox", "33,-5,52,15", "--start", "2019-01-01", "--end",
                               "2019-12-31", "--resolution", "P1D"])
    assert out.exit_code == 0, out.output
    assert "Horn of Africa vegetation drought minicube" in out.output and "(1-2 of 2)" in out.output
    out = runner.invoke(main, ["--store", str(store_dir), "search", "--format", "json", "lai"])
    assert '"total": 1' in out.output
