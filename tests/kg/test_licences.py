"""Licences read (SPDX ids from IRIs) and compared: the most restrictive of a run's inputs."""

from __future__ import annotations

import pytest

from cubegraph.api.services.licences import license_label
from cubegraph.kg.records.licences import licence_id, licence_terms, most_restrictive

SPDX = "https://spdx.org/licenses/"


@pytest.mark.parametrize("value, spdx", [
    (SPDX + "CC-BY-4.0", "CC-BY-4.0"),
    ("http://spdx.org/licenses/ODbL-1.0.html", "ODbL-1.0"),
    ("https://creativecommons.org/licenses/by-nc-sa/4.0/", "CC-BY-NC-SA-4.0"),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
    ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"),
    ("https://opendatacommons.org/licenses/odbl/1-0/", "ODbL-1.0"),
    ("CC-BY-4.0", None),  # text is not an IRI: read by licence_terms, not here
    ("Copernicus data licence", None),
])
def test_licence_id_of_iris(value, spdx):
    assert licence_id(value) == spdx


def test_the_api_label_is_the_id_or_the_text():
    assert license_label(SPDX + "CC-BY-4.0") == "CC-BY-4.0"
    assert license_label("Copernicus data licence") == "Copernicus data licence"
    assert license_label(None) == "unknown"


@pytest.mark.parametrize("value, terms", [
    ("CC0-1.0", set()),
    (SPDX + "PDDL-1.0", set()),
    (SPDX + "CC-BY-4.0", {"BY"}),
    ("cc-by-3.0-de", {"BY"}),
    ("MIT", {"BY"}),
    (SPDX + "CC-BY-SA-4.0", {"BY", "SA"}),
    ("ODbL-1.0", {"BY", "SA"}),
    (SPDX + "CC-BY-NC-4.0", {"BY", "NC"}),
    ("https://creativecommons.org/licenses/by-nc-sa/4.0/", {"BY", "NC", "SA"}),
    (SPDX + "CC-BY-NC-ND-4.0", {"BY", "NC", "ND"}),
    ("Copernicus data licence", None),
    ("https://example.org/my-licence", None),
])
def test_licence_terms(value, terms):
    assert licence_terms(value) == (None if terms is None else frozenset(terms))


@pytest.mark.parametrize("inputs, expected", [
    # the brief's order: CC0/PDDL < CC-BY < CC-BY-SA, CC-BY < CC-BY-NC < CC-BY-NC-SA
    (["CC0-1.0", SPDX + "CC-BY-4.0"], SPDX + "CC-BY-4.0"),
    ([SPDX + "PDDL-1.0", "CC0-1.0"], "CC0-1.0"),  # same terms: first by SPDX id
    ([SPDX + "CC-BY-4.0", SPDX + "CC-BY-SA-4.0", "CC0-1.0"], SPDX + "CC-BY-SA-4.0"),
    ([SPDX + "CC-BY-NC-4.0", SPDX + "CC-BY-4.0"], SPDX + "CC-BY-NC-4.0"),
    ([SPDX + "CC-BY-NC-SA-4.0", SPDX + "CC-BY-SA-4.0", SPDX + "CC-BY-NC-4.0"],
     SPDX + "CC-BY-NC-SA-4.0"),
    ([SPDX + "CC-BY-NC-ND-4.0", SPDX + "CC-BY-NC-4.0"], SPDX + "CC-BY-NC-ND-4.0"),
    # one licence in two spellings is one licence
    ([SPDX + "CC-BY-4.0", "CC-BY-4.0"], SPDX + "CC-BY-4.0"),
    (["MIT", SPDX + "CC-BY-4.0"], SPDX + "CC-BY-4.0"),  # interchangeable: first by id
    # no input licence covers the others: none rather than a wrong one
    ([SPDX + "CC-BY-SA-4.0", SPDX + "CC-BY-NC-4.0"], None),
    ([SPDX + "CC-BY-SA-4.0", "ODbL-1.0"], None),  # each share-alike wants the output
    ([SPDX + "CC-BY-4.0", None], None),  # an input without a licence: all rights reserved
    ([], None),
    # an unknown licence is the most restrictive; two different ones: none
    (["Copernicus data licence", SPDX + "CC-BY-NC-SA-4.0"], "Copernicus data licence"),
    (["Copernicus data licence", "Copernicus data licence", "CC0-1.0"], "Copernicus data licence"),
    (["Copernicus data licence", "https://example.org/other"], None),
])
def test_most_restrictive(inputs, expected):
    assert most_restrictive(inputs) == expected
    assert most_restrictive(reversed(inputs)) == expected  # the order of inputs does not matter
