"""One settings object for the server: ServerSettings holds every default, and every face
(the app factory, the serve command, the command line's settings) takes it from there."""

from __future__ import annotations

import dataclasses
import re

import pytest
from click.testing import CliRunner

from cubegraph.api.cli import main
from cubegraph.api.web.app import close_app, create_app
from cubegraph.config import ConfigError, ServerSettings, Settings
from cubegraph.kg import open_store


def settings_of(app) -> ServerSettings:
    return app.extensions["cubegraph"].settings


def test_an_app_without_settings_has_every_default():
    app = create_app()
    try:
        assert settings_of(app) == ServerSettings()
        assert app.config["MAX_CONTENT_LENGTH"] == ServerSettings.max_body
        assert app.config["MAX_FORM_MEMORY_SIZE"] == ServerSettings.max_body
    finally:
        close_app(app)


def test_a_mapping_is_read_through_the_settings_object():
    app = create_app({"STORE": ":memory:", "MAX_ROWS": "7", "QUERY_TIMEOUT": 3,
                      "MAX_CONTENT_LENGTH": 1000, "SERVICE_ALLOWLIST": ["http://x/sparql"],
                      "TESTING": True})
    try:
        settings = settings_of(app)
        assert (settings.max_rows, settings.query_timeout, settings.max_body) == (7, 3.0, 1000)
        assert settings.service_allowlist == ("http://x/sparql",)
        assert app.config["MAX_CONTENT_LENGTH"] == 1000
        assert app.config["TESTING"] is True  # Flask's own settings pass through
        assert "MAX_ROWS" not in app.config   # server settings live in one place only
    finally:
        close_app(app)


def test_the_settings_object_itself_is_accepted():
    store = open_store(None, base_iri="http://given.example/")
    app = create_app(ServerSettings(store=store, base_iri="http://ignored.example/", max_rows=3))
    try:
        # An open store's own base wins, and the settings in force say so.
        assert settings_of(app).base_iri == "http://given.example/"
        assert settings_of(app).max_rows == 3
        reply = app.test_client().get("/sparql", query_string={
            "query": "SELECT ?n { VALUES ?n { 1 2 3 4 5 } }"})
        assert reply.headers["X-Cubegraph-Max-Rows"] == "3"
    finally:
        close_app(app)
        store.close()


def test_a_setting_of_the_wrong_type_is_named():
    with pytest.raises(ConfigError, match="server setting query_timeout must be a number of "
                                          "seconds, got 'soon'"):
        create_app({"QUERY_TIMEOUT": "soon"})


def test_the_command_line_settings_take_the_server_defaults():
    assert (Settings().host, Settings().port) == (ServerSettings.host, ServerSettings.port)
    assert Settings().base_iri == ServerSettings.base_iri


def test_serve_help_shows_the_server_defaults():
    text = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200).output
    flat = re.sub(r"\s+", " ", text)
    defaults = ServerSettings()
    for flag, value in (("--timeout", defaults.query_timeout), ("--max-rows", defaults.max_rows),
                        ("--max-body", defaults.max_body), ("--workers", defaults.query_workers),
                        ("--threads", defaults.threads)):
        assert re.search(rf"{flag} \S+ .*?\[default: {re.escape(str(value))}\]", flat), flag
    assert f"default {defaults.port};" in flat and f"default {defaults.host};" in flat


def test_every_server_setting_has_a_config_key():
    fields = {f.name for f in dataclasses.fields(ServerSettings)}
    assert set(ServerSettings.CONFIG_KEYS.values()) == fields
