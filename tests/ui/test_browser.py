"""The web UI in a real browser: headless Chromium driven by Playwright, against the server.

Each test loads pages of a live server (waitress on a free loopback port) over the demo
cubes and a recorded run, uses them as a person would (search, facets, the SPARQL editor,
the run page's chart, the audit), and checks that the page raised no console error, that
no request failed, and that every request went to the server itself (every asset is
local). A full-page screenshot of each page lands in ``tmp_path`` and must not be blank.

Needs Debian's ``chromium`` (``/usr/bin/chromium``) and ``playwright`` (the Python package;
its bundled browsers are never downloaded: the system Chromium is launched by path).
Skipped, saying which is missing, when either is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from cubegraph.api.web.app import create_app
from cubegraph.api.web.serve import ServerThread

from ui_world import BASE, CUBE, SCRIPT

CHROMIUM = Path(os.environ.get("CUBEGRAPH_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None,
                       reason="browser tests need the Python package playwright "
                              "(pip install playwright==1.65.2; never `playwright install`)"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"browser tests need Chromium at {CHROMIUM} "
                              "(apt-get install -y chromium)"),
]

try:
    from PIL import Image
except ImportError:  # pragma: no cover - Pillow comes with matplotlib
    Image = None


@pytest.fixture(scope="module")
def server(world):
    app = create_app({"STORE": str(world["store"]), "BASE_IRI": BASE, "QUERY_WORKERS": 1,
                      "QUERY_TIMEOUT": 30.0})
    srv = ServerThread(app, port=0).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A browser page that records what would make a page broken: console errors,
    uncaught exceptions, failed requests, error responses and requests leaving the server."""

    def __init__(self, page, url: str, shots: Path):
        self.page, self.url, self.shots = page, url, shots
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status}: {r.url}"))
        page.on("dialog", lambda d: (self.errors.append(f"dialog opened: {d.message}"), d.dismiss()))

    def open(self, path: str):
        self.page.goto(self.url + path.lstrip("/"))
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> Path:
        """A full-page screenshot, checked to show a rendered page (not a blank one)."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert_rendered(path)
        return path

    def assert_clean(self):
        assert self.errors == []
        hosts = {urlparse(u).hostname for u in self.requests if not u.startswith(("data:", "blob:"))}
        assert hosts == {"127.0.0.1"}, f"requests left the server: {sorted(hosts)}"


def assert_rendered(path: Path) -> None:
    """The PNG is a real page: big enough, many colours, no single colour everywhere."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    if Image is None:  # pragma: no cover
        assert len(data) > 20_000
        return
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        assert rgb.width >= 1000 and rgb.height >= 600
        colours = rgb.getcolors(maxcolors=1 << 22)
        assert len(colours) > 40, "the page looks blank"
        assert max(n for n, _ in colours) / (rgb.width * rgb.height) < 0.97


