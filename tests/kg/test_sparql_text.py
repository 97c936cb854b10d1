"""What the store reads of a SPARQL text before the parser (issue 14). Deep nesting is
refused before the parser: pyoxigraph's parser overflows its
stack a few thousand levels down and ends the process (a query worker, or the server for an
update); the store answers a clear syntax error instead."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cubegraph.kg import open_store
from cubegraph.kg.errors import QuerySyntaxError
from cubegraph.kg.sparql_text import MAX_DEPTH, check_nesting, names_default_graph

DEEP = "SELECT * WHERE { FILTER(" + "(" * 20_000 + "1" + ")" * 20_000 + ") }"


def test_a_deep_query_and_update_are_refused_with_a_syntax_error(tmp_path):
    with open_store(tmp_path / "store") as store:
        with pytest.raises(QuerySyntaxError, match="more than 200 levels deep"):
            store.query(DEEP)
        with pytest.raises(QuerySyntaxError, match="update nests"):
            store.update("INSERT { <a:s> <a:p> 1 } WHERE " + "{" * 5000 + "}" * 5000)


def test_without_the_check_the_parser_ends_the_process():
    """The limit protects against a real crash (so the test above cannot pass by luck)."""
    code = ("import pyoxigraph as ox; q = " + repr(DEEP) + "\n"
            "try:\n    list(ox.Store().query(q))\nexcept Exception:\n    pass\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode < 0 or proc.returncode > 128  # killed by a signal (stack overflow)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p \"" + "{" * 500 + "\" }",             # brackets in a string
    "SELECT * WHERE { ?s ?p '''" + "(" * 500 + "''' }",           # in a long string
    "SELECT * WHERE { ?s ?p ?o } # " + "[" * 500,                 # in a comment
    "SELECT * WHERE { ?s <http://x/" + "(" * 500 + "> ?o }",      # in an IRI
    "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * 500 + "{ ?s ?p ?o } }",  # wide, not deep
    "SELECT * WHERE " + "{" * MAX_DEPTH + " ?s ?p ?o " + "}" * MAX_DEPTH,  # at the limit
])
def test_what_only_looks_deep_is_allowed(text):
    check_nesting(text)


def test_one_level_past_the_limit_is_refused():
    with pytest.raises(QuerySyntaxError, match="line 1"):
        check_nesting("SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))


# --- FROM: the query's own default graph --------------------------------------------------

@pytest.mark.parametrize("text, named", [
    ("SELECT ?s FROM <http://g/1> WHERE { ?s ?p ?o }", True),
    ("select ?s from<http://g/1> where { ?s ?p ?o }", True),
    ("PREFIX g: <http://g/> SELECT ?s FROM g:1 WHERE { ?s ?p ?o }", True),
    ("SELECT ?s FROM NAMED <http://g/1> WHERE { GRAPH ?g { ?s ?p ?o } }", False),
    ("SELECT ?from WHERE { ?s <http://x/derivedFrom> ?from }", False),
    ("SELECT ?s WHERE { ?s ?p \"FROM <http://g/1>\" } # FROM <http://g/2>", False),
    ("SELECT ?s WHERE { ?s prov:wasDerivedFrom ?o }", False),
])
def test_a_from_clause_is_told_from_words_that_only_look_like_one(text, named):
    assert names_default_graph(text) is named


def test_from_names_the_default_graph_and_is_not_the_union(tmp_path):
    """SPARQL 1.1, 13.2: FROM <g1> makes g1 the default graph (it was ignored: the union)."""
    with open_store(tmp_path / "store") as store:
        store.update("INSERT DATA { GRAPH <http://g/1> { <http://x/a> <http://x/p> 1 } "
                     "GRAPH <http://g/2> { <http://x/b> <http://x/p> 2 } }")
        rows = store.query("SELECT ?s FROM <http://g/1> WHERE { ?s ?p ?o }")
        assert [str(r["s"]) for r in rows] == ["http://x/a"]
        rows = store.query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
        assert [str(r["s"]) for r in rows] == ["http://x/a", "http://x/b"]  # no FROM: the union


def test_relative_iris_resolve_against_the_store_s_base(tmp_path):
    """Relative IRIs in an update were refused ("expected GRAPH"); they resolve against the
    base IRI the store mints its own IRIs under, in updates and queries alike."""
    with open_store(tmp_path / "store", base_iri="http://base.example/") as store:
        store.update("INSERT DATA { GRAPH <graph/rel> { <thing> <p> 1 } }")
        rows = store.query("SELECT ?s WHERE { GRAPH <graph/rel> { ?s <p> ?o } }")
        assert [str(r["s"]) for r in rows] == ["http://base.example/thing"]


def test_using_clauses_go_before_each_operation_s_where_and_nowhere_else():
    from cubegraph.kg.sparql_text import with_using

    update = ("PREFIX ex: <http://x/where/> # a WHERE in a comment\n"
              "delete { ?s ex:where 'WHERE' } insert { ?s ?p ?where } "
              "where { { SELECT ?s WHERE { ?s ?p ?o } } ?s ?p ?o } ;\n"
              "INSERT DATA { <http://x/a> <http://x/b> \"\"\"WHERE\"\"\" } ;\n"
              "DELETE WHERE { GRAPH ?g { ?s ex:p ?o } }")
    out = with_using(update, ["http://g/1"], ["http://g/n"])
    using = "USING <http://g/1> USING NAMED <http://g/n>"
    assert out.count(using) == 2
    assert f"insert {{ ?s ?p ?where }} {using} where {{ {{ SELECT ?s WHERE" in out
    assert out.endswith(f"DELETE {{ GRAPH ?g {{ ?s ex:p ?o }} }} {using} WHERE {{ GRAPH ?g {{ ?s ex:p ?o }} }}")
    assert with_using(update, None, None) == update == with_using(update, (), ())
    import pyoxigraph

    pyoxigraph.Store().update(out)  # what it writes parses


@pytest.mark.parametrize("update", ["WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                    "INSERT { ?s ?p 1 } USING <http://g> WHERE { ?s ?p ?o }"])
def test_using_parameters_beside_the_update_s_own_dataset_are_refused(update):
    from cubegraph.kg.sparql_text import with_using

    with pytest.raises(QuerySyntaxError, match="allows one or the other"):
        with_using(update, ["http://g/1"], None)


def test_an_escaped_character_of_a_prefixed_name_starts_no_comment():
    """ex:p\\# is a prefixed name (its local part escapes '#'): the rest of its line is
    SPARQL, not a comment, for every scan of the text."""
    from cubegraph.kg.sparql_text import evaluates_patterns, with_using

    update = "PREFIX ex: <http://x/> DELETE { ?s ex:p\\# ?o } WHERE { ?s ?p ?o }"
    assert evaluates_patterns(update)
    assert "USING <http://g/1> WHERE" in with_using(update, ["http://g/1"], None)
    assert names_default_graph("PREFIX ex: <http://x/> SELECT * FROM <http://g> WHERE { ?s ex:a\\# ?o }")
