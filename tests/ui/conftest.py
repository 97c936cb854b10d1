"""Fixtures of the web UI's tests: a world of demo cubes and one recorded run (``ui_world``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The tests import the world's constants (IRIs, the escaping probe) from ui_world.
sys.path.insert(0, str(Path(__file__).parent))

from ui_world import build_world  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """A fresh world per test module (a browser test changes a source file in it)."""
    return build_world(tmp_path_factory.mktemp("ui-world"))