@pytest.fixture
def tab(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield Tab(page, server.url, tmp_path)
    context.close()
    # Keep the screenshots where a person can look at them, when asked to.
    keep = os.environ.get("CUBEGRAPH_UI_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)


def test_landing_page_links_every_face(tab):
    page = tab.open("/")
    for name in ("Catalog", "SPARQL editor", "Model runs", "Provenance audit"):
        assert page.locator(".card h2", has_text=name).is_visible()
    tab.shot("home")
    page.click(".card >> text=Catalog")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/ui/catalog")
    tab.assert_clean()


def test_catalog_search_with_a_facet(tab):
    page = tab.open("/ui/catalog")
    assert page.locator("li.hit").count() == 6  # every demo cube
    assert page.locator("svg.map .bbox rect").count() >= 6
    page.fill("input[name=q]", "ndvi")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    hits = page.locator("li.hit")
    assert hits.count() == 3
    assert all("drought" in t.lower() for t in hits.locator("h2").all_inner_texts())
    assert page.locator(".timebar .span").count() == 3
    # Pick a facet: the hits narrow to cubes with a soil-moisture variable, still 3.
    page.locator('[data-facet="phenomenon"] a', has_text="soil moisture").first.click()
    page.wait_for_load_state("networkidle")
    assert "phenomenon=soil+moisture" in page.url and "q=ndvi" in page.url
    assert page.locator('[data-facet="phenomenon"] li.chosen').count() == 1
    assert page.locator("li.hit").count() == 3
    # A filtered search opens each hit's matching variables, grouped by phenomenon.
    assert page.locator("li.hit .phen-group h4", has_text="soil moisture").first.is_visible()
    tab.shot("catalog")
    tab.assert_clean()


def test_sparql_editor_runs_an_example_and_downloads_csv(tab):
    page = tab.open("/ui/sparql")
    assert page.locator(".CodeMirror").is_visible()
    assert page.locator(".CodeMirror .cm-keyword").count() > 0  # syntax highlighting
    page.click('[data-example="01-cubes"]')
    assert "?cube ?title" in page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    page.click("#run")
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() == 6
    assert page.locator("table.results thead th").first.inner_text() == "?cube"
    assert "6 rows" in page.inner_text("#status")
    assert page.locator("table.results a[href^='/cube/']").count() == 6  # IRIs link here
    csv_href = page.get_attribute("#dl-csv", "href")
    assert "format=csv" in csv_href and "format=json" in page.get_attribute("#dl-json", "href")
    with page.expect_download() as download:
        page.click("#dl-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("cube,title") and len(text.splitlines()) == 7
    tab.shot("sparql")
    # A CONSTRUCT answers Turtle, shown as text.
    page.click('[data-example="06-describe-cube"]')
    page.click("#run")
    page.wait_for_selector("pre.rdf")
    assert "DataCube" in page.inner_text("pre.rdf")
    assert page.inner_text("#dl-csv") == "Turtle"
    tab.assert_clean()


def test_run_page_draws_the_shap_chart(tab):
    page = tab.open("/run/fire-ui-1")
    bars = page.locator("svg.shap g.bar")
    assert bars.count() == 6
    assert bars.first.get_attribute("data-variable") == "fwi"
    box = bars.first.locator("rect").bounding_box()
    assert box["width"] > 100  # the largest bar is drawn long
    fills = page.eval_on_selector_all(
        "svg.shap g.bar rect", "els => els.map(e => getComputedStyle(e).fill)")
    assert len(set(fills)) == 3  # raises / lowers / mixed
    assert page.locator("table.metrics td.best").count() >= 2
    assert page.locator("text=Selected (5)").is_visible()
    # The <script> literal is shown as text and never ran.
    assert page.locator("svg.shap text.label", has_text="<script>").count() == 1
    assert page.evaluate("window.__pwned") is None
    tab.shot("run")
    tab.assert_clean()


def test_cube_page_shows_extent_time_and_variables(tab):
    page = tab.open("/cube/greece-fire-daily-zarr")
    assert page.locator("svg.map .bbox rect").is_visible()
    assert page.locator(".timebar .span").is_visible()
    assert page.locator(".phen-group").count() >= 5
    assert page.locator("script[type='application/ld+json']").count() == 1
    tab.shot("cube")
    tab.assert_clean()


def test_runs_list_and_audit_form(tab):
    page = tab.open("/ui/runs")
    assert page.locator("table.list a", has_text="mlp classification run").is_visible()
    tab.shot("runs")
    page = tab.open("/audit")
    assert page.locator("input[name=iri]").is_visible()
    tab.shot("audit-form")
    tab.assert_clean()


def test_audit_passes_then_flags_a_modified_source(tab, world):
    page = tab.open("/audit?iri=" + quote(CUBE, safe=""))
    assert page.inner_text(".verdict .result").lower() == "passed"
    assert page.locator("svg.lineage .node").count() >= 3
    assert page.locator("svg.lineage .node.root").count() == 1
    assert page.locator("table.fingerprints .badge", has_text="ok").count() == 1
    assert page.locator("table.fair tr").count() >= 16
    tab.shot("audit")
    # Change one chunk of the cube on disk: the next audit must name the change.
    chunk = next(p for p in sorted((world["demo"] / "greece_fire_daily.zarr" / "fwi").rglob("*"))
                 if p.is_file() and p.name != "zarr.json")
    chunk.write_bytes(chunk.read_bytes() + b"tampered")
    page = tab.open("/audit?iri=" + quote(CUBE, safe=""))
    assert page.inner_text(".verdict .result").lower() == "failed"
    assert "changed" in page.inner_text(".verdict")
    assert page.locator("table.fingerprints .badge", has_text="changed").count() == 1
    assert page.locator("svg.lineage .node.status-changed").count() >= 1
    tab.shot("audit-changed")
    tab.assert_clean()


def test_escaping_in_the_browser(tab):
    page = tab.open("/ui/catalog?q=" + quote(SCRIPT))
    # The search text comes back in the form, as text; nothing ran.
    assert page.input_value("input[name=q]") == SCRIPT
    assert page.evaluate("window.__pwned") is None
    tab.assert_clean()
