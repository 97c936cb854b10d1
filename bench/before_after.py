"""Before/after: run the benchmarks against an older checkout and this one, alternating.

Each round runs every chosen benchmark once per side, the side that goes first swapping
every round, so a drift in the machine's load reaches both sides alike. The figures of
each run are read from its output (the table lines ``label   number ...`` of bench_ingest
and bench_ml, the JSON of bench_reasoning), and the report gives, per figure, the median
and range of each side and the ratio of the medians: a slow run on one side moves its
range, not the verdict.

    python bench/before_after.py --baseline ../old-checkout --rounds 3

``--baseline`` is a folder holding an older ``cubegraph`` package (a checkout's parent, as
``PYTHONPATH`` wants it); the benchmark scripts are this checkout's, which know how to
drive the older layout. Run on an otherwise idle machine; the load average before each run
is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each benchmark: its arguments (kept short enough for several rounds) and how its
# figures are read.
BENCHES = {
    "ingest": (["bench_ingest.py", "--cubes", "1000"], "table"),
    "ml": (["bench_ml.py", "--threads", "1", "--repeats", "3"], "table"),
    "reasoning": (["bench_reasoning.py", "--quick", "--owlrl-cap", "1", "--cubes", "2000",
                   "--parts", "lubm", "catalog"], "json"),
}
# A table line: a label, two or more spaces, then the first number of the value.
TABLE_LINE = re.compile(r"^(?P<label>\S.*?\S)\s{2,}(?P<num>-?[\d,]*\.?\d+)")
# Figures worth comparing in the reasoning JSON: times and memory, not counts.
JSON_FIGURE = re.compile(r"(_s|_s_best|/seconds|peak_rss_mb|/phases/\w+)$")


def table_figures(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        m = TABLE_LINE.match(line.rstrip())
        if m and not line.startswith("measure"):
            out[m["label"].strip()] = float(m["num"].replace(",", ""))
    return out


def json_figures(doc, prefix: str = "") -> dict[str, float]:
    out = {}
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.update(json_figures(value, f"{prefix}/{key}"))
    elif isinstance(doc, (int, float)) and not isinstance(doc, bool) and JSON_FIGURE.search(prefix):
        if "/owlrl/" not in prefix:  # stopped at its cap: its time says nothing here
            out[prefix.lstrip("/")] = float(doc)
    return out


def run_once(bench: str, package: Path | None, side: str) -> dict[str, float]:
    """One run of ``bench`` with the cubegraph package found in ``package`` (a checkout's
    parent), or the installed one when ``None``."""
    args, kind = BENCHES[bench]
    env = dict(os.environ)
    if package is not None:
        env["PYTHONPATH"] = str(package)
    else:
        env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(HERE / args[0]), *args[1:]]
        out_json = Path(tmp) / "out.json"
        if kind == "json":
            cmd += ["--out", str(out_json)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode not in (0, 1):  # 1: a target missed, the figures still stand
            raise SystemExit(f"{bench} ({side}) failed:\n{proc.stderr[-2000:]}")
        if kind == "json":
            return json_figures(json.loads(out_json.read_text()))
        return table_figures(proc.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, required=True,
                    help="folder holding the older cubegraph package (a checkout's parent)")
    ap.add_argument("--after", type=Path,
                    help="folder holding the newer cubegraph package (default: the installed one)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--benches", nargs="+", choices=sorted(BENCHES), default=sorted(BENCHES))
    ap.add_argument("--out", type=Path, help="also write every run's figures here (JSON)")
    args = ap.parse_args(argv)
    for folder in (args.baseline, args.after):
        if folder is not None and not (folder / "cubegraph").is_dir():
            ap.error(f"{folder} holds no cubegraph package")

    runs: dict[str, dict[str, list[dict]]] = {b: {"before": [], "after": []} for b in args.benches}
    loads = []
    for r in range(args.rounds):
        sides = ["before", "after"] if r % 2 == 0 else ["after", "before"]
        for bench in args.benches:
            for side in sides:
                loads.append(os.getloadavg()[0])
                print(f"round {r + 1}/{args.rounds}: {bench} {side} (load {loads[-1]:.2f})",
                      file=sys.stderr, flush=True)
                package = args.baseline if side == "before" else args.after
                runs[bench][side].append(run_once(bench, package, side))

    if args.out:
        args.out.write_text(json.dumps({"loads": loads, "runs": runs}, indent=1))
    print(f"{args.rounds} rounds, sides alternating; load average before a run "
          f"{min(loads):.2f}-{max(loads):.2f} on {os.cpu_count()} CPUs\n")
    for bench in args.benches:
        print(f"### {bench}\n\n| figure | before: median (range) | after: median (range) | after / before |")
        print("|---|---|---|---|")
        before, after = runs[bench]["before"], runs[bench]["after"]
        for label in before[0]:
            b = [run[label] for run in before if label in run]
            a = [run[label] for run in after if label in run]
            if not a or not b:
                continue
            mb, ma = statistics.median(b), statistics.median(a)
            ratio = f"{ma / mb:.2f}" if mb else "-"
            print(f"| {label} | {mb:g} ({min(b):g}-{max(b):g}) | {ma:g} ({min(a):g}-{max(a):g}) | {ratio} |")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
