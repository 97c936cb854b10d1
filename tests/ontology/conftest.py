"""Fixtures shared by the ontology tests: the real CF table XML (skipped when absent)."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cubegraph.ontology.build_cf_json import CF_XML_NAME
from tests_support import REAL_DATA

CF_XML = REAL_DATA / CF_XML_NAME
XCLIM_YML = REAL_DATA / "xclim-variables.yml"


@pytest.fixture(scope="session")
def cf_xml_path() -> Path:
    if not CF_XML.is_file():
        pytest.skip(f"official CF table XML not present at {CF_XML}")
    return CF_XML


@pytest.fixture(scope="session")
def cf_xml_entries(cf_xml_path) -> set[str]:
    root = ET.parse(cf_xml_path).getroot()
    return {entry.attrib["id"] for entry in root.iter("entry")}


@pytest.fixture(scope="session")
def xclim_variables() -> dict:
    if not XCLIM_YML.is_file():
        pytest.skip(f"xclim variables.yml not present at {XCLIM_YML}")
    import yaml

    return yaml.safe_load(XCLIM_YML.read_text(encoding="utf-8"))["variables"]
