"""Each kind of ingest note cites a rule that docs/ingest.md lists it beside."""

from __future__ import annotations

from pathlib import Path

from cubegraph.ontology.cf_rules import ACDD_DOCUMENT, CF_DOCUMENT, NOTE_RULES, rule_for

DOCS = Path(__file__).resolve().parents[2] / "docs" / "ingest.md"


def test_every_code_with_a_rule_is_in_the_docs():
    text = DOCS.read_text()
    assert [code for code in NOTE_RULES if f"`{code}`" not in text] == []


def test_every_rule_is_a_section_of_a_published_document():
    for code, rule in NOTE_RULES.items():
        assert rule.iri.startswith((CF_DOCUMENT + "#", ACDD_DOCUMENT, "https://cfconventions.org/")), code
        assert rule.label, code


def test_codes_about_cubegraph_itself_cite_nothing():
    assert rule_for("corrupt-metadata") is None
    assert rule_for("units-missing").iri.endswith("#units")
