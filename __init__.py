"""cubegraph: a semantic knowledge graph for Earth-observation data cubes and explainable ML.

The repository root is the package: ``cubegraph.ontology``, ``cubegraph.kg``,
``cubegraph.ingest``, ``cubegraph.reasoning``, ``cubegraph.ml``, ``cubegraph.api``.
Layers call only down the flow: api -> ml -> reasoning/ingest -> kg -> ontology.
"""

__version__ = "0.1.0"
