"""Shared fixtures: every test works on tmp_path; nothing is written outside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cubegraph.kg import open_store

REPO = Path(__file__).resolve().parents[1]
#: Real CF files written by others (read-only); see its README.
REAL_DATA = Path(os.environ.get("CUBEGRAPH_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


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


def run_cli(*args: str, cwd: Path, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``cubegraph`` console script in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CUBEGRAPH_STORE", None) if env is None or "CUBEGRAPH_STORE" not in env else None
    exe = Path(sys.executable).with_name("cubegraph")
    return subprocess.run([str(exe), *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=timeout)
