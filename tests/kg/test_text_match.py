"""Free-text matching inside SPARQL (issue 14): cg:textMatch(?text, "words") follows the rule
of discovery's free-text search, on the embedded store (CLI, server workers, Python)."""

from __future__ import annotations

import pytest

from cubegraph.api.services.search_params import tokenize
from cubegraph.kg import open_store
from cubegraph.kg.text_match import matches, words

TITLES = {"http://x/a": "Daily fire danger in Greece (2020-2022)",
          "http://x/b": "Drought impact, East Africa",
          "http://x/c": "Greek islands: tourism"}
PREFIX = "PREFIX cg: <https://w3id.org/cubegraph/ontology#> "


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store")
    s.update("INSERT DATA { GRAPH <http://x/g> { " + " ".join(
        f'<{k}> <http://purl.org/dc/terms/title> "{v}" .' for k, v in TITLES.items()) + " } }")
    yield s
    s.close()


@pytest.mark.parametrize("text", ["fire greece", "The danger of FIRE", "africa, drought",
                                  "greek", "tourism in the islands", "2020"])
def test_sparql_and_discovery_match_the_same_titles(store, text):
    rows = store.query(PREFIX + "SELECT ?s ?q WHERE { ?s <http://purl.org/dc/terms/title> ?t "
                       "FILTER(cg:textMatch(?t, ?q)) } ORDER BY ?s", bindings={"q": text})
    by_sparql = [str(r["s"]) for r in rows]
    by_rule = sorted(k for k, v in TITLES.items() if matches(v, tokenize(text)))
    assert by_sparql == by_rule and by_rule  # the same rule, and it finds something


def test_words_drop_function_words_and_punctuation():
    assert words("The (fire) danger, of Greece!") == ["fire", "danger", "greece"]
    assert words("of the") == []


def test_a_text_with_no_words_matches_nothing(store):
    rows = store.query(PREFIX + "SELECT ?s WHERE { ?s ?p ?t FILTER(cg:textMatch(?t, \"of the\")) }")
    assert list(rows) == []
