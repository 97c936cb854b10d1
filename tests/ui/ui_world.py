"""A small world for the web UI's tests: the demo cubes ingested, plus one recorded run.

The run graph is written through the same writers the ML write-back uses
(:mod:`cubegraph.kg.records`: run, evaluations of the model and two baselines, an explanation
with attributions, hyper-parameters, a selection with reasons), so these tests need no
training. One attribution's label carries a ``<script>`` element: every page must show it
as text.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.kg import Iris, open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.kg.records.attribution import Attribution, Explanation
from cubegraph.kg.records.run import Evaluation, Model, Run, Usage, run_graph
from cubegraph.kg.records.selection import Choice, selection_graph

BASE = "http://test.example/"
CUBE = BASE + "cube/greece-fire-daily-zarr"
RUN = BASE + "run/fire-ui-1"
SELECTION = BASE + "job/greece-next-day-fire/selection/0123456789abcdef"
SCRIPT = "<script>window.__pwned = 1; alert('x')</script>"
#: Variables of the run (names in the demo fire cube), with SHAP importance, sign.
ATTRIBUTIONS = [("fwi", 0.81, 1), ("lst", 0.62, 1), ("rh", 0.41, -1), ("t2m", 0.12, 1),
                ("elevation", 0.05, 0)]

def run_graphs() -> tuple[Graph, Graph]:
    """The run's graph and its selection's graph, built by the writers the ML write-back uses."""
    iris = Iris(BASE)
    var = lambda name: URIRef(f"{CUBE}/variable/{name}")  # noqa: E731
    evaluations = []
    # (row, split, measure, value): the model beats both baselines on auroc, and rmse is
    # "lower is better".
    for row, split, measure, value in [
        ("model", "test", "auroc", 0.84), ("persistence", "test", "auroc", 0.71),
        ("logistic", "test", "auroc", 0.79), ("model", "test", "rmse", 0.21),
        ("persistence", "test", "rmse", 0.33), ("logistic", "test", "rmse", 0.25),
        ("model", "validation", "auroc", 0.86), ("logistic", "validation", "auroc", 0.8),
    ]:
        label = (f"{measure} of mlp on {split}" if row == "model"
                 else f"{measure} of baseline {row} on {split}")
        evaluations.append(Evaluation(row, split, measure, value, label))
    attributions = [Attribution(name, importance, rank, sign, var(name))
                    for rank, (name, importance, sign) in enumerate(ATTRIBUTIONS, start=1)]
    # An attribution without a variable IRI, named by its label only: the escaping probe.
    attributions.append(Attribution(SCRIPT, 0.02, len(ATTRIBUTIONS) + 1, -1))
    run = Run(
        id=RUN.rsplit("/", 1)[-1], status="succeeded",
        started="2026-01-05T10:00:00Z", ended="2026-01-05T10:01:04Z",
        software="0.1.0", labels=("mlp classification run on active_fire",), seed=42,
        job_spec='{"task": "classification", "horizon": 1}',
        inputs=(var("active_fire"), *(var(v) for v, _, _ in ATTRIBUTIONS)),
        target=var("active_fire"),
        hyperparameters=(("epochs", 30), ("learning_rate", 0.002)),
        model=Model("mlp model (pixel inputs)"),
        evaluations=tuple(evaluations),
        explanation=Explanation("shap.DeepExplainer",
                                "mean |SHAP| per input variable over 200 test samples",
                                tuple(attributions)),
        selection=URIRef(SELECTION), usages=(Usage(URIRef(CUBE)),),
    )
    selected = [Choice(var(v), f"measures {v}, hence a cg:FireDangerDriver") for v, _, _ in ATTRIBUTIONS]
    excluded = [Choice(var("wind_speed"), "measures wind_speed, a cg:Wind: not one of cg:FireDangerDriver")]
    selection = selection_graph(URIRef(SELECTION), iris.job("greece-next-day-fire"),
                                var("active_fire"), "SELECT ...", selected, excluded)
    return run_graph(run, iris), selection


def build_world(root: Path) -> dict:
    """Demo cubes in ``root/demo``, ingested into the store ``root/store``, plus the run.

    Returns:
        ``{"store": path, "demo": path}``; the store is closed (ready for a server).
    """
    demo = root / "demo"
    write_demo_data(demo, size="small")
    store = open_store(root / "store", base_iri=BASE)
    try:
        init_store(store)
        summary = ingest_paths(store, [demo], progress=False)
        assert summary.ok, summary.render()
        run, selection = run_graphs()
        store.replace_graph(RUN, run)
        store.replace_graph(SELECTION, selection)
    finally:
        store.close()
    return {"store": root / "store", "demo": demo}
