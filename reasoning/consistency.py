"""Consistency and classification of the ontology with a DL reasoner (HermiT or Pellet).

Owns the "is the ontology sound?" check: it loads ``cubegraph.ttl`` (plus any extra
Turtle, e.g. a new module, a test's bad axiom, or records to check against the ontology)
into an isolated owlready2 ``World``, runs HermiT (default) or Pellet through owlready2, and
returns a :class:`ConsistencyReport`: consistent or not, the unsatisfiable classes, and the
subclass relations the reasoner inferred beyond those asserted between named classes. When
the extra data makes the ontology inconsistent, the report also names each resource typed in
two disjoint classes and how (:mod:`cubegraph.reasoning.clashes`).

This is OWL 2 DL reasoning over the schema, run on demand (CLI, tests, CI); it is not the
OWL 2 RL materialisation of instance data, which a rule reasoner does elsewhere in
``reasoning``. The reasoners are Java programs bundled with owlready2, so a Java runtime
must be on the PATH. HermiT on the shipped ontology takes a few seconds, mostly JVM start.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import owlready2
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cubegraph.ontology import load_ontology
from cubegraph.ontology.errors import ReasonerError
from cubegraph.reasoning.clashes import find_clashes
from cubegraph.reasoning.errors import ReasoningError

__all__ = ["ConsistencyReport", "check_ontology", "REASONERS"]

#: Reasoner names accepted by :func:`check_ontology`.
REASONERS = ("hermit", "pellet")

_OWL_NS = "http://www.w3.org/2002/07/owl#"

# The OWL 2 datatype map (OWL 2 Structural Specification, 4): HermiT refuses a literal of any
# other datatype (xsd:date, xsd:duration, geo:wktLiteral) as the value of a data property.
_OWL2_DATATYPES = {RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational} | {
    XSD[name] for name in (
        "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte", "double", "float", "string", "normalizedString",
        "token", "language", "Name", "NCName", "NMTOKEN", "boolean", "hexBinary",
        "base64Binary", "anyURI", "dateTime", "dateTimeStamp")}


@dataclass(frozen=True)
class ConsistencyReport:
    """What a DL reasoner found about the ontology.

    Attributes:
        consistent: False when the ontology (with the extra Turtle) has no model at all,
            e.g. an individual is typed with an unsatisfiable class.
        unsatisfiable: IRIs of the named classes that can have no instance (equivalent to
            owl:Nothing), sorted. Empty when inconsistent (the reasoner stops early).
        inferred_subclasses: ``(subclass IRI, superclass IRI)`` pairs between named classes
            that the reasoner derived and that the asserted named-class hierarchy does not
            already imply (e.g. a phenomenon class under a role group defined by a union),
            sorted. Empty when inconsistent.
        reasoner: ``"hermit"`` or ``"pellet"``.
        seconds: wall time of the check, loading included.
        message: the reasoner's own words when it found the ontology inconsistent.
        clashes: when inconsistent, one line per resource typed in two classes declared
            disjoint, naming both classes and how it came to be in each (e.g. "<…/job/x> is
            a cg:MLJob (asserted) and a cg:DataCube (rdfs:domain of cg:westBound), …").
    """

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclasses: list[tuple[str, str]] = field(default_factory=list)
    reasoner: str = "hermit"
    seconds: float = 0.0
    message: str | None = None
    clashes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when consistent and every named class is satisfiable."""
        return self.consistent and not self.unsatisfiable

    def summary(self) -> str:
        """A few lines of plain text for a terminal or a log."""
        if not self.consistent:
            lines = [f"INCONSISTENT ontology ({self.reasoner}, {self.seconds:.1f} s)"]
            if self.message:
                lines.append(f"  reasoner says: {self.message}")
            if self.clashes:
                lines += [f"  {clash}" for clash in self.clashes]
                lines.append("  a property used outside its rdfs:domain or rdfs:range gives a "
                             "resource a second type: fix the writer or the property")
            else:
                lines.append("  look for an individual typed with classes declared disjoint")
            return "\n".join(lines)
        head = "OK" if self.ok else "UNSATISFIABLE CLASSES"
        lines = [
            f"{head}: consistent ontology ({self.reasoner}, {self.seconds:.1f} s), "
            f"{len(self.unsatisfiable)} unsatisfiable class(es), "
            f"{len(self.inferred_subclasses)} inferred subclass relation(s)"
        ]
        lines += [f"  unsatisfiable: {iri}" for iri in self.unsatisfiable]
        lines += [f"  inferred: {sub} subClassOf {sup}" for sub, sup in self.inferred_subclasses]
        return "\n".join(lines)


def check_ontology(
    extra_turtle: Iterable[str | Path | Graph] = (), *, reasoner: str = "hermit"
) -> ConsistencyReport:
    """Check the cubegraph ontology (plus extra Turtle) for consistency and classify it.

    Args:
        extra_turtle: more axioms or data to reason over with the ontology. A
            :class:`~pathlib.Path` is a file rdflib can parse (format from its suffix,
            Turtle by default); a ``str`` is Turtle text, unless it is a single line naming
            an existing file, which is then read like a Path; a :class:`~rdflib.Graph` is
            taken as it is (e.g. records read from a store).
        reasoner: ``"hermit"`` (default) or ``"pellet"``.

    Returns:
        The report. An inconsistent ontology is a normal result (``consistent=False``),
        not an exception.

    Raises:
        ValueError: ``reasoner`` is not one of :data:`REASONERS`.
        rdflib.plugins.parsers.notation3.BadSyntax: some extra Turtle does not parse.
        ReasonerError: the reasoner could not run (no Java runtime, a crash).
    """
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r}: choose one of {', '.join(REASONERS)}")
    started = time.perf_counter()
    ontology = load_ontology()
    extras = Graph()
    for extra in extra_turtle:
        _parse_extra(extras, extra)
    graph = ontology + _hermit_safe(extras, ontology)

    # owlready2 reads RDF/XML, OWL/XML or N-Triples, not Turtle: hand it N-Triples.
    fd, nt_path = tempfile.mkstemp(prefix="cubegraph-ontology-", suffix=".nt")
    os.close(fd)
    # A private World per check: the default world is process-global, and classes or
    # inferences left in it by one check would leak into the next.
    world = owlready2.World()
    try:
        graph.serialize(nt_path, format="nt", encoding="utf-8")
        world.get_ontology(Path(nt_path).as_uri()).load()
        asserted = _named_ancestors(world)
        try:
            _run_reasoner(world, reasoner)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            try:
                clashes = [str(c) for c in find_clashes(ontology, extras)]
            except ReasoningError:
                # Only the explanation needs the rule engine: the verdict stands without it.
                clashes = []
            return ConsistencyReport(
                consistent=False,
                reasoner=reasoner,
                seconds=time.perf_counter() - started,
                message=str(exc) or "the ontology has no model",
                clashes=clashes,
            )
        unsatisfiable = sorted(
            cls.iri for cls in world.inconsistent_classes() if not cls.iri.startswith(_OWL_NS)
        )
        inferred = _named_ancestors(world)
        new_pairs = sorted(
            (sub, sup)
            for sub, sups in inferred.items()
            for sup in sups - asserted.get(sub, set())
            if sub not in unsatisfiable  # an empty class is under everything: noise
        )
        return ConsistencyReport(
            consistent=True,
            unsatisfiable=unsatisfiable,
            inferred_subclasses=new_pairs,
            reasoner=reasoner,
            seconds=time.perf_counter() - started,
        )
    finally:
        world.close()
        os.unlink(nt_path)


