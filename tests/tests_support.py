"""Helpers shared by tests (importable as ``tests_support`` thanks to conftest's path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Real CF files written by others (read-only); see its README.
REAL_DATA = Path(os.environ.get("CUBEGRAPH_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


def run_cli(*args: str, cwd: Path, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``cubegraph`` console script in a subprocess (no inherited store)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CUBEGRAPH_")}
    full_env.update(env or {})
    exe = Path(sys.executable).with_name("cubegraph")
    return subprocess.run([str(exe), *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=timeout)
