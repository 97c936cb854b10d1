"""The command line beside a running server (issue 14): while `cubegraph serve` holds the
store folder, `cubegraph query`, `ingest`, `load` on the same folder go through the server
(saying so on stderr), writes with the token of CUBEGRAPH_TOKEN; without it a write is
refused with the reason. Through the real console script and `cubegraph serve` (granian)."""

from __future__ import annotations

import json

import pytest

from tests_support import run_cli, write_example


TOKEN, BASE = "test-token-3f9a", "http://test.example/"  # as tests/server/conftest.SETTINGS


@pytest.fixture(scope="module")
def served(tmp_path_factory, cli_server):
    server_class, settings = cli_server
    assert (settings["TOKEN"], settings["BASE_IRI"]) == (TOKEN, BASE)
    folder = tmp_path_factory.mktemp("beside")
    # the ontology first (through the server, its 64 KB body limit would refuse it: 413)
    assert run_cli("--store", str(folder / "store"), "--base-iri", BASE, "init",
                   cwd=folder).returncode == 0
    server = server_class(folder / "store")
    yield folder, server
    server.stop()


def cli(folder, *args, token: str | None = None):
    env = {"CUBEGRAPH_TOKEN": token} if token else {}
    return run_cli("--store", str(folder / "store"), "--base-iri", BASE, *args,
                   cwd=folder, env=env, timeout=300)


def test_reads_and_writes_go_through_the_server_with_the_token(served):
    folder, server = served
    note = json.loads((folder / ".store.served.json").read_text())
    assert note["url"] == server.url
    cube = write_example(folder / "example.nc", "netcdf4")
    proc = cli(folder, "ingest", "-q", str(cube), token=TOKEN)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"is served by 'cubegraph serve' at {server.url}: going through it" in proc.stderr
    assert "writes with the token of CUBEGRAPH_TOKEN" in proc.stderr
    assert "1 ingested" in proc.stdout
    proc = cli(folder, "query", "--format", "csv",
               "SELECT ?t WHERE { ?c a <https://w3id.org/cubegraph/ontology#DataCube> ; "
               "<http://purl.org/dc/terms/title> ?t }")
    assert proc.returncode == 0, proc.stderr
    assert "example" in proc.stdout
    (folder / "extra.ttl").write_text("<http://ex.org/a> <http://ex.org/p> \"x\" .\n")
    proc = cli(folder, "load", str(folder / "extra.ttl"), "--graph", "http://ex.org/g",
               token=TOKEN)
    assert proc.returncode == 0, proc.stderr


def test_a_write_without_the_token_is_refused_with_the_reason(served):
    folder, _ = served
    cube = write_example(folder / "other.nc", "netcdf4")
    proc = cli(folder, "ingest", "-q", str(cube))
    assert proc.returncode == 1
    assert "no token: writes will be refused; set CUBEGRAPH_TOKEN" in proc.stderr
    assert "needs a bearer token" in proc.stdout and "Traceback" not in proc.stderr


def test_when_the_server_stops_the_folder_is_the_store_again(tmp_path, cli_server):
    server = cli_server[0](tmp_path / "store")
    server.stop()
    assert not (tmp_path / ".store.served.json").exists()
    assert not (tmp_path / ".store.snapshots").exists()
    proc = run_cli("--store", str(tmp_path / "store"), "stats", cwd=tmp_path)
    assert proc.returncode == 0 and "going through" not in proc.stderr
