"""The UI's pages through Flask's test client: every page renders, data is escaped."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from cubegraph.api.web.app import close_app, create_app
from cubegraph.api.services.examples import example_queries

from ui_world import BASE, CUBE, RUN, SCRIPT

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(world):
    app = create_app({"STORE": str(world["store"]), "BASE_IRI": BASE, "QUERY_WORKERS": 1})
    app.testing = True
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize("path", ["/", "/ui/catalog", "/ui/sparql", "/ui/runs", "/audit",
                                  "/ui/catalog?q=fire&phenomenon=vegetation"])
def test_pages_render(client, path):
    reply = client.get(path, headers=HTML)
    assert reply.status_code == 200, reply.text
    assert reply.mimetype == "text/html"
    assert '<nav>' in reply.text


def test_ui_redirects_to_the_landing_page(client):
    reply = client.get("/ui")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/")


def test_world_outline_is_served_as_svg(client):
    reply = client.get("/ui/world.svg")
    assert reply.status_code == 200 and reply.mimetype == "image/svg+xml"
    assert reply.text.startswith("<svg") and "<path d=\"M" in reply.text
    assert "max-age" in reply.headers["Cache-Control"]


def test_catalog_search_shows_hits_facets_map_and_timeline(client):
    reply = client.get("/ui/catalog?q=ndvi", headers=HTML)
    text = reply.text
    assert text.count('class="hit"') == 3  # the three African drought minicubes
    assert 'data-facet="phenomenon"' in text and 'class="map"' in text
    assert text.count('class="span"') == 3  # one time bar per hit
    assert 'href="/api/search?q=ndvi"' in text  # the same search as JSON


def test_catalog_facet_links_add_and_remove_a_filter(client):
    text = client.get("/ui/catalog", headers=HTML).text
    link = re.search(r'href="(/ui/catalog\?phenomenon=[^"]+)"', text).group(1)
    filtered = client.get(link.replace("&amp;", "&"), headers=HTML).text
    assert 'class="chosen"' in filtered
    chosen = re.search(r'<li class="chosen"><a href="([^"]+)"', filtered).group(1)
    assert "phenomenon" not in chosen  # a chosen facet's link removes it again


def test_catalog_bad_parameter_is_shown_not_raised(client):
    reply = client.get("/ui/catalog?bbox=1,2", headers=HTML)
    assert reply.status_code == 400
    assert "bbox" in reply.text and 'class="problem"' in reply.text


def test_catalog_escapes_search_text(client):
    text = client.get("/ui/catalog?q=" + quote(SCRIPT), headers=HTML).text
    assert SCRIPT not in text and "&lt;script&gt;" in text


def test_sparql_editor_embeds_every_example(client):
    text = client.get("/ui/sparql", headers=HTML).text
    names = [e.name for e in example_queries()]
    assert names and all(f'data-example="{n}"' in text for n in names)
    assert "vendor/codemirror/codemirror.js" in text and "mode/sparql/sparql.js" in text
    assert "vegetation-greece-2021" in names  # the repository's examples/queries are offered


def test_run_page_shows_metrics_shap_inputs_and_selection(client):
    reply = client.get("/run/fire-ui-1", headers=HTML)
    text = reply.text
    assert reply.status_code == 200
    assert text.count('<g class="bar') == 6
    assert 'class="bar positive" data-variable="fwi"' in text
    assert 'class="bar negative" data-variable="rh"' in text
    assert 'class="bar neutral" data-variable="elevation"' in text
    # Metrics beside the baselines, the model's lead signed positive (rmse: lower is better).
    assert re.search(r"<th class=\"n model\">model</th><th class=\"n\">logistic</th>"
                     r"<th class=\"n\">persistence</th>", text)
    assert "+0.0500" in text and "+0.0400" in text
    assert "measures fwi, hence a cg:FireDangerDriver" in text  # the selection's reasons
    assert "Excluded (1)" in text
    assert '<script type="application/ld+json">' in text  # schema.org stays


def test_run_page_escapes_literals(client):
    text = client.get("/run/fire-ui-1", headers=HTML).text
    assert SCRIPT not in text
    assert "&lt;script&gt;window.__pwned" in text


def test_cube_page_shows_map_time_bar_and_variables_by_phenomenon(client):
    text = client.get("/cube/greece-fire-daily-zarr", headers=HTML).text
    assert 'class="map"' in text and '<g class="bbox">' in text
    assert 'class="timebar"' in text
    assert 'class="phen-group"' in text and "Fire Weather Index" in text.title()
    assert '<script type="application/ld+json">' in text


def test_other_resources_keep_the_generic_page(client):
    text = client.get("/cube/greece-fire-daily-zarr/variable/fwi", headers=HTML).text
    assert "<h2>Properties</h2>" in text and 'class="map"' not in text


def test_rdf_clients_still_get_rdf_for_runs(client):
    reply = client.get("/run/fire-ui-1", headers={"Accept": "text/turtle"})
    assert reply.mimetype == "text/turtle" and RUN in reply.text


def test_runs_list(client):
    text = client.get("/ui/runs", headers=HTML).text
    assert 'href="/run/fire-ui-1"' in text and "succeeded" in text


def test_audit_page_of_a_cube_passes(client):
    reply = client.get("/audit?iri=" + quote(CUBE), headers=HTML)
    text = reply.text
    assert reply.status_code == 200
    assert '<div class="verdict passed"' in text
    assert 'class="lineage"' in text and "node root" in text
    assert "FsF-F1-01D" in text and 'class="badge ok">ok<' in text
    # the source row says at which level it was verified, and never more
    assert 'class="level level-content">content<' in text
    assert "every stored byte hashed again" in text


def test_audit_of_unknown_iri_shows_the_form_with_the_error(client):
    reply = client.get("/audit?iri=" + quote(BASE + "cube/nope"), headers=HTML)
    assert reply.status_code == 404
    assert 'class="problem"' in reply.text and 'name="iri"' in reply.text


def test_audit_escapes_the_iri(client):
    reply = client.get("/audit?iri=" + quote(SCRIPT), headers=HTML)
    assert SCRIPT not in reply.text and "&lt;script&gt;" in reply.text
