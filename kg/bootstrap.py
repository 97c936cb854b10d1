"""Putting the ontology and the SHACL shapes into a store (``cubegraph init``).

Both go into named graphs of their own, replaced as one transaction, so re-running init
after the ontology changed swaps the old terms for the new ones. Then the records a store
kept from an older cubegraph (jobs and selections in an earlier layout, cubes whose dates
carry no timezone) are moved to the current one, one atomic update per kind (:func:`old_records`); nothing else is touched.
"""

from __future__ import annotations

from cubegraph.kg.records import job as _job
from cubegraph.kg.records import selection as _selection
from cubegraph.kg.records.cube import old_layouts as _cube
from cubegraph.kg.store import Store
from cubegraph.ontology import load_ontology, load_shapes


def init_store(store: Store) -> dict[str, int]:
    """Load (or reload) the ontology and the shapes; return triples per graph written."""
    ontology, shapes = load_ontology(), load_shapes()
    old = old_records(store)
    with store.transaction() as tx:
        tx.replace_graph(store.iris.ontology_graph, ontology)
        tx.replace_graph(store.iris.shapes_graph, shapes)
    # Each kind in its own update (Oxigraph takes no PREFIX after the first operation of a
    # request); each is atomic, and an init stopped between them finishes the rest next time.
    for noun, n in old.items():
        if n:
            store.update(_UPGRADES[noun])
    return {str(store.iris.ontology_graph): len(ontology), str(store.iris.shapes_graph): len(shapes)}


def is_initialised(store: Store) -> bool:
    """True once the ontology graph is in the store."""
    return store.has_graph(store.iris.ontology_graph)


_COUNTS = {"jobs": _job.OLD_LAYOUT_COUNT, "selections": _selection.OLD_LAYOUT_COUNT,
           "cubes": _cube.OLD_LAYOUT_COUNT}
_UPGRADES = {"jobs": _job.OLD_LAYOUT_UPGRADE, "selections": _selection.OLD_LAYOUT_UPGRADE,
             "cubes": _cube.OLD_LAYOUT_UPGRADE}


def old_records(store: Store) -> dict[str, int]:
    """Records in a layout an older cubegraph wrote, per kind (``jobs``, ``selections``,
    ``cubes``: dates without a timezone): what :func:`init_store` moves to the current layout."""
    out = {}
    for noun, query in _COUNTS.items():
        rows = store.query(query).rows()
        out[noun] = int(rows[0]["n"]) if rows else 0
    return out
