"""Errors of the ontology layer (ontology files, CF table, reasoners run on the ontology)."""

from cubegraph.errors import CubegraphError


class OntologyError(CubegraphError):
    """Raised when a bundled ontology resource is missing or unreadable (a broken install)."""

    http_status = 500


class ReasonerError(OntologyError):
    """Raised when a DL reasoner (HermiT/Pellet through owlready2) cannot run at all.

    An *inconsistent* ontology is not an error: it is reported in a ``ConsistencyReport``.
    This is for a missing Java runtime, an unknown reasoner name or a reasoner crash.
    """

    http_status = 500
