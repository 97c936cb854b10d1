"""Benchmark of the reasoning layer: materialization (vs owlrl and reasonable), incremental
update, and input selection over a 10,000-cube catalog.

Each engine runs in its own subprocess, so peak memory (``ru_maxrss`` of that process) is
its own. Data: the LUBM-style dataset of ``bench/lubm.py`` (deterministic), and a scaled-up
demo catalog of fire/drought cubes.

    python bench/bench_reasoning.py --quick          # 1e4 and 1e5 triples
    python bench/bench_reasoning.py                  # 1e4, 1e5, 1e6 (owlrl capped)
    python bench/bench_reasoning.py --parts catalog  # only the 10,000-cube catalog: its full
                                                     # materialization and selection
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
PY = sys.executable


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers (run in a subprocess each) ------------------------------------------------------
def work_reasonable(data: str, onto: str) -> dict:
    import reasonable

    from cubegraph.reasoning.rules import keep, normalise
    from rdflib import BNode
    t0 = time.perf_counter()
    r = reasonable.PyReasoner()
    r.load_file(onto)
    r.load_file(data)
    t1 = time.perf_counter()
    out = r.reason()
    t2 = time.perf_counter()
    base = {(s, p, normalise(o)) for s, p, o in r.get_base_triples()}
    new = {(s, p, normalise(o)) for s, p, o in out} - base
    kept = sum(1 for t in new if keep(t) and not isinstance(t[0], BNode) and not isinstance(t[2], BNode))
    return {"load_s": t1 - t0, "reason_s": t2 - t1, "total_s": t2 - t0, "entailed": len(new),
            "inferred": kept, "peak_rss_mb": _rss_mb()}


def work_owlrl(data: str, onto: str) -> dict:
    import owlrl
    from rdflib import Graph
    t0 = time.perf_counter()
    g = Graph()
    g.parse(onto, format="turtle")
    g.parse(data, format="nt")  # N-Triples in a .ttl file
    n = len(g)
    t1 = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "reason_s": t2 - t1, "total_s": t2 - t0, "entailed": len(g) - n,
            "peak_rss_mb": _rss_mb()}


def _lubm_store(data: str, onto: str, with_cubegraph: bool = False):
    from cubegraph.kg import open_store

    s = open_store(None, base_iri="http://bench.example/")
    s.load(Path(onto).read_bytes(), format="turtle", graph=str(s.iris.ontology_graph))
    if with_cubegraph:
        from cubegraph.ontology import ONTOLOGY_PATH
        s.load(ONTOLOGY_PATH.read_bytes(), format="turtle", graph=str(s.iris.ontology_graph))
    s.load(Path(data).read_bytes(), format="ntriples", graph="http://bench.example/lubm")
    return s


def work_cubegraph(data: str, onto: str, incremental: bool) -> dict:
    from cubegraph.reasoning.materialize import materialize, update_inferences

    t0 = time.perf_counter()
    s = _lubm_store(data, onto, with_cubegraph=incremental)
    t1 = time.perf_counter()
    rep = materialize(s)
    t2 = time.perf_counter()
    out = {"load_s": t1 - t0, "total_s": t2 - t1, "phases": rep.seconds, "inferred": rep.inferred,
           "peak_rss_mb": _rss_mb()}
    if incremental:
        import lubm as catalog
        cube, graph = catalog.cube_graph(s.iris, 0)
        s.replace_graph(cube, graph)
        t3 = time.perf_counter()
        inc = update_inferences(s, cube)
        t4 = time.perf_counter()
        after_inc = s.count(s.iris.inferred_graph)
        inc_set = set(s.graph(s.iris.inferred_graph)) if after_inc < 3_000_000 else None
        full = materialize(s)
        same = inc_set == set(s.graph(s.iris.inferred_graph)) if inc_set is not None else None
        out["incremental"] = {"mode": inc.mode, "seconds": t4 - t3, "added": inc.added,
                              "inferred_after": after_inc, "full_recompute_inferred": full.inferred,
                              "identical_to_full": same}
    return out


def work_selection(n_cubes: int, repeat: int = 5) -> dict:
    """The demo catalog of ``n_cubes`` cubes: full materialization, then input selection for
    the fire and drought example jobs (best of ``repeat`` runs each)."""
    import lubm as catalog
    from cubegraph.kg import open_store
    from cubegraph.kg.bootstrap import init_store
    from cubegraph.reasoning.jobs import load_job
    from cubegraph.reasoning.materialize import materialize
    from cubegraph.reasoning.selection import select_inputs

    s = open_store(None, base_iri="http://bench.example/")
    init_store(s)
    t0 = time.perf_counter()
    triples = catalog.load_catalog(s, n_cubes)
    t1 = time.perf_counter()
    rep = materialize(s)
    out = {"cubes": n_cubes, "triples": triples, "load_s": t1 - t0,
           "materialize_s": rep.seconds["total"], "materialize_phases": rep.seconds,
           "inferred": rep.inferred, "jobs": {}}
    for name in ("fire", "drought"):
        job = load_job(HERE.parent / "examples" / "jobs" / f"{name}.yaml")
        times = []
        for _ in range(repeat):
            a = time.perf_counter()
            sel = select_inputs(s, job)
            times.append(time.perf_counter() - a)
        out["jobs"][name] = {"select_s_best": min(times), "select_s_all": times, "inputs": len(sel.inputs),
                             "excluded_entries": len(sel.excluded),
                             "excluded_candidates": sum(e.count for e in sel.excluded)}
    out["peak_rss_mb"] = _rss_mb()
    return out


# --- driver ---------------------------------------------------------------------------------
def run_worker(args: list[str], timeout: float) -> dict:
    cmd = [PY, str(Path(__file__)), "--worker", *args]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout_s": timeout}
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"rc {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="reasoning benchmark")
    ap.add_argument("--quick", action="store_true", help="1e4 and 1e5 triples only")
    ap.add_argument("--owlrl-cap", type=float, default=300.0, help="seconds before owlrl is stopped")
    ap.add_argument("--cubes", type=int, default=10_000, help="catalog size for the selection bench")
    ap.add_argument("--parts", nargs="+", choices=("lubm", "catalog"), default=["lubm", "catalog"],
                    help="lubm: materialization vs owlrl/reasonable (and the incremental update at the "
                         "largest size); catalog: the demo catalog's materialization and selection")
    ap.add_argument("--repeat", type=int, default=5, help="selection runs per job (best is reported)")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        fn = {"reasonable": work_reasonable, "owlrl": work_owlrl}.get(kind)
        if fn:
            res = fn(*rest)
        elif kind == "cubegraph":
            res = work_cubegraph(rest[0], rest[1], rest[2] == "1")
        else:
            res = work_selection(int(rest[0]), int(rest[1]))
        print(json.dumps(res))
        return 0

    import lubm

    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    if "lubm" not in args.parts:
        sizes = []
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-reasoning-") as tmp:
        onto = Path(tmp) / "univ-bench.ttl"
        onto.write_text(lubm.ONTOLOGY)
        for n in sizes:
            data = Path(tmp) / f"lubm-{n}.ttl"  # reasonable reads only .ttl/.n3 names
            with open(data, "w") as fh:
                for _, text in lubm.generate(n):
                    fh.write(text)
            row = {}
            row["reasonable"] = run_worker(["reasonable", str(data), str(onto)], 1200)
            row["cubegraph"] = run_worker(["cubegraph", str(data), str(onto), "1" if n == sizes[-1] else "0"], 1200)
            if n <= 100_000:
                row["owlrl"] = run_worker(["owlrl", str(data), str(onto)], args.owlrl_cap)
            results["sizes"][n] = row
            print(json.dumps({n: row}, indent=1), flush=True)
        if "catalog" in args.parts:
            results["selection"] = run_worker(["selection", str(args.cubes), str(args.repeat)], 1200)
            print(json.dumps({"selection": results["selection"]}, indent=1), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