def _parse_extra(graph: Graph, extra: str | Path | Graph) -> None:
    if isinstance(extra, Graph):
        graph += extra
        return
    if isinstance(extra, str) and "\n" not in extra and len(extra) < 4096:
        candidate = Path(extra)
        try:
            if candidate.is_file():
                extra = candidate
        except OSError:  # e.g. a Turtle one-liner too long or odd for a file name
            pass
    if isinstance(extra, Path):
        graph.parse(extra, format="turtle" if extra.suffix in ("", ".ttl") else None)
    else:
        graph.parse(data=extra, format="turtle")


def _hermit_safe(extras: Graph, ontology: Graph) -> Graph:
    """``extras`` with the literals a DL reasoner cannot read made plain strings.

    Only values of properties without a declared datatype range are rewritten: there the
    value cannot matter to consistency (the property's domain still types the subject), while
    a value outside a declared range is a finding the reasoner must see. Records carry such
    values (``dcat:temporalResolution "P1D"^^xsd:duration``, a ``NaN`` fill value), and
    without this a check of real records would fail on them instead of reasoning.
    """
    ranged = {p for p, r in ontology.subject_objects(RDFS.range) if r in _OWL2_DATATYPES}
    out = Graph()
    for s, p, o in extras:
        if isinstance(o, Literal) and o.datatype is not None and p not in ranged and (
                o.datatype not in _OWL2_DATATYPES or not _finite(o)):
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def _finite(literal: Literal) -> bool:
    # owlready2 hands a NaN or infinite xsd:double / xsd:float to the reasoner as "None",
    # which HermiT rejects as a malformed literal.
    if literal.datatype not in (XSD.double, XSD.float):
        return True
    return isinstance(literal.value, float) and math.isfinite(literal.value)


def _run_reasoner(world: owlready2.World, reasoner: str) -> None:
    try:
        if reasoner == "hermit":
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        else:
            owlready2.sync_reasoner_pellet(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise
    except (owlready2.OwlReadyJavaError, OSError) as exc:
        raise ReasonerError(
            f"{reasoner} could not run: {exc}; it needs a Java runtime (java on the PATH, "
            f"currently {owlready2.JAVA_EXE!r})"
        ) from exc


def _named_ancestors(world: owlready2.World) -> dict[str, set[str]]:
    # Named superclasses only (restrictions and unions are constructs, not classes a user
    # can name); owl:Thing is everyone's and says nothing.
    result: dict[str, set[str]] = {}
    for cls in world.classes():
        result[cls.iri] = {
            anc.iri
            for anc in cls.ancestors(include_self=False, include_constructs=False)
            if hasattr(anc, "iri") and not anc.iri.startswith(_OWL_NS)
        }
    return result
