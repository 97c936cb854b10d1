"""Deep nesting is refused before the parser (issue 14): pyoxigraph's parser overflows its
stack a few thousand levels down and ends the process (a query worker, or the server for an
update); the store answers a clear syntax error instead."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cubegraph.kg import open_store
from cubegraph.kg.errors import QuerySyntaxError
from cubegraph.kg.nesting import MAX_DEPTH, check_nesting

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
