"""Licences read and compared: their SPDX id, their terms, and which of several binds most.

A model's output is a derivative of every input it was computed from, so it can carry no
licence looser than theirs: :func:`most_restrictive` picks the input licence whose terms
include every other input licence's terms. The terms are those of the licence families a
catalogue of Earth-observation data meets:

- **public domain** (CC0, PDDL, the Public Domain Mark): no terms;
- **attribution** (CC BY, ODC-By, and permissive licences such as MIT and Apache-2.0);
- **share-alike** (CC BY-SA, ODbL): attribution, and derivatives under the same licence;
- **non-commercial** (CC BY-NC), **NC share-alike** (CC BY-NC-SA);
- **no derivatives** (CC BY-ND, CC BY-NC-ND): an output of such data is a derivative its
  licence forbids to share; the output is labelled with that licence all the same (the
  most restrictive label there is), and what may be done with it is for a person to judge.

So ``CC0 < CC-BY < CC-BY-SA``, ``CC-BY < CC-BY-NC < CC-BY-NC-SA``, and so on: a partial
order, by inclusion of terms. Where no input licence includes all the others' terms, there is
no "most restrictive" one and the output gets none, rather than a wrong one:

- share-alike and non-commercial inputs together (CC BY-SA with CC BY-NC): each lacks a term
  of the other; the combination (BY-NC-SA) is not an input's licence, and composing licences
  is not this rule's business;
- two different share-alike licences (CC BY-SA with ODbL): each wants the output under itself;
- an input with no licence at all: its data are all rights reserved;
- an **unknown** licence (one this module cannot read: free text, an IRI of another scheme)
  counts as the most restrictive, since its terms cannot be compared: the output takes it,
  unless the inputs hold two different unknown licences, and then none.

Licences with the same terms (CC-BY-4.0 and MIT) are interchangeable here; the first by SPDX
id is taken, and of one licence given both ways, its IRI: the answer does not depend on the
order of the inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["licence_id", "licence_terms", "most_restrictive", "ATTRIBUTION", "SHARE_ALIKE",
           "NON_COMMERCIAL", "NO_DERIVATIVES"]

ATTRIBUTION, SHARE_ALIKE, NON_COMMERCIAL, NO_DERIVATIVES = "BY", "SA", "NC", "ND"

_CC_IRI = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)", re.I)
_ODC_IRI = re.compile(r"opendatacommons\.org/licenses/(odbl|pddl|by)\b", re.I)
_ODC_IDS = {"odbl": "ODbL-1.0", "pddl": "PDDL-1.0", "by": "ODC-By-1.0"}
# CC BY licences by SPDX id, ported ones too (CC-BY-3.0-DE).
_CC_ID = re.compile(r"^CC-BY(-NC)?(-SA|-ND)?-\d\.\d(-[A-Z]+)?$", re.I)

_BY, _SA = frozenset({ATTRIBUTION}), frozenset({ATTRIBUTION, SHARE_ALIKE})
#: Terms of the licences that are not CC BY, by SPDX id (lower case).
_TERMS = {
    **{i.lower(): frozenset() for i in ("CC0-1.0", "PDDL-1.0", "CC-PDDC", "CC-PDM-1.0",
                                        "Unlicense")},
    **{i.lower(): _BY for i in ("ODC-By-1.0", "MIT", "Apache-2.0", "BSD-2-Clause",
                                "BSD-3-Clause", "ISC", "OGL-UK-3.0", "etalab-2.0",
                                "DL-DE-BY-2.0")},
    "odbl-1.0": _SA,
}


def licence_id(value: str | None) -> str | None:
    """The SPDX id of a licence given as an SPDX, Creative Commons or Open Data Commons IRI
    (``https://spdx.org/licenses/CC-BY-4.0`` -> ``CC-BY-4.0``), else ``None``."""
    if not value:
        return None
    text = str(value).strip()
    if "spdx.org/licenses/" in text:
        return text.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    m = _CC_IRI.search(text)
    if m:
        _kind, code, version = m.groups()
        if code == "zero":
            return f"CC0-{version}"
        if code == "mark":
            return f"CC-PDM-{version}"
        return f"CC-{code.upper()}-{version}"
    m = _ODC_IRI.search(text)
    return _ODC_IDS[m.group(1).lower()] if m else None


def licence_terms(value: str | None) -> frozenset[str] | None:
    """The terms a licence (an IRI, or an SPDX id as text) puts on derivatives: a set of
    :data:`ATTRIBUTION`, :data:`SHARE_ALIKE`, :data:`NON_COMMERCIAL`, :data:`NO_DERIVATIVES`
    (empty for the public domain); ``None`` for a licence this module cannot read."""
    spdx = licence_id(value) or (str(value).strip() if value else "")
    if not spdx:
        return None
    m = _CC_ID.match(spdx)
    if m:
        nc, sa_or_nd, _port = m.groups()
        terms = {ATTRIBUTION}
        if nc:
            terms.add(NON_COMMERCIAL)
        if sa_or_nd:
            terms.add(SHARE_ALIKE if sa_or_nd.upper() == "-SA" else NO_DERIVATIVES)
        return frozenset(terms)
    return _TERMS.get(spdx.lower())


def _key(value: str) -> str:
    """Two spellings of one licence (its IRI, its SPDX id) compare equal."""
    return (licence_id(value) or str(value).strip()).lower()


def most_restrictive(licences: Iterable[str | None]) -> str | None:
    """The input licence whose terms include every other's (rules in the module docstring),
    as given (an IRI stays that IRI); ``None`` when there is none: no inputs, an input
    without a licence, terms no single input licence covers, or two unknown licences."""
    values = list(licences)
    if not values or any(v is None or not str(v).strip() for v in values):
        return None
    distinct: dict[str, str] = {}
    for v in sorted(str(v).strip() for v in values):
        # one licence in two spellings: its IRI (machine-readable) before its id
        if _key(v) not in distinct or (v.startswith(("http://", "https://"))
                                       and not distinct[_key(v)].startswith(("http://", "https://"))):
            distinct[_key(v)] = v
    terms = {key: licence_terms(v) for key, v in distinct.items()}
    unknown = [key for key, t in terms.items() if t is None]
    if unknown:
        return distinct[unknown[0]] if len(unknown) == 1 else None
    union = frozenset().union(*terms.values())
    widest = sorted(key for key, t in terms.items() if t == union)
    if not widest or (len(widest) > 1 and SHARE_ALIKE in union):
        return None  # no input covers every term, or two share-alike licences
    return distinct[widest[0]]
