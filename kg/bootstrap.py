"""Putting the ontology and the SHACL shapes into a store (``cubegraph init``).

Both go into named graphs of their own, replaced as one transaction, so re-running init
after the ontology changed swaps the old terms for the new ones and touches nothing else.
"""

from __future__ import annotations

from cubegraph.kg.store import Store
from cubegraph.ontology import load_ontology, load_shapes


def init_store(store: Store) -> dict[str, int]:
    """Load (or reload) the ontology and the shapes; return triples per graph written."""
    ontology, shapes = load_ontology(), load_shapes()
    with store.transaction() as tx:
        tx.replace_graph(store.iris.ontology_graph, ontology)
        tx.replace_graph(store.iris.shapes_graph, shapes)
    return {str(store.iris.ontology_graph): len(ontology), str(store.iris.shapes_graph): len(shapes)}


def is_initialised(store: Store) -> bool:
    """True once the ontology graph is in the store."""
    return store.has_graph(store.iris.ontology_graph)
