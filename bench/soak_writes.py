"""Soak of the live endpoint: do reads keep their speed as the write history grows? (issue 14)

A server on an on-disk store (worker processes, as ``cubegraph serve`` runs) takes
``--replacements`` Graph Store PUTs of one ``--triples``-triple graph (the catalog's life:
cubes re-ingested, runs written back), interleaved with queries from ``--clients`` client
threads. A fixed query is timed ``--probes`` times at the start (after the first
replacement), at the end, and after a restart of the server on the same store; p50 and p99
of each are printed, with every status other than 200 counted. Target: the end figures
within 1.2x of the start, zero 5xx, zero 503.

Everything stays on 127.0.0.1; every loop is bounded by a count.

Run: ``.venv/bin/python bench/soak_writes.py [--replacements 2000] [--triples 3000]
[--clients 8] [--probes 50]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

TOKEN = "soak-token"
QUERY = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://soak.example/g> "
         "{ ?s ?p ?o } }")


def graph_text(triples: int, version: int) -> bytes:
    lines = [f"<http://soak.example/s{i}> <http://soak.example/p{i % 7}> \"v{version}-{i}\" ."
             for i in range(triples)]
    return ("\n".join(lines) + "\n").encode()


def request(url: str, *, data: bytes | None = None, method: str = "GET",
            headers: dict | None = None, timeout: float = 120) -> tuple[int, float]:
    t = time.perf_counter()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - t


def query(base: str) -> tuple[int, float]:
    return request(base + "sparql?" + urllib.parse.urlencode({"query": QUERY}),
                   headers={"Accept": "application/sparql-results+json"})


def put(base: str, body: bytes) -> tuple[int, float]:
    return request(base + "rdf-graphs?" + urllib.parse.urlencode({"graph": "http://soak.example/g"}),
                   data=body, method="PUT",
                   headers={"Content-Type": "application/n-triples",
                            "Authorization": f"Bearer {TOKEN}"})


def probe(base: str, n: int, statuses: Counter) -> list[float]:
    times = []
    for _ in range(n):
        status, took = query(base)
        statuses[status] += 1
        times.append(took)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return f"p50 {1000 * statistics.median(ordered):.1f} ms, p99 {1000 * p99:.1f} ms"


def start(store: Path):
    from cubegraph.api.web.app import create_app
    from cubegraph.api.web.serve import ServerThread

    app = create_app({"STORE": str(store), "TOKEN": TOKEN, "BASE_IRI": "http://soak.example/",
                      "QUERY_TIMEOUT": 30.0, "QUERY_WORKERS": 2})
    return ServerThread(app, port=0).start()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replacements", type=int, default=2000)
    parser.add_argument("--triples", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--probes", type=int, default=50)
    args = parser.parse_args(argv)
    statuses: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        server = start(store)
        base = server.url
        try:
            status, _ = put(base, graph_text(args.triples, 0))
            assert status in (200, 201, 204), status
            first = probe(base, args.probes, statuses)
            done = threading.Event()
            client_times: list[float] = []

            def client():
                while not done.is_set():
                    status, took = query(base)
                    statuses[status] += 1
                    client_times.append(took)

            threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
            for t in threads:
                t.start()
            write_times = []
            after_write: list[tuple[int, float]] = []
            t0 = time.perf_counter()
            for i in range(1, args.replacements + 1):
                status, took = put(base, graph_text(args.triples, i))
                statuses[f"PUT {status}"] += 1
                write_times.append(took)
                if i % max(1, args.replacements // 10) == 0:
                    status, took = query(base)
                    statuses[status] += 1
                    after_write.append((i, took))
                    print(f"  after {i} replacements: first query {1000 * took:.1f} ms "
                          f"(status {status}); {time.perf_counter() - t0:.0f} s so far", flush=True)
            done.set()
            for t in threads:
                t.join(60)
            end = probe(base, args.probes, statuses)
        finally:
            server.stop()
        server = start(store)
        try:
            restarted = probe(server.url, args.probes, statuses)
        finally:
            server.stop()
    print(f"\nsoak: {args.replacements} replacements of {args.triples} triples, "
          f"{args.clients} query clients ({len(client_times)} client queries)")
    print(f"  start:     {summary(first)}")
    print(f"  end:       {summary(end)}")
    print(f"  restarted: {summary(restarted)}")
    print(f"  writes:    {summary(write_times)}")
    print(f"  clients:   {summary(client_times)}")
    print(f"  statuses:  {dict(statuses)}")
    ratio = statistics.median(end) / statistics.median(first)
    bad = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500) + \
        sum(n for s, n in statuses.items() if isinstance(s, str) and not s.startswith("PUT 2"))
    print(f"  end / start p50: {ratio:.2f}x (target <= 1.2x); errors: {bad}")
    return 0 if ratio <= 1.2 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
