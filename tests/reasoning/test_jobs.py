"""Job specs: schema validation, prefixed names, bad input, RDF."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from cubegraph.kg.iris import Iris
from cubegraph.ontology.namespaces import CG
from cubegraph.reasoning.errors import JobSpecError
from cubegraph.kg.records.job import job_graph
from cubegraph.reasoning.jobs import expand, load_job

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "jobs"
BASE = {"id": "j1", "target": {"phenomenon": "cg:ActiveFire"}, "region": {"bbox": [19, 34.5, 29.7, 42]},
        "period": {"start": "2020-01-01", "end": "2022-12-31"}}


@pytest.mark.parametrize("name", ["fire.yaml", "drought.yaml"])
def test_examples_load(name):
    job = load_job(EXAMPLES / name)
    assert job.target_class is not None and job.driver_classes


def test_fire_example_fields():
    job = load_job(EXAMPLES / "fire.yaml")
    assert job.target_class == CG.ActiveFire and job.horizon == 1
    assert job.driver_classes == (CG.FireDangerDriver,)
    assert job.start == dt.date(2020, 1, 1) and job.end == dt.date(2022, 12, 31)
    assert job.temporal_resolution == "P1D" and job.seed == 42


def test_json_file(tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps(BASE))
    assert load_job(path).id == "j1"


def test_prefixed_names_expand():
    assert expand("cg:FireDangerDriver") == CG.FireDangerDriver
    assert expand("cf:air_temperature") == URIRef("http://vocab.nerc.ac.uk/standard_name/air_temperature/")


@pytest.mark.parametrize("change, message", [
    ({"target": {}}, "target"),
    ({"region": {"bbox": [1, 2, 3]}}, "region/bbox"),
    ({"task": "clustering"}, "task"),
    ({"colour": "red"}, "Additional properties"),
    ({"resolution": {"temporal": "daily"}}, "resolution/temporal"),
])
def test_schema_failures_name_the_field(change, message):
    with pytest.raises(JobSpecError, match=message) as info:
        load_job({**BASE, **change})
    assert info.value.http_status == 400


def test_empty_region():
    with pytest.raises(JobSpecError, match="is empty"):
        load_job({**BASE, "region": {"bbox": [30, 34, 20, 42]}})


def test_inverted_period():
    with pytest.raises(JobSpecError, match="period is inverted"):
        load_job({**BASE, "period": {"start": "2022-01-01", "end": "2020-01-01"}})


def test_unknown_prefix():
    with pytest.raises(JobSpecError, match="known prefix"):
        load_job({**BASE, "drivers": ["foo:Bar"]})


def test_missing_file(tmp_path):
    with pytest.raises(JobSpecError, match="no job spec file"):
        load_job(tmp_path / "nope.yaml")


def test_job_graph_is_an_mljob():
    iris = Iris("http://t.example/")
    g = job_graph(load_job(EXAMPLES / "fire.yaml").record(), iris)
    job = iris.job("greece-next-day-fire")
    assert (job, RDF.type, CG.MLJob) in g
    assert (job, CG.target, CG.ActiveFire) in g
    assert (job, CG.driverClass, CG.FireDangerDriver) in g
