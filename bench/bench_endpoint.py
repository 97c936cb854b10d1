"""Benchmark of the SPARQL endpoint: cubegraph over HTTP vs in-process pyoxigraph vs Oxigraph's server.

Over 400 lines: one script runs the whole endpoint benchmark (the stores, both servers,
latency, throughput, the sustained load, the report), so a run is one command and its
figures come from one process.

One run measures, at two sizes of a synthetic cube catalog (default 1e4 and 1.05e6 triples):

1. latency (median of N requests) of a catalog query mix: in-process
   (``Store.query(q).serialize(fmt)`` on the store opened read-only, the work the server
   does), through ``cubegraph serve`` over HTTP, and through Oxigraph's own server
   (``oxigraph serve``, PyPI ``oxigraph==0.5.13``, same engine, ``--union-default-graph``)
   on a copy of the same data, each over one keep-alive connection and with a new
   connection per request (what urllib-based clients such as SPARQLWrapper do); the modes
   are interleaved request by request, so a busy moment of a shared machine hits all alike;
2. throughput with 8 concurrent clients (separate processes) running the mix, both servers;
3. a sustained load on cubegraph: 16 clients for 60 s, reads mixed with token-authorised
   updates (20 %, one unique triple each); zero errors and no lost update are required.

Everything stays on 127.0.0.1; every loop is bounded by a count or a clock.

Usage::

    .venv/bin/python bench/bench_endpoint.py [--sizes 10000 1050000] [--load-seconds 60]
        [--out bench/results/endpoint.json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
BASE = "http://127.0.0.1:8765/"
CG = "https://w3id.org/cubegraph/ontology#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CF = "http://vocab.nerc.ac.uk/standard_name/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TOKEN = "bench-token"
CF_NAMES = ["air_temperature", "relative_humidity", "wind_speed", "precipitation_amount",
            "leaf_area_index", "surface_temperature", "soil_moisture_content", "elevation",
            "normalized_difference_vegetation_index", "evapotranspiration", "population_density",
            "burned_area_fraction"]
TRIPLES_PER_CUBE = 150  # about: see catalog_quads


# --- data ------------------------------------------------------------------------------------

def catalog_quads(n_cubes: int, seed: int = 7):
    """A synthetic cube catalog shaped like cubegraph's: one named graph per cube and per run."""
    rng = random.Random(seed)
    nn, lit = ox.NamedNode, ox.Literal

    def num(v, dt="double"):
        return lit(repr(v) if dt == "double" else str(v), datatype=nn(XSD + dt))

    for c in range(n_cubes):
        cube = f"{BASE}cube/cube-{c}"
        g = nn(cube)
        s = nn(cube)
        yield ox.Quad(s, nn(RDF_TYPE), nn(CG + "DataCube"), g)
        yield ox.Quad(s, nn(RDF_TYPE), nn(DCAT + "Dataset"), g)
        yield ox.Quad(s, nn(DCT + "title"), lit(f"Cube {c} ({rng.choice(['Greece', 'Africa', 'Brazil', 'Iceland'])})"), g)
        yield ox.Quad(s, nn(DCT + "description"), lit(f"Synthetic daily cube number {c}"), g)
        yield ox.Quad(nn(BASE + "catalog"), nn(DCAT + "dataset"), s, nn(BASE + "catalog"))
        west, south = rng.uniform(-20, 40), rng.uniform(-30, 60)
        for prop, value in (("westBound", west), ("eastBound", west + rng.uniform(1, 10)),
                            ("southBound", south), ("northBound", south + rng.uniform(1, 10))):
            yield ox.Quad(s, nn(CG + prop), num(round(value, 3)), g)
        year = rng.choice([2018, 2019, 2020, 2021, 2022])
        yield ox.Quad(s, nn(DCAT + "startDate"), lit(f"{year}-01-01", datatype=nn(XSD + "date")), g)
        yield ox.Quad(s, nn(DCAT + "endDate"), lit(f"{year}-12-31", datatype=nn(XSD + "date")), g)
        dist = nn(cube + "/distribution")
        yield ox.Quad(s, nn(DCAT + "distribution"), dist, g)
        yield ox.Quad(dist, nn(DCAT + "mediaType"), lit("application/vnd+zarr"), g)
        yield ox.Quad(dist, nn(DCAT + "accessURL"), nn(f"file:///data/cube-{c}.zarr"), g)
        for d in ("time", "lat", "lon"):
            dim = nn(f"{cube}/dimension/{d}")
            yield ox.Quad(s, nn(CG + "hasDimension"), dim, g)
            yield ox.Quad(dim, nn(RDF_TYPE), nn(CG + "Dimension"), g)
            yield ox.Quad(dim, nn(CG + "dimensionName"), lit(d), g)
            yield ox.Quad(dim, nn(CG + "size"), num(rng.randint(100, 1000), "integer"), g)
        for name in rng.sample(CF_NAMES, 10):
            var = nn(f"{cube}/variable/{name}")
            yield ox.Quad(s, nn(CG + "hasVariable"), var, g)
            yield ox.Quad(var, nn(RDF_TYPE), nn(CG + "Variable"), g)
            yield ox.Quad(var, nn(CG + "variableName"), lit(name), g)
            yield ox.Quad(var, nn(CG + "measures"), nn(CF + name + "/"), g)
            yield ox.Quad(var, nn(CG + "unitsString"), lit("1"), g)
            yield ox.Quad(var, nn(CG + "dtype"), lit("float32"), g)
            yield ox.Quad(var, nn(CG + "minValue"), num(round(rng.uniform(-10, 0), 3)), g)
            yield ox.Quad(var, nn(CG + "maxValue"), num(round(rng.uniform(1, 50), 3)), g)
            yield ox.Quad(var, nn(CG + "meanValue"), num(round(rng.uniform(0, 1), 3)), g)
            yield ox.Quad(var, nn(DCT + "title"), lit(name.replace("_", " ")), g)
        run_iri = f"{BASE}run/run-{c}"
        rg, run = nn(run_iri), nn(run_iri)
        yield ox.Quad(run, nn(RDF_TYPE), nn(CG + "ModelRun"), rg)
        yield ox.Quad(run, nn(PROV + "used"), s, rg)
        yield ox.Quad(run, nn(CG + "score"), num(round(rng.uniform(0.3, 0.95), 3)), rg)
        for rank in range(5):
            att = nn(f"{run_iri}/attribution/{rank}")
            yield ox.Quad(run, nn(CG + "hasAttribution"), att, rg)
            yield ox.Quad(att, nn(CG + "rank"), num(rank + 1, "integer"), rg)
            yield ox.Quad(att, nn(CG + "value"), num(round(rng.uniform(0, 1), 3)), rg)


