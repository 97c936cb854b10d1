"""Old home of the CF interpretation, now :mod:`cubegraph.ingest.cubes.interpret` (kept
importable for ``ingest/pipeline.py`` until its import moves there)."""

from cubegraph.ingest.cubes import interpret  # noqa: F401
