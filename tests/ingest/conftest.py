"""Fixtures of the ingest tests: a store on tmp_path, the demo cubes (written once)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import ingest_helpers`

from cubegraph.ingest.demo import write_demo_data
from cubegraph.kg import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store", base_iri="http://test.example/")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, size="small", seed=42)
    return out
