"""Input selection: a job spec compiled to (cube, variable) inputs with reasons."""

from __future__ import annotations

import json

import pytest

from cubegraph.kg.bootstrap import init_store
from cubegraph.ontology.namespaces import CF, CG
from cubegraph.reasoning.errors import EmptySelection, UnknownTerm
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.materialize import materialize
from cubegraph.reasoning.selection import record_selection, select_inputs

from tests_support import catalogued_cube


@pytest.fixture
def fire_store(mem_store):
    s = mem_store
    init_store(s)
    cubes = [
        catalogued_cube(s.iris, "greece-fire", {
            "t2m": CF["air_temperature/"], "rh": CF["relative_humidity/"],
            "fire": CG.active_fire, "fire_smooth": CG.active_fire, "fire_lag": CG.visitors,
            "roads": CG.road_density},
            derived={"fire_lag": "fire"}),
        catalogued_cube(s.iris, "old-meteo", {"ws": CF["wind_speed/"]}, start="2015-01-01", end="2016-12-31"),
        catalogued_cube(s.iris, "peru", {"sm": CF["volume_fraction_of_condensed_water_in_soil/"]},
                   bbox=(-80, -18, -68, 0)),
        catalogued_cube(s.iris, "monthly", {"tp": CF["precipitation_amount/"]}, res="P1M"),
    ]
    for c, g in cubes:
        s.replace_graph(c, g)
    materialize(s)
    return s


FIRE = {"id": "fire", "target": {"phenomenon": "cg:ActiveFire", "horizon": 1},
        "drivers": ["cg:FireDangerDriver"], "region": {"bbox": [19, 34.5, 29.7, 42]},
        "period": {"start": "2020-01-01", "end": "2022-12-31"}, "resolution": {"temporal": "P1D"}}


def names(items):
    return {str(i.variable).rsplit("/", 1)[-1] for i in items}


def by_variable(excluded) -> dict:
    """Local name of each refused variable -> its entry (a per-cube entry stands for its examples)."""
    return {str(v).rsplit("/", 1)[-1]: e for e in excluded for v in (e.examples or (e.variable,))}


def test_fire_job_selects_inferred_drivers_with_reasons(fire_store):
    sel = select_inputs(fire_store, load_job(FIRE))
    assert str(sel.target[1]).endswith("/variable/fire")
    assert names(sel.inputs) == {"t2m", "rh", "roads"}
    t2m = next(i for i in sel.inputs if str(i.variable).endswith("t2m"))
    assert t2m.reason == "measures air_temperature, a cg:AirTemperature, hence a cg:FireDangerDriver (inferred)"


def test_leakage_guard_excludes_target_and_derived(fire_store):
    sel = select_inputs(fire_store, load_job({**FIRE, "drivers": ["cg:FireDangerDriver"],
                                              "include": [str(fire_store.iris.variable("greece-fire", "fire_lag"))]}))
    reasons = {str(e.variable).rsplit("/", 1)[-1]: e.reason for e in sel.excluded}
    assert "fire_lag" in reasons and "derived from the target" in reasons["fire_lag"]
    assert "fire_lag" not in names(sel.inputs)


def test_incompatible_candidates_name_the_constraint(fire_store):
    sel = select_inputs(fire_store, load_job(FIRE))
    reasons = {name: e.reason for name, e in by_variable(sel.excluded).items()}
    assert "does not overlap the job period 2020-01-01..2022-12-31" in reasons["ws"]
    assert reasons["ws"].startswith("period 2015-01-01..2016-12-31")
    assert "does not overlap the job region" in reasons["sm"]
    assert "temporal resolution P1M differs from P1D" in reasons["tp"]
    ws = by_variable(sel.excluded)["ws"]  # refused with its cube: one entry per cube and constraint
    assert ws.constraint == "period" and ws.cube == fire_store.iris.cube("old-meteo")
    assert ws.variable == ws.cube and ws.count == 1 and reasons["ws"].endswith("1 candidate in this cube: ws")


def test_to_json_shape(fire_store):
    out = select_inputs(fire_store, load_job(FIRE)).to_json()
    assert set(out) >= {"inputs", "excluded", "sparql"}
    assert set(out["inputs"][0]) == {"cube", "variable", "reason"}
    assert all(set(e) >= {"variable", "reason", "constraint"} for e in out["excluded"])
    per_cube = [e for e in out["excluded"] if "cube" in e]
    assert per_cube and all(set(e) == {"variable", "reason", "constraint", "cube", "count", "examples"}
                            for e in per_cube)
    assert "cg:measures" in out["sparql"]
    json.dumps(out)


def test_exclude_list(fire_store):
    t2m = str(fire_store.iris.variable("greece-fire", "t2m"))
    sel = select_inputs(fire_store, load_job({**FIRE, "exclude": [t2m]}))
    assert "t2m" not in names(sel.inputs)
    assert any(e.reason == "excluded by the job spec" for e in sel.excluded)


def test_unknown_class_is_404(fire_store):
    with pytest.raises(UnknownTerm, match="unknown class cg:NoSuchDriver") as info:
        select_inputs(fire_store, load_job({**FIRE, "drivers": ["cg:NoSuchDriver"]}))
    assert info.value.http_status == 404


def test_unknown_variable_is_404(fire_store):
    with pytest.raises(UnknownTerm, match="unknown variable"):
        select_inputs(fire_store, load_job({**FIRE, "drivers": ["http://nowhere.example/variable/x"]}))


def test_target_without_data_in_period(fire_store):
    job = load_job({**FIRE, "period": {"start": "2010-01-01", "end": "2011-12-31"}})
    with pytest.raises(EmptySelection, match="no target cg:ActiveFire has data") as info:
        select_inputs(fire_store, job)
    assert info.value.constraint == "period" and info.value.http_status == 422


