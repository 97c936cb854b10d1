"""IRI minting and the named-graph layout, in one place.

Every IRI cubegraph mints is a slash IRI under one configurable base, which the server
itself dereferences (``{base}cube/{slug}``, ``{base}cube/{slug}/variable/{name}``,
``{base}run/{id}``). The named graph that holds a resource's description has the resource's
own IRI, so an audit can name the exact graph of a cube or a run; the ontology, the SHACL
shapes, the inferred triples and the catalog have graphs of their own.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

from cubegraph.config import DEFAULT_BASE_IRI  # the local server's address (see config)

_SLUG_BAD = re.compile(r"[^a-z0-9]+")


class Iris:
    """Mints IRIs under one base.

    Args:
        base: the base IRI; a trailing slash is added when missing.

    Example:
        >>> iris = Iris("http://example.org/cg")
        >>> iris.variable("greece-fire", "lst")
        rdflib.term.URIRef('http://example.org/cg/cube/greece-fire/variable/lst')
    """

    def __init__(self, base: str = DEFAULT_BASE_IRI):
        self.base = base if base.endswith("/") else base + "/"

    def __repr__(self) -> str:
        return f"Iris({self.base!r})"

    # --- graphs ---------------------------------------------------------------------------
    @property
    def ontology_graph(self) -> URIRef:
        """Named graph holding the ontology (the SHACL shapes have their own:
        :attr:`shapes_graph`)."""
        return URIRef(self.base + "graph/ontology")

    @property
    def shapes_graph(self) -> URIRef:
        """Named graph holding the SHACL shapes."""
        return URIRef(self.base + "graph/shapes")

    @property
    def inferred_graph(self) -> URIRef:
        """Named graph holding materialised inferences, apart from asserted triples."""
        return URIRef(self.base + "graph/inferred")

    @property
    def catalog(self) -> URIRef:
        """The dcat:Catalog of every cube; its graph has the same IRI."""
        return URIRef(self.base + "catalog")

    def graph_for(self, resource: str) -> URIRef:
        """The named graph describing a cube or a run: the resource's own IRI."""
        return URIRef(str(resource))

    # --- resources ------------------------------------------------------------------------
    def cube(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}cube/{_segment(slug)}")

    def variable(self, slug: str, name: str) -> URIRef:
        return URIRef(f"{self.base}cube/{_segment(slug)}/variable/{_segment(name)}")

    def dimension(self, slug: str, name: str) -> URIRef:
        return URIRef(f"{self.base}cube/{_segment(slug)}/dimension/{_segment(name)}")

    def note(self, slug: str, number: int) -> URIRef:
        """An ingest note on a cube (a ``dqv:QualityAnnotation``), numbered from 1."""
        return URIRef(f"{self.base}cube/{_segment(slug)}/note/{number}")

    def distribution(self, slug: str) -> URIRef:
        return URIRef(f"{self.base}cube/{_segment(slug)}/distribution")

    def ingest_activity(self, slug: str, fingerprint_prefix: str) -> URIRef:
        return URIRef(f"{self.base}cube/{_segment(slug)}/ingest/{_segment(fingerprint_prefix)}")

    def job(self, job_id: str) -> URIRef:
        return URIRef(f"{self.base}job/{_segment(job_id)}")

    def run(self, run_id: str) -> URIRef:
        return URIRef(f"{self.base}run/{_segment(run_id)}")

    def measure(self, name: str) -> URIRef:
        """An evaluation measure (``mls:EvaluationMeasure``): ``{base}measure/{name}``."""
        return URIRef(f"{self.base}measure/{_segment(name)}")

    def in_run(self, run_id: str, *parts: str) -> URIRef:
        """An IRI inside a run: ``{base}run/{id}/model``, ``{base}run/{id}/attribution/lst``."""
        tail = "/".join(_segment(p) for p in parts)
        return URIRef(f"{self.base}run/{_segment(run_id)}/{tail}")

    @staticmethod
    def slugify(text: str) -> str:
        """A lowercase, ASCII, dash-separated slug: ``"Greece Fire 2021.zarr"`` -> ``greece-fire-2021-zarr``.

        Raises:
            ValueError: if nothing of the text survives (e.g. only punctuation).
        """
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        slug = _SLUG_BAD.sub("-", ascii_text.lower()).strip("-")
        if not slug:
            raise ValueError(f"cannot make an IRI slug from {text!r}: no letters or digits")
        return slug


def _segment(text: str) -> str:
    # Names from files may hold characters an IRI path cannot: percent-encode them rather
    # than mint an invalid IRI (slashes too, so one name stays one segment).
    return quote(str(text), safe="-._~")
