"""Free-text matching, the same in discovery and in SPARQL.

:func:`words` splits a search text as ``/api/search`` does (lower-cased, surrounding
punctuation stripped, English function words and tokens without a letter or digit
dropped); a text *matches* when every word occurs in it, case-insensitively.

The embedded store offers that match inside SPARQL as the function ``cg:textMatch(?text, "words")``
(:data:`FUNCTIONS`, registered on every query of the embedded store): a catalog query can
filter by the text rule discovery uses, e.g.
``?cube dct:title ?t FILTER(cg:textMatch(?t, "fire danger greece"))``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

from cubegraph.ontology.namespaces import CG

__all__ = ["STOP_WORDS", "words", "matches", "FUNCTIONS", "GEOF", "GEOSPARQL_FUNCTIONS"]

#: Words that carry no meaning in a search (dropped from the text searched for).
STOP_WORDS = frozenset(
    "a an and at by for from in into of on or over the to with within during per".split()
)


def words(text: str) -> list[str]:
    """The words of a search text, in order, each once."""
    found = []
    for raw in re.split(r"[\s,;]+", text.lower()):
        token = raw.strip("\"'`()[]{}<>.!?:*&|^~=+#$%\\/")
        if token and token not in STOP_WORDS and any(ch.isalnum() for ch in token) \
                and token not in found:
            found.append(token)
    return found


def matches(text: str, wanted: list[str]) -> bool:
    """Whether every one of ``wanted`` occurs in ``text`` (case-insensitively)."""
    lower = text.lower()
    return bool(wanted) and all(w in lower for w in wanted)


@lru_cache(maxsize=1024)
def _wanted(query: str) -> tuple[str, ...]:
    return tuple(words(query))


def _text_match(text, query):
    """``cg:textMatch(?text, "words")``: true when every word of the second argument occurs
    in the first; an error (no value: the FILTER drops the row) when either is not a
    literal or the second has no words."""
    if not isinstance(text, ox.Literal) or not isinstance(query, ox.Literal):
        return None
    wanted = _wanted(query.value)
    if not wanted:
        return None
    return ox.Literal(matches(text.value, list(wanted)))


#: Functions the embedded store adds to SPARQL: IRI -> implementation.
FUNCTIONS = {ox.NamedNode(str(CG.textMatch)): _text_match}

#: GeoSPARQL 1.1 functions pyoxigraph itself evaluates (announced with cg:textMatch in a
#: service description; ``tests/server/test_service_description.py`` runs each one).
GEOF = "http://www.opengis.net/def/function/geosparql/"
GEOSPARQL_FUNCTIONS = (
    "sfContains", "sfIntersects", "sfWithin", "sfEquals", "sfDisjoint", "sfTouches",
    "sfCrosses", "sfOverlaps", "ehContains", "ehCoveredBy", "ehCovers", "ehDisjoint",
    "ehEquals", "ehInside", "ehMeet", "ehOverlap", "rcc8dc", "rcc8ec", "rcc8eq", "rcc8ntpp",
    "rcc8ntppi", "rcc8po", "rcc8tpp", "rcc8tppi", "envelope", "convexHull", "getSRID",
    "relate", "dimension", "isEmpty", "isSimple", "asGeoJSON", "centroid",
)