# Query mix: what catalog clients ask. (name, query, Accept / in-process format)
MIX = [
    ("list cubes", f"""SELECT ?cube ?title WHERE {{ ?cube a <{CG}DataCube> ; <{DCT}title> ?title }}
        ORDER BY ?cube LIMIT 100""", "json"),
    ("variables by CF name", f"""SELECT ?cube ?var WHERE {{
        ?cube <{CG}hasVariable> ?var . ?var <{CG}measures> <{CF}leaf_area_index/> }} LIMIT 200""", "json"),
    ("cubes in a bbox", f"""SELECT ?cube WHERE {{
        ?cube <{CG}westBound> ?w ; <{CG}eastBound> ?e ; <{CG}southBound> ?s ; <{CG}northBound> ?n .
        FILTER(?w < 25 && ?e > 20 && ?s < 40 && ?n > 35) }} LIMIT 100""", "json"),
    ("variables per cube", f"""SELECT ?cube (COUNT(?v) AS ?n) WHERE {{ ?cube <{CG}hasVariable> ?v }}
        GROUP BY ?cube ORDER BY DESC(?n) ?cube LIMIT 20""", "json"),
    ("best runs", f"""SELECT ?run ?score ?cube WHERE {{ ?run a <{CG}ModelRun> ; <{CG}score> ?score ;
        <{PROV}used> ?cube }} ORDER BY DESC(?score) LIMIT 10""", "json"),
    ("describe a cube", f"""CONSTRUCT {{ <{BASE}cube/cube-3> ?p ?o }} WHERE {{ <{BASE}cube/cube-3> ?p ?o }}""", "turtle"),
    ("ask", f"ASK {{ <{BASE}cube/cube-1> <{CG}hasVariable> ?v }}", "json"),
]
ACCEPT = {"json": "application/sparql-results+json", "turtle": "text/turtle"}


