"""The graph's nouns: one module per kind of record cubegraph keeps in the graph.

Each module owns one noun end to end: the IRIs it mints (through :class:`~cubegraph.kg.iris.Iris`),
the triples that describe it, and the typed queries that read it back. No SPARQL text about a
noun lives anywhere else (``tests/test_layers.py`` checks it), so the shape of the graph is
written down once and every writer and reader agrees on it.

- :mod:`.cube` and :mod:`.variable`: a catalogued data cube, its dimensions, distribution and
  variables (written by ingest, read by discovery, exports, the audit and the pages);
- :mod:`.job`: an ML job spec as a ``cg:MLJob`` / ``prov:Plan``;
- :mod:`.selection`: the inputs chosen for a job (``cg:InputSelection``) and the queries that
  choose them;
- :mod:`.run`: a model run (ML-Schema + PROV-O): inputs, hyper-parameters, model,
  evaluations, derived features, usages of cubes, outputs;
- :mod:`.attribution`: a run's explanation and its per-variable attributions;
- :mod:`.phenomenon`: the phenomenon taxonomy as the store holds it (facets, catalog groups);
- :mod:`.lineage`: which links lead from a resource back to its sources (the audit's walk);
- :mod:`.cube_metadata`: the plain record of a cube the readers fill before it is RDF.

Records are plain frozen dataclasses of strings and numbers; writers return rdflib graphs (or
N-Triples text where ingest's volume needs it) and never touch a store; readers take a
:class:`~cubegraph.kg.store.Store` and bind every value, never paste it.
"""
