"""Shared fixtures: every test works on tmp_path; nothing is written outside it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import tests_support`

from cubegraph.kg import open_store  # noqa: E402
from tests_support import REAL_DATA  # noqa: E402,F401


@pytest.fixture
def mem_store():
    store = open_store(None, base_iri="http://test.example/")
    yield store
    store.close()


@pytest.fixture
def disk_store(tmp_path):
    store = open_store(tmp_path / "store", base_iri="http://test.example/")
    yield store
    store.close()
