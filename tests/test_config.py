"""Settings precedence: flags > environment > config file > defaults."""

import pytest

from cubegraph.config import ConfigError, Settings, load_settings


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
