"""The README's CLI tour, run top to bottom as written on a fresh store, leaves a true catalog.

Issue 12: once jobs existed, `cubegraph reason` typed each job a cube and a run (it carried a
cube's bounds and a run's seed) and each cube refused whole by a selection a variable, so
jobs showed in the catalog, the search and the STAC export. The tour is read from README.md
itself, so the test follows the README when it changes. What it changes, and why:

- the tour loads ``extra.ttl``, which a reader brings: the test writes a one-triple file;
- ``ingest``'s ``'archive/**/*.nc'`` names a reader's own archive: a path or pattern that
  matches nothing here is left out (ingest would rightly report it as failed), an option's
  value (``--report notes.txt``) is kept;
- ``train`` gets ``--max-samples 300`` (the CLI's own setting) to stay short;
- the two server lines (``serve``, and ``ingest`` into the server) are left out: no server.

Each command runs as written, in a fresh folder (the default store ``./data/store``), with
the repository's ``examples/`` linked in. Afterwards, and again after one more ``reason``
(the issue's re-run, after jobs, runs and write-backs exist), the catalog is checked.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
from rdflib import Graph, URIRef

from tests_support import REPO, run_cli

pytestmark = pytest.mark.slow

CG = "https://w3id.org/cubegraph/ontology#"
DCAT = "http://www.w3.org/ns/dcat#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def tour() -> list[tuple[dict, list[str]]]:
    """``(environment, argv)`` of each command of the README's ``## CLI tour`` block."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## CLI tour\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        env = {}
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        if words:
            commands.append((env, words))
    return commands


#: ingest's options that take a value (kept with it when paths are filtered).
_VALUED = {"--report", "--checksum"}


def _needs_a_server(argv: list[str]) -> bool:
    store = argv[argv.index("--store") + 1] if "--store" in argv else ""
    return "serve" in argv or store.startswith(("http://", "https://"))


@pytest.fixture(scope="module")
def toured(tmp_path_factory):
    work = tmp_path_factory.mktemp("tour")
    (work / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    (work / "extra.ttl").write_text("<http://ex.org/a> <http://ex.org/p> \"extra\" .\n")
    ran = []
    for env, argv in tour():
        assert argv[0] == "cubegraph", f"the tour runs cubegraph only, not {argv}"
        if _needs_a_server(argv):
            continue
        args = argv[1:] + (["--max-samples", "300"] if argv[1] == "train" else [])
        if args[0] == "ingest":  # paths that match nothing here are left out, not options' values
            args = ["ingest", *(a for prev, a in zip(args, args[1:])
                                if a.startswith("-") or prev in _VALUED or any(work.glob(a)))]
        proc = run_cli(*args, cwd=work, env=env, timeout=600)
        ran.append((args, proc))
        assert proc.returncode == 0, f"{shlex.join(argv)} -> {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return work, ran


def _outputs(ran, command: str) -> str:
    return "".join(proc.stdout for args, proc in ran if args[0] == command)


def _ingested_cubes(work, ran) -> set[str]:
    """What the tour put in the store as cubes: the demo files, and train's output cubes."""
    files = sorted(p.name for p in (work / "data" / "demo").iterdir() if p.suffix in (".zarr", ".nc"))
    outputs = set(re.findall(r"^(?:predictions|attributions):\s*<([^>]+)>", _outputs(ran, "train"), re.M))
    assert len(files) >= 4 and len(outputs) == 2
    return {"file:" + name for name in files} | outputs


def _query(work, sparql: str) -> list[dict]:
    proc = run_cli("query", sparql, "--format", "json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(proc.stdout)["results"]["bindings"]]


def _check_catalog(work, ran) -> None:
    expected = _ingested_cubes(work, ran)
    jobs = {r["job"] for r in _query(work, f"SELECT ?job WHERE {{ ?job a <{CG}MLJob> }}")}
    assert jobs, "the tour selected and trained a job: the graph must hold it"
    # search: every cube, nothing else
    proc = run_cli("search", "--format", "json", "--page-size", "100", cwd=work)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    hits = {hit["cube"] for hit in found["results"]}
    assert found["total"] == len(expected) == len(hits)
    assert {e for e in expected if not e.startswith("file:")} <= hits
    assert not hits & jobs and not any("/job/" in h or "/run/" in h for h in hits)
    # DCAT: the catalog lists as many datasets, and no job
    proc = run_cli("export", "dcat", cwd=work)
    assert proc.returncode == 0, proc.stderr
    dcat = Graph().parse(data=proc.stdout, format="turtle")
    datasets = {str(d) for d in dcat.objects(None, URIRef(DCAT + "dataset"))}
    assert datasets == hits
    assert not {str(s) for s in dcat.subjects(RDF_TYPE, URIRef(DCAT + "Dataset"))} & jobs
    # STAC: one collection per cube, none for a job
    out = work / "stac-check"
    proc = run_cli("export", "stac", "-o", str(out), cwd=work)
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(p.read_text()) for p in out.rglob("*.json")]
    collections = [d for d in docs if d.get("type") == "Collection"]
    assert len(collections) == len(expected)
    assert not {c["id"] for c in collections} & {j.rsplit("/", 1)[-1] for j in jobs}
    # the graph's own word: what is a cube, a variable, a run
    cubes = {r["c"] for r in _query(work, f"SELECT DISTINCT ?c WHERE {{ ?c a <{CG}DataCube> }}")}
    assert cubes == hits
    variables = {r["v"] for r in _query(work, f"SELECT DISTINCT ?v WHERE {{ ?v a <{CG}Variable> }}")}
    assert not variables & cubes, "a cube refused whole by a selection must stay a cube"
    runs = {r["r"] for r in _query(work, f"SELECT DISTINCT ?r WHERE {{ ?r a <{CG}ModelRun> }}")}
    assert runs and all("/run/" in r for r in runs) and not runs & jobs


def test_the_tour_runs_every_command_as_written(toured):
    work, ran = toured
    names = [args[0] for args, _ in ran]
    for command in ("init", "load", "query", "update", "dump", "stats", "demo-data", "ingest",
                    "reason", "select", "train", "search", "audit", "export"):
        assert command in names, f"the README's tour no longer runs {command}"
    assert (work / "data" / "store").is_dir() and (work / "backup.trig").is_file()
    # the ingest report names every demo cube (unchanged by then: read back from the store)
    report = (work / "notes.txt").read_text()
    assert report.startswith("cubegraph ingest report: 6 file(s)") and "unchanged " in report


def test_after_the_tour_the_catalog_lists_exactly_the_ingested_cubes(toured):
    _check_catalog(*toured)


def test_reasoning_again_after_jobs_runs_and_write_backs_keeps_the_catalog(toured):
    work, ran = toured
    proc = run_cli("reason", cwd=work)
    assert proc.returncode == 0, proc.stderr
    _check_catalog(work, ran)