def build(size: int, root: Path) -> tuple[Path, Path, int]:
    """Write the catalog into a cubegraph store folder and an Oxigraph server folder."""
    n_cubes = max(1, round(size / TRIPLES_PER_CUBE))
    ours, theirs = root / "cubegraph", root / "oxigraph"
    nq = root / "catalog.nq"
    ox.serialize(catalog_quads(n_cubes), str(nq), ox.RdfFormat.N_QUADS)
    store = ox.Store(str(ours))
    store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    count = len(store)
    del store
    subprocess.run([str(_bin("oxigraph")), "load", "--location", str(theirs), "--file", str(nq)],
                   check=True, capture_output=True, timeout=900)
    nq.unlink()
    return ours, theirs, count


def _bin(name: str) -> Path:
    return Path(sys.executable).with_name(name)


# --- measuring ---------------------------------------------------------------------------------

class _InProcess:
    """The same work as the server, without HTTP: query, then serialise natively."""

    def __init__(self, store_dir: Path):
        from cubegraph.kg import open_store

        # Read-only, so it can run beside the server that holds the store's write lock.
        self.store = open_store(store_dir, base_iri=BASE, read_only=True)

    def __call__(self, query: str, fmt: str) -> None:
        self.store.query(query).serialize(fmt)

    def close(self) -> None:
        self.store.close()


class _Http:
    """GET requests on one keep-alive connection, or (``fresh``) a new connection each time,
    as SPARQLWrapper and rdflib's SPARQLStore (urllib) do."""

    def __init__(self, port: int, path: str, *, fresh: bool):
        self.port, self.path, self.fresh = port, path, fresh
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def __call__(self, query: str, fmt: str) -> None:
        if self.fresh:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        status = _request(self.conn, self.path, query, fmt)
        assert status == 200, status

    def close(self) -> None:
        self.conn.close()


def latencies(modes: dict, reps: int) -> dict[str, dict[str, float]]:
    """Median latency of each query in each mode, the modes interleaved request by request
    (in a shuffled order each round) so that a busy moment of the machine hits all alike."""
    rng = random.Random(1)
    out: dict[str, dict[str, float]] = {m: {} for m in modes}
    for name, query, fmt in MIX:
        times: dict[str, list[float]] = {m: [] for m in modes}
        for run in modes.values():
            run(query, fmt)  # warm
        for _ in range(reps):
            order = list(modes)
            rng.shuffle(order)
            for mode in order:
                t = time.perf_counter()
                modes[mode](query, fmt)
                times[mode].append(time.perf_counter() - t)
        for mode in modes:
            out[mode][name] = statistics.median(times[mode])
    return out