def test_every_driver_eliminated_names_the_constraint(fire_store):
    job = load_job({**FIRE, "drivers": ["cg:DroughtDriver"], "resolution": {"temporal": "P1D"},
                    "exclude": [str(fire_store.iris.variable("greece-fire", n)) for n in ("t2m", "rh")]})
    with pytest.raises(EmptySelection, match="every candidate driver"):
        select_inputs(fire_store, job)


def test_record_selection_writes_an_input_selection(fire_store):
    job = load_job(FIRE)
    sel = select_inputs(fire_store, job)
    iri = record_selection(fire_store, job, sel)
    rows = fire_store.query(
        "SELECT ?sel ?v WHERE { GRAPH ?sel { ?sel a <https://w3id.org/cubegraph/ontology#InputSelection> ;"
        " <https://w3id.org/cubegraph/ontology#selected> ?v } }", bindings={"sel": iri}).rows()
    assert {str(r["v"]).rsplit("/", 1)[-1] for r in rows} == names(sel.inputs)
    assert fire_store.has_graph(fire_store.iris.job("fire"))


def test_failed_selection_writes_nothing(fire_store):
    before = fire_store.stats()
    with pytest.raises(UnknownTerm):
        select_inputs(fire_store, load_job({**FIRE, "drivers": ["cg:Nope"]}))
    assert fire_store.stats() == before


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The real demo cubes, ingested and materialised: selection must find the planted drivers."""
    from cubegraph.ingest.demo import write_demo_data
    from cubegraph.ingest.pipeline import ingest_paths
    from cubegraph.kg import open_store
    from cubegraph.kg.bootstrap import init_store
    from cubegraph.reasoning.materialize import materialize

    out = tmp_path_factory.mktemp("demo")
    truth = json.loads(write_demo_data(out).read_text())
    store = open_store(None)
    init_store(store)
    assert ingest_paths(store, [out], progress=False).ok
    materialize(store)
    return store, truth


def test_demo_fire_job_finds_planted_drivers_and_reports_the_rest(demo_store):
    from tests_support import REPO

    store, truth = demo_store
    selection = select_inputs(store, load_job(REPO / "examples" / "jobs" / "fire.yaml"))
    chosen = {str(i.variable).rsplit("/", 1)[-1] for i in selection.inputs}
    fire = next(c for c in truth["cubes"].values() if c["target"] == "active_fire")
    planted = {e["driver"] for e in fire["effects"]}
    assert planted <= chosen
    assert all("FireDangerDriver" in i.reason for i in selection.inputs)
    why = {str(e.variable).rsplit("/", 1)[-1]: e for e in selection.excluded}
    for leak in fire["derived_from_target"]:
        assert why[leak].constraint == "leakage" and "derived from the target" in why[leak].reason
    assert why["active_fire"].reason == "is the target"
    assert "distractor" in why["distractor_noise"].reason
    kept_distractors = [i for i in selection.inputs if "distractor" in i.reason]
    assert kept_distractors and not planted & {str(i.variable).rsplit("/", 1)[-1] for i in kept_distractors}


def test_demo_drought_job_keeps_to_the_target_grid(demo_store):
    from tests_support import REPO

    store, _truth = demo_store
    selection = select_inputs(store, load_job(REPO / "examples" / "jobs" / "drought.yaml"))
    target_cube = selection.target[0]
    assert {i.cube for i in selection.inputs} == {target_cube}
    assert {str(i.variable).rsplit("/", 1)[-1] for i in selection.inputs} == {"sm", "tp", "t2m"}
    grid = [e for e in selection.excluded if e.constraint == "grid"]
    assert grid and all("cannot be aligned to the target" in e.reason for e in grid)


def test_sparql_region_period_filter_agrees_with_the_reasons(mem_store):
    """Edges of the in-SPARQL filter: touching extents/periods fit; unknown extents, periods
    and steps are refused per cube with the named constraint; a big cube gets one entry."""
    s = mem_store
    init_store(s)
    many = {f"t{i}": CF["air_temperature/"] for i in range(5)}
    cubes = [
        catalogued_cube(s.iris, "target", {"fire": CG.active_fire, "t2m": CF["air_temperature/"]},
                   bbox=(19.0, 34.5, 29.7, 42.0)),
        # touches the job region's (and the target grid's) east edge and the period's last day: fits
        catalogued_cube(s.iris, "touching", {"rh": CF["relative_humidity/"]}, bbox=(29.7, 35.0, 31.0, 36.0),
                   start="2022-12-31", end="2023-06-30"),
        catalogued_cube(s.iris, "far", many, bbox=(100.0, 10.0, 110.0, 20.0)),
    ]
    no_extent = catalogued_cube(s.iris, "no-extent", {"ws": CF["wind_speed/"]}, bbox=None)
    no_step = catalogued_cube(s.iris, "no-step", {"tp": CF["precipitation_amount/"]}, res=None)
    for c, g in (*cubes, no_extent, no_step):
        s.replace_graph(c, g)
    materialize(s)
    sel = select_inputs(s, load_job(FIRE))
    assert names(sel.inputs) == {"t2m", "rh"}
    why = by_variable(sel.excluded)
    assert why["ws"].constraint == "region" and "no known spatial extent" in why["ws"].reason
    assert why["tp"].constraint == "resolution" and "no time axis with a regular step" in why["tp"].reason
    far = [e for e in sel.excluded if e.cube == s.iris.cube("far")]
    assert len(far) == 1 and far[0].count == 5 and len(far[0].examples) == 3
    assert far[0].reason.endswith("5 candidates in this cube, e.g. t0, t1, t2")
    assert sel.excluded_candidates == sum(e.count for e in sel.excluded)
