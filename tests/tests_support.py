"""Helpers shared by tests (importable as ``tests_support`` thanks to conftest's path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cubegraph.config import load_settings

#: The write token the server tests configure.
SERVER_TOKEN = "test-token-3f9a"

REPO = Path(__file__).resolve().parents[1]
#: Real CF files written by others (read-only; see its README): the ``real_data`` setting.
REAL_DATA = Path(load_settings().real_data)


def run_cli(*args: str, cwd: Path, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``cubegraph`` console script in a subprocess (no inherited store)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CUBEGRAPH_")}
    full_env.update(env or {})
    exe = Path(sys.executable).with_name("cubegraph")
    return subprocess.run([str(exe), *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Client:
    """Raw HTTP (urllib) against a running server."""

    def __init__(self, url: str):
        self.url = url

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: dict | None = None, params: dict | list | None = None) -> Reply:
        url = self.url + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def query(self, sparql: str, accept: str | None = None, **params) -> Reply:
        headers = {"Accept": accept} if accept else {}
        return self.get("sparql", params={"query": sparql, **params}, headers=headers)

    def update(self, sparql: str, token: str | None = SERVER_TOKEN, path: str = "sparql") -> Reply:
        headers = {"Content-Type": "application/sparql-update"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, data=sparql.encode(), headers=headers)