def _request(conn: http.client.HTTPConnection, path: str, query: str, fmt: str) -> int:
    conn.request("GET", path + "?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": ACCEPT[fmt]})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def _client_loop(args) -> tuple[int, int, int, int, list[str]]:
    """One client process: run the mix (and updates, when asked) until the deadline; the
    counts, and what the first few errors were."""
    port, path, update_path, seconds, update_share, k = args
    rng = random.Random(k)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    done = errors = updates_ok = updates_sent = 0
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if rng.random() < update_share:
                updates_sent += 1
                body = (f"INSERT DATA {{ GRAPH <{BASE}graph/load> {{ <{BASE}load/{k}/{updates_sent}> "
                        f"<{CG}n> {updates_sent} }} }}").encode()
                conn.request("POST", update_path, body=body, headers={
                    "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
                resp = conn.getresponse()
                resp.read()
                if resp.status in (200, 204):
                    updates_ok += 1
                else:
                    errors += 1
                    seen.append(f"update: {resp.status}")
            else:
                name, query, fmt = rng.choice(MIX)
                status = _request(conn, path, query, fmt)
                if status != 200:
                    errors += 1
                    seen.append(f"{name}: {status}")
            done += 1
        except (OSError, http.client.HTTPException) as exc:
            errors += 1
            seen.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.close()
    return done, errors, updates_ok, updates_sent, seen[:5]


def throughput(port: int, path: str, clients: int, seconds: float, *, update_path: str = "",
               update_share: float = 0.0) -> dict:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(clients) as pool:
        results = pool.map(_client_loop, [(port, path, update_path, seconds, update_share, k)
                                          for k in range(clients)])
    done = sum(r[0] for r in results)
    return {"requests": done, "errors": sum(r[1] for r in results),
            "updates_ok": sum(r[2] for r in results), "updates_sent": sum(r[3] for r in results),
            "first_errors": [e for r in results for e in r[4]][:10],
            "per_second": done / seconds}


def throughputs(servers: dict, rounds: int, seconds: float) -> dict:
    """8-client throughput of each server, ``rounds`` times in a shuffled order each round,
    judged on the median (one slow run must not make a ratio look good)."""
    rng = random.Random(2)
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    for _ in range(rounds):
        for name in rng.sample(list(servers), len(servers)):
            runs[name].append(throughput(*servers[name], 8, seconds))
    out = {}
    for name, results in runs.items():
        rates = sorted(r["per_second"] for r in results)
        out[f"{name}_8_clients"] = {"per_second": statistics.median(rates), "range": [rates[0], rates[-1]],
                                    "errors": sum(r["errors"] for r in results),
                                    "requests": sum(r["requests"] for r in results)}
    return out


# --- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if _request(conn, path, "ASK {}", "json") == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def start_cubegraph(store_dir: Path, port: int, workers: int, *,
                    pythonpath: str | None = None) -> subprocess.Popen:
    run = ("import cubegraph.api.cli.serve_commands; from cubegraph.api.cli import main; "
           "main(prog_name='cubegraph')")
    env = {**os.environ, "CUBEGRAPH_TOKEN": TOKEN}
    if pythonpath:  # another checkout of cubegraph (a folder holding cubegraph/), for before/after
        env["PYTHONPATH"] = pythonpath
    proc = subprocess.Popen([sys.executable, "-c", run, "--store", str(store_dir), "--base-iri", BASE,
                             "serve", "--port", str(port), "--workers", str(workers),
                             "--timeout", "120"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_ready(port, "/sparql", proc)
    return proc


def start_oxigraph(location: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(_bin("oxigraph")), "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_ready(port, "/query", proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def count_load_graph(port: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/load> {{ ?s ?p ?o }} }}"
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": ACCEPT["json"]})
    body = json.loads(conn.getresponse().read())
    conn.close()
    return int(body["results"]["bindings"][0]["n"]["value"])


# --- main ----------------------------------------------------------------------------------------

def run_size(size: int, args, root: Path) -> dict:
    t = time.perf_counter()
    ours, theirs, triples = build(size, root)
    print(f"\n== {triples} triples (built in {time.perf_counter() - t:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f})", flush=True)
    reps = args.reps if triples < 100_000 else max(5, args.reps // 4)
    result = {"triples": triples, "reps": reps, "load_average_before": os.getloadavg()[0]}
    if args.baseline:
        # The baseline reads its own copy (two servers cannot hold one store's write lock),
        # copied before any server opens the store and compacts it.
        shutil.copytree(ours, root / "baseline")
    cg_port, ox_port = free_port(), free_port()
    cg_proc = start_cubegraph(ours, cg_port, args.workers)
    ox_proc = start_oxigraph(theirs, ox_port)
    modes = {"in_process": _InProcess(ours),
             "cubegraph": _Http(cg_port, "/sparql", fresh=False),
             "oxigraph": _Http(ox_port, "/query", fresh=False),
             "cubegraph_fresh": _Http(cg_port, "/sparql", fresh=True),
             "oxigraph_fresh": _Http(ox_port, "/query", fresh=True)}
    base_proc = None
    if args.baseline:
        base_port = free_port()
        base_proc = start_cubegraph(root / "baseline", base_port, args.workers,
                                    pythonpath=str(args.baseline))
        modes["baseline"] = _Http(base_port, "/sparql", fresh=False)
        modes["baseline_fresh"] = _Http(base_port, "/sparql", fresh=True)
    try:
        result.update(latencies(modes, reps))
        for mode in modes.values():
            mode.close()
        servers = {"cubegraph": (cg_port, "/sparql"), "oxigraph": (ox_port, "/query")}
        if base_proc is not None:
            servers["baseline"] = (base_port, "/sparql")
        result.update(throughputs(servers, args.rounds, args.throughput_seconds))
        if triples >= args.load_at:
            load = throughput(cg_port, "/sparql", 16, args.load_seconds, update_path="/sparql",
                              update_share=args.update_share)
            load["triples_in_load_graph"] = count_load_graph(cg_port)
            load["lost_updates"] = load["updates_ok"] - load["triples_in_load_graph"]
            result["sustained_16_clients"] = load
    finally:
        stop(cg_proc)
        stop(ox_proc)
        if base_proc is not None:
            stop(base_proc)
    result["load_average_after"] = os.getloadavg()[0]
    report(result)
    shutil.rmtree(root, ignore_errors=True)
    return result


def report(r: dict) -> None:
    has_base = "baseline" in r
    for suffix, title in (("", "one keep-alive connection"), ("_fresh", "a new connection per request")):
        print(f"\n{r['triples']} triples, {title}:")
        print("| query | in-process ms | cubegraph HTTP ms | ratio | Oxigraph HTTP ms | ratio | ok |"
              + (" baseline ms | ratio |" if has_base else ""))
        print("|---|---:|---:|---:|---:|---:|:-:|" + ("---:|---:|" if has_base else ""))
        for name, _, _ in MIX:
            base = r["in_process"][name]
            ours, theirs = r["cubegraph" + suffix][name], r["oxigraph" + suffix][name]
            ok = "yes" if ours <= theirs else "NO"
            line = (f"| {name} | {base * 1e3:.2f} | {ours * 1e3:.2f} | {ours / base:.2f} | "
                    f"{theirs * 1e3:.2f} | {theirs / base:.2f} | {ok} |")
            if has_base:
                before = r["baseline" + suffix][name]
                line += f" {before * 1e3:.2f} | {before / base:.2f} |"
            print(line)
    rates = []
    for name in ("cubegraph", "oxigraph", "baseline"):
        t = r.get(f"{name}_8_clients")
        if t is not None:
            rates.append(f"{name} {t['per_second']:.0f} req/s (median; {t['range'][0]:.0f}–"
                         f"{t['range'][1]:.0f}; {t['errors']} errors)")
    print("8 clients: " + ", ".join(rates))
    if "sustained_16_clients" in r:
        s = r["sustained_16_clients"]
        print(f"16 clients sustained: {s['requests']} requests ({s['per_second']:.0f}/s), "
              f"{s['errors']} errors, {s['updates_ok']} updates, {s['lost_updates']} lost", flush=True)
        if s.get("first_errors"):
            print("   first errors: " + "; ".join(s["first_errors"]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_050_000])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="cubegraph query workers")
    parser.add_argument("--throughput-seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="throughput runs of each server, alternated (median reported)")
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--load-at", type=int, default=0,
                        help="run the sustained load at sizes with at least this many triples")
    parser.add_argument("--update-share", type=float, default=0.2,
                        help="share of updates in the sustained load")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also measure the cubegraph found in DIR/cubegraph (an older "
                             "checkout), in the same run: before/after columns")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "endpoint.json")
    args = parser.parse_args()
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="cubegraph-bench-") as tmp:
        for size in args.sizes:
            root = Path(tmp) / str(size)
            root.mkdir()
            results["sizes"].append(run_size(size, args, root))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
