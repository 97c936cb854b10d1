"""Reading and checking the parameters of a catalog search (pure: no store, no HTTP).

:func:`~cubegraph.api.services.search.search` calls these before it touches the store, so
a malformed parameter is refused with a message naming it and what is valid, whichever face
(HTTP, CLI, Python) sent it. The conventions (bbox as ``west,south,east,north`` with
``west > east`` crossing the antimeridian, whole-day dates, ISO 8601 durations) are those
of the search module's docstring and ``docs/discovery.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re

from cubegraph.kg.records.cube import to_datetime
from cubegraph.kg.records.phenomenon import Taxonomy
from cubegraph.kg.text_match import words
from cubegraph.ontology.namespaces import local_name
from cubegraph.api.services.errors import InvalidSearch, UnknownPhenomenon

__all__ = ["parse_bbox", "parse_date", "parse_duration", "parse_resolution", "tokenize",
           "resolve_phenomenon", "check_paging", "lon_pieces", "MAX_PAGE_SIZE"]

MAX_PAGE_SIZE = 500
MAX_TEXT = 500
MAX_TOKENS = 16


#: Words people write for common temporal resolutions.
RESOLUTION_ALIASES = {"hourly": "PT1H", "daily": "P1D", "weekly": "P1W", "monthly": "P1M",
                      "yearly": "P1Y", "annual": "P1Y"}


def parse_bbox(value) -> tuple[float, float, float, float] | None:
    """Read a bbox given as ``"W,S,E,N"`` or four numbers.

    Raises:
        InvalidSearch: not four finite numbers, a longitude outside [-180, 180], a latitude
            outside [-90, 90], or south above north. (``west > east`` is allowed: the box
            crosses the antimeridian.)
    """
    if value is None or value == "":
        return None
    parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else list(value)
    if len(parts) != 4:
        raise InvalidSearch(f"bbox {value!r} must be four numbers west,south,east,north "
                            f"(got {len(parts)} values)")
    try:
        w, s, e, n = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise InvalidSearch(f"bbox {value!r} must be four numbers west,south,east,north") from None
    if not all(math.isfinite(x) for x in (w, s, e, n)):
        raise InvalidSearch(f"bbox {value!r} holds a non-finite number")
    for name, lon in (("west", w), ("east", e)):
        if not -180 <= lon <= 180:
            raise InvalidSearch(f"bbox {name} longitude {lon:g} is outside [-180, 180]")
    for name, lat in (("south", s), ("north", n)):
        if not -90 <= lat <= 90:
            raise InvalidSearch(f"bbox {name} latitude {lat:g} is outside [-90, 90]")
    if s > n:
        raise InvalidSearch(f"bbox south {s:g} is above north {n:g}: give west,south,east,north")
    return (w, s, e, n)


def parse_date(value, what: str, *, end: bool = False) -> dt.datetime | None:
    """Read an ISO 8601 date (``2019-01-01``) or date-time; ``None``/empty for no bound.

    Raises:
        InvalidSearch: when the value is not an ISO 8601 date or date-time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return to_datetime(value, end=end)
    parsed = to_datetime(str(value), end=end) if _ISO_DATE.match(str(value).strip()) else None
    if parsed is None:
        raise InvalidSearch(f"{what} {value!r} is not an ISO 8601 date (YYYY-MM-DD) "
                            "or date-time (YYYY-MM-DDThh:mm:ss)")
    return parsed


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: str) -> tuple[int, float] | None:
    """An ISO 8601 duration as ``(months, seconds)``, so ``P1D`` equals ``PT24H`` and
    ``P1Y`` equals ``P12M``; ``None`` when it is not one."""
    m = _DURATION.match(str(value).strip().upper())
    if not m:
        return None
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return int(y * 12 + mo), w * 604800 + d * 86400 + h * 3600 + mi * 60 + s


