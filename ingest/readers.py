"""Old home of the cube readers, now :mod:`cubegraph.ingest.cubes` (kept importable for
``ingest/pipeline.py`` and ``api/audit.py`` until their imports move there)."""

from cubegraph.ingest.cubes import (  # noqa: F401
    SMALL_ARRAY, READERS, CubeReader, NetCDFReader, RawArray, RawCube, ZarrReader,
    installed_readers, read_metadata, reader_for,
)
