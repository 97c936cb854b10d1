"""The CLI against a remote store: ``cubegraph --store http://…/sparql ingest`` writes to a
real token-protected server over HTTP, with the token from the environment, the config file
or ``--token``, and says why (and what to do) when the token is missing or wrong."""

from __future__ import annotations

import pytest

from cubegraph.ingest.demo import write_demo_data
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from tests_support import SERVER_TOKEN, run_cli

BASE = "http://test.example/"
SLUGS = ("greece-fire-daily-zarr", "brazil-tourism-daily-nc")
#: The ontology and a cube's description are larger than the shared tests' small limit.
LIMITS = {"MAX_CONTENT_LENGTH": 16 * 1024 * 1024}


@pytest.fixture(scope="module")
def cubes(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out)
    return [out / "greece_fire_daily.zarr", out / "brazil_tourism_daily.nc"]


@pytest.fixture
def remote(start_server):
    """A fresh server with a write token; its store holds the ontology (written with it)."""
    srv, client = start_server(**LIMITS)
    with open_store(srv.url + "sparql", base_iri=BASE, token=SERVER_TOKEN) as store:
        init_store(store)
    return srv.url + "sparql", client


def ingest(url, cubes, *extra, cwd, env=None):
    return run_cli("--store", url, "--base-iri", BASE, *extra, "ingest", "-q",
                   *map(str, cubes), cwd=cwd, env=env)


def cube_graphs(client) -> list[bool]:
    return [client.query(f"ASK {{ GRAPH <{BASE}cube/{slug}> {{ ?s ?p ?o }} }}",
                         accept="application/sparql-results+json").json()["boolean"]
            for slug in SLUGS]


def failures(stdout: str) -> dict[str, str]:
    """Each failed cube's file name -> the error line under it."""
    lines = stdout.splitlines()
    return {line.split()[1].rsplit("/", 1)[-1]: lines[i + 1].strip()
            for i, line in enumerate(lines[:-1]) if line.startswith("failed ")}


def test_without_a_token_each_cube_fails_with_the_reason(remote, cubes, tmp_path):
    url, client = remote
    proc = ingest(url, cubes, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "0 ingested, 0 replaced, 0 unchanged, 2 failed" in proc.stdout
    failed = failures(proc.stdout)
    assert sorted(failed) == sorted(p.name for p in cubes)
    for reason in failed.values():
        assert "401 Unauthorized: the server needs a bearer token" in reason
        assert "set CUBEGRAPH_TOKEN" in reason
    assert cube_graphs(client) == [False, False]


def test_a_wrong_token_is_named_as_not_accepted(remote, cubes, tmp_path):
    url, client = remote
    proc = ingest(url, cubes, cwd=tmp_path, env={"CUBEGRAPH_TOKEN": "not-the-token"})
    assert proc.returncode == 1
    for reason in failures(proc.stdout).values():
        assert "403 Forbidden: the server did not accept the bearer token" in reason
    assert cube_graphs(client) == [False, False]


def test_the_token_comes_from_environment_config_file_or_flag(remote, cubes, tmp_path):
    url, client = remote
    proc = ingest(url, cubes, cwd=tmp_path, env={"CUBEGRAPH_TOKEN": SERVER_TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 ingested, 0 replaced, 0 unchanged, 0 failed" in proc.stdout
    assert cube_graphs(client) == [True, True]
    (tmp_path / "cubegraph.toml").write_text(f'token = "{SERVER_TOKEN}"\n')
    proc = run_cli("--store", url, "--base-iri", BASE, "ingest", "-q", "--force",
                   *map(str, cubes), cwd=tmp_path)
    assert "0 ingested, 2 replaced, 0 unchanged, 0 failed" in proc.stdout, proc.stdout + proc.stderr
    (tmp_path / "cubegraph.toml").unlink()
    proc = run_cli("--store", url, "--base-iri", BASE, "--token", SERVER_TOKEN, "ingest", "-q",
                   "--force", *map(str, cubes), cwd=tmp_path)
    assert "0 ingested, 2 replaced, 0 unchanged, 0 failed" in proc.stdout, proc.stdout + proc.stderr


def test_an_uninitialised_server_without_a_token_says_why(start_server, cubes, tmp_path):
    srv, client = start_server(**LIMITS)
    proc = ingest(srv.url + "sparql", cubes, cwd=tmp_path)
    assert proc.returncode == 1
    assert "401 Unauthorized: the server needs a bearer token" in proc.stderr
    assert "set CUBEGRAPH_TOKEN" in proc.stderr