def parse_resolution(value) -> tuple[str, tuple[int, float]] | None:
    """A temporal resolution (ISO 8601 duration or a word such as ``daily``) as
    ``(duration text, (months, seconds))``; ``None``/empty for no filter.

    Raises:
        InvalidSearch: neither a duration nor a known word.
    """
    if value is None or value == "":
        return None
    text = RESOLUTION_ALIASES.get(str(value).strip().lower(), str(value).strip().upper())
    parsed = parse_duration(text)
    if parsed is None:
        raise InvalidSearch(f"resolution {value!r} is not an ISO 8601 duration such as P1D, "
                            f"PT1H or P1M (or one of {sorted(RESOLUTION_ALIASES)})")
    return text, parsed


def tokenize(text: str | None) -> list[str]:
    """Search tokens: lower-cased words, surrounding punctuation stripped, function words
    and tokens without a letter or digit dropped, duplicates removed.

    Raises:
        InvalidSearch: text longer than 500 characters, with more than 16 tokens, or with
            none (only punctuation and function words).
    """
    if text is None or not text.strip():
        return []
    if len(text) > MAX_TEXT:
        raise InvalidSearch(f"search text is {len(text)} characters long; at most {MAX_TEXT}")
    tokens = words(text)  # the one rule, shared with SPARQL's cg:textMatch
    if not tokens:
        raise InvalidSearch(f"search text {text!r} has no searchable words (only punctuation "
                            "or words such as 'the', 'of')")
    if len(tokens) > MAX_TOKENS:
        raise InvalidSearch(f"search text has {len(tokens)} words; at most {MAX_TOKENS}")
    return tokens


def resolve_phenomenon(taxonomy: Taxonomy, value: str) -> str:
    """The IRI of the phenomenon class named by ``value``: a full IRI, ``cg:NDVI``, a local
    name (``Vegetation``, any case) or a label (``leaf area index``).

    Raises:
        UnknownPhenomenon: no phenomenon class of that name; the message suggests close
            names, or says to run ``cubegraph init`` when the store holds no ontology.
    """
    text = str(value).strip()
    if not taxonomy.parents:
        raise UnknownPhenomenon(
            f"cannot resolve phenomenon {text!r}: the store holds no phenomenon taxonomy "
            "(run 'cubegraph init' to load the ontology)")
    if text in taxonomy.parents:
        return text
    if text.lower().startswith("cg:"):
        text = text[3:]
    key = text.lower().replace("_", " ").strip()
    for cls in taxonomy.parents:
        if local_name(cls).lower() == key.replace(" ", "") or taxonomy.label(cls).lower() == key:
            return cls
    names = sorted({local_name(c) for c in taxonomy.parents} - {"Phenomenon"})
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(names[:12])}, ..."
    raise UnknownPhenomenon(f"unknown phenomenon {value!r}: not a subclass of cg:Phenomenon{hint}")


def check_paging(page, page_size) -> tuple[int, int]:
    """``page`` and ``page_size`` as integers in range.

    Raises:
        InvalidSearch: not integers, a page below 1, or a page size outside 1..MAX_PAGE_SIZE.
    """
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise InvalidSearch(f"page {page!r} and page_size {page_size!r} must be integers") from None
    if page < 1:
        raise InvalidSearch(f"page {page} must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidSearch(f"page_size {page_size} must be between 1 and {MAX_PAGE_SIZE}")
    return page, page_size


# --- geometry ---------------------------------------------------------------------------

def lon_pieces(west: float, east: float) -> list[tuple[float, float]]:
    """A longitude interval as 1-2 non-wrapping pieces in [-180, 180]."""
    if east - west >= 360:
        return [(-180.0, 180.0)]
    w = ((west + 180) % 360) - 180 if not -180 <= west <= 180 else west
    e = ((east + 180) % 360) - 180 if not -180 <= east <= 180 else east
    if w <= e:
        return [(w, e)]
    return [(w, 180.0), (-180.0, e)]
