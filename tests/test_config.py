"""Settings precedence: flags > environment > config file > defaults."""

import json
from pathlib import Path

import pytest

from cubegraph.config import ConfigError, Settings, load_settings
from cubegraph.ontology import build_cf_json


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}) == Settings()


def test_precedence(tmp_path):
    cfg = tmp_path / "cg.toml"
    cfg.write_text('store = "from-file"\nbase_iri = "http://file.example/"\nport = 9000\n')
    env = {"CUBEGRAPH_STORE": "from-env"}
    s = load_settings({"store": None}, env=env, config_file=cfg)
    assert (s.store, s.base_iri, s.port) == ("from-env", "http://file.example/", 9000)
    s = load_settings({"store": "from-flag"}, env=env, config_file=cfg)
    assert s.store == "from-flag"


def test_config_file_from_environment(tmp_path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('token = "secret"\n')
    assert load_settings(env={"CUBEGRAPH_CONFIG": str(cfg)}).token == "secret"


@pytest.mark.parametrize("text, message", [
    ("store = ", "not valid TOML"),
    ('colour = "red"\n', r"unknown settings \['colour'\]"),
    ('port = "eighty"\n', "port must be a number"),
])
def test_bad_config_files_are_named(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(env={}, config_file=cfg)


def test_missing_named_config_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(env={}, config_file=tmp_path / "nope.toml")


def test_real_data_defaults_to_shared_beside_the_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    repo = Path(__file__).resolve().parents[1]
    assert Path(load_settings(env={}).real_data) == repo.parent / "shared" / "data" / "real"
    assert load_settings(env={"CUBEGRAPH_REAL_DATA": "/data/cf"}).real_data == "/data/cf"
    cfg = tmp_path / "cubegraph.toml"
    cfg.write_text('real_data = "from-file"\n')
    assert load_settings(env={}).real_data == "from-file"


def test_the_cf_table_build_reads_the_real_data_setting(tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (real / "cf-standard-name-table-v93.xml").write_text(
        "<standard_name_table><version_number>7</version_number>"
        '<entry id="air_temperature"><canonical_units>K</canonical_units></entry>'
        "</standard_name_table>")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUBEGRAPH_REAL_DATA", str(real))
    out = tmp_path / "cf.json"
    assert build_cf_json.main(["--out", str(out)]) == 0
    assert json.loads(out.read_text()) == {"version": 7, "entries": {"air_temperature": "K"},
                                           "aliases": {}}


def test_no_path_of_a_development_machine_in_the_tree():
    repo = Path(__file__).resolve().parents[1]
    machine = "/" + "work/"  # spelt apart, so this file does not match itself
    # The project's own files: not the virtual environment, data or caches beside them.
    skip = {".git", ".venv", "data", "build", "dist", ".pytest_cache", "__pycache__"}
    found = [str(p.relative_to(repo)) for p in sorted(repo.rglob("*"))
             if p.suffix in (".py", ".md", ".toml", ".cfg", ".yaml", ".rq")
             and skip.isdisjoint(p.relative_to(repo).parts)
             and machine in p.read_text(encoding="utf-8", errors="replace")]
    assert not found, f"paths of one machine in {found}: use a setting (cubegraph.config)"
