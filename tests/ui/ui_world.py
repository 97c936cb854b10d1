"""A small world for the web UI's tests: the demo cubes ingested, plus one recorded run.

The run graph is written by hand with exactly the triples ``ml/writeback.py`` and
``ml/runner.py`` write (run, evaluations of the model and two baselines, an explanation
with attributions, hyper-parameters, a selection with reasons), so these tests need no
training. One attribution's label carries a ``<script>`` element: every page must show it
as text.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store

BASE = "http://test.example/"
CUBE = BASE + "cube/greece-fire-daily-zarr"
RUN = BASE + "run/fire-ui-1"
SELECTION = BASE + "job/greece-next-day-fire/selection/0123456789abcdef"
SCRIPT = "<script>window.__pwned = 1; alert('x')</script>"
#: Variables of the run (names in the demo fire cube), with SHAP importance, sign.
ATTRIBUTIONS = [("fwi", 0.81, 1), ("lst", 0.62, 1), ("rh", 0.41, -1), ("t2m", 0.12, 1),
                ("elevation", 0.05, 0)]

RUN_TTL = """
@prefix cg: <https://w3id.org/cubegraph/ontology#> . @prefix mls: <http://www.w3.org/ns/mls#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{run}> a cg:ModelRun, mls:Run, prov:Activity ;
  rdfs:label "mlp classification run on active_fire" ;
  cg:status "succeeded" ; cg:seed 42 ; cg:softwareVersion "0.1.0" ;
  prov:startedAtTime "2026-01-05T10:00:00Z"^^xsd:dateTime ;
  prov:endedAtTime "2026-01-05T10:01:04Z"^^xsd:dateTime ;
  cg:target <{cube}/variable/active_fire> ;
  cg:baseline "persistence", "logistic" ;
  prov:used <{cube}>, <{cube}/variable/active_fire>, <{selection}> {used} ;
  mls:hasInput <{run}/hyperparameter/epochs>, <{run}/hyperparameter/learning_rate> ;
  mls:hasOutput <{run}/model>, <{run}/explanation> {evals} ;
  cg:jobSpec "{{\\"task\\": \\"classification\\", \\"horizon\\": 1}}" .
<{run}/hyperparameter/epochs> a mls:HyperParameterSetting ; rdfs:label "epochs" ; mls:hasValue 30 .
<{run}/hyperparameter/learning_rate> a mls:HyperParameterSetting ; rdfs:label "learning_rate" ;
  mls:hasValue 0.002 .
<{run}/model> a cg:Model, mls:Model, prov:Entity ; rdfs:label "mlp model (pixel inputs)" ;
  prov:wasGeneratedBy <{run}> .
<{run}/explanation> a cg:Explanation, prov:Entity ; cg:method "shap.DeepExplainer" ;
  dct:description "mean |SHAP| per input variable over 200 test samples" ;
  prov:wasGeneratedBy <{run}> ; cg:hasAttribution {attribution_list} .
<{base}measure/auroc> a mls:EvaluationMeasure ; rdfs:label "auroc" .
<{base}measure/rmse> a mls:EvaluationMeasure ; rdfs:label "rmse" .
{body}
"""

SELECTION_TTL = """
@prefix cg: <https://w3id.org/cubegraph/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{sel}> a cg:InputSelection, prov:Entity ; cg:target <{cube}/variable/active_fire> ;
  cg:selected {selected} ; cg:excluded <{cube}/variable/wind_speed> .
{nodes}
<{sel}/excluded/0> a prov:Entity ; dct:isPartOf <{sel}> ;
  prov:wasDerivedFrom <{cube}/variable/wind_speed> ;
  cg:reason "measures wind_speed, a cg:Wind: not one of cg:FireDangerDriver" .
"""


def run_graphs() -> tuple[Graph, Graph]:
    """The run's graph and its selection's graph, shaped as the ML write-back writes them."""
    evaluations, body = [], []
    # (row, split, measure, value): the model beats both baselines on auroc, and rmse is
    # "lower is better".
    for row, split, measure, value in [
        ("model", "test", "auroc", 0.84), ("persistence", "test", "auroc", 0.71),
        ("logistic", "test", "auroc", 0.79), ("model", "test", "rmse", 0.21),
        ("persistence", "test", "rmse", 0.33), ("logistic", "test", "rmse", 0.25),
        ("model", "validation", "auroc", 0.86), ("logistic", "validation", "auroc", 0.8),
    ]:
        e = f"{RUN}/evaluation/{row}/{split}/{measure}"
        evaluations.append(f"<{e}>")
        extra = "" if row == "model" else (
            f' ; cg:baselineOf <{RUN}/evaluation/model/{split}/{measure}>')
        label = (f"{measure} of mlp on {split}" if row == "model"
                 else f"{measure} of baseline {row} on {split}")
        body.append(f'<{e}> a cg:Evaluation, mls:ModelEvaluation ; mls:specifiedBy <{BASE}measure/{measure}> ;'
                    f' mls:hasValue "{value}"^^xsd:double ; cg:split "{split}" ;'
                    f' rdfs:label "{label}" ; prov:wasGeneratedBy <{RUN}>{extra} .')
    attributions = []
    for rank, (var, importance, sign) in enumerate(ATTRIBUTIONS, start=1):
        a = f"{RUN}/attribution/{var}"
        attributions.append(f"<{a}>")
        body.append(f'<{a}> a cg:Attribution, prov:Entity ; cg:method "shap.DeepExplainer" ;'
                    f' cg:importance "{importance}"^^xsd:double ; cg:rank {rank} ; cg:effectSign {sign} ;'
                    f' rdfs:label "attribution of {var}" ; cg:attributedVariable <{CUBE}/variable/{var}> ;'
                    f' prov:wasGeneratedBy <{RUN}> .')
    # An attribution without a variable IRI, named by its label only: the escaping probe.
    probe = f"{RUN}/attribution/probe"
    attributions.append(f"<{probe}>")
    body.append(f'<{probe}> a cg:Attribution ; cg:importance "0.02"^^xsd:double ; cg:rank 6 ;'
                f' cg:effectSign -1 ; rdfs:label "attribution of {SCRIPT}" .')
    used = "".join(f", <{CUBE}/variable/{v}>" for v, _, _ in ATTRIBUTIONS)
    ttl = RUN_TTL.format(run=RUN, cube=CUBE, selection=SELECTION, base=BASE, used=used,
                         evals="".join(", " + e for e in evaluations),
                         attribution_list=", ".join(attributions), body="\n".join(body))
    nodes = "\n".join(
        f'<{SELECTION}/input/{i}> a prov:Entity ; dct:isPartOf <{SELECTION}> ;'
        f' prov:wasDerivedFrom <{CUBE}/variable/{v}> ; cg:reason "measures {v}, hence a cg:FireDangerDriver" .'
        for i, (v, _, _) in enumerate(ATTRIBUTIONS))
    sel = SELECTION_TTL.format(sel=SELECTION, cube=CUBE, nodes=nodes,
                               selected=", ".join(f"<{CUBE}/variable/{v}>" for v, _, _ in ATTRIBUTIONS))
    return Graph().parse(data=ttl, format="turtle"), Graph().parse(data=sel, format="turtle")


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
