"""The cube layer: the one place that reads (and writes) zarr stores and NetCDF files.

Everything above it -- ingest's description, ml's datasets, statistics -- reads cubes
through these functions, so a cube is catalogued exactly as it is trained on: one reader
registry, one CF decoder (fill values, packing, ``_Unsigned``), one time decoder, one CRS
detector. Only this package imports zarr, netCDF4, numcodecs or xarray
(``tests/test_layers.py`` checks it).

============================  =================================================================
module                        owns
============================  =================================================================
``registry``                  ``READERS`` (name -> (dependency, class)), ``installed_readers``,
                              ``reader_for``, ``read_metadata``
``base``                      the ``CubeReader`` interface
``zarr_reader``,              zarr v2/v3 metadata from the JSON documents; chunk reads with
``zarr_chunks``               numcodecs (coordinates) or zarr (data)
``netcdf_reader``             NetCDF-3/4 through netCDF4
``raw``                       ``RawCube`` / ``RawArray``: a store as written
``cf``                        the CF decoder of values
``times``                     CF time decoding (cftime dates; datetime64 as xarray)
``crs``                       the CRS detector and its one normalised form
``classify``                  data variables vs coordinates, axes
``axes``, ``extent``,         the description: ``interpret(raw) -> CubeMetadata``
``interpret``
``variable``                  ``open_cube``, ``open_variable``: lazily read, decoded arrays
``reads``                     ``read_many``: many reads at once on zarr's event loop
``lazy``                      decoded dask views (statistics)
``writing``                   ``write_cube``: CF zarr / NetCDF from plain arrays
============================  =================================================================
"""

from cubegraph.ingest.cubes.base import CubeReader
from cubegraph.ingest.cubes.cf import CFCoding, coding_of, decode_fill, decode_float32, decode_float64
from cubegraph.ingest.cubes.crs import CRS84, crs_label, epsg_iri, normalise_crs, same_crs
from cubegraph.ingest.cubes.interpret import interpret
from cubegraph.ingest.cubes.lazy import dask_variables
from cubegraph.ingest.cubes.netcdf_reader import NetCDFReader
from cubegraph.ingest.cubes.raw import SMALL_ARRAY, ArraySource, RawArray, RawCube
from cubegraph.ingest.cubes.reads import read_many
from cubegraph.ingest.cubes.registry import READERS, installed_readers, read_metadata, reader_for
from cubegraph.ingest.cubes.times import (
    date_on_axis,
    days_of_year,
    iso_duration,
    months_of,
    period_slice,
    years_of,
)
from cubegraph.ingest.cubes.variable import (
    CubeVariable,
    OpenCube,
    VariableRead,
    open_cube,
    open_variable,
)
from cubegraph.ingest.cubes.writing import write_cube
from cubegraph.ingest.cubes.zarr_reader import ZarrReader

__all__ = [
    "ArraySource", "CFCoding", "CRS84", "CubeReader", "CubeVariable", "NetCDFReader",
    "OpenCube", "READERS", "RawArray", "RawCube", "SMALL_ARRAY", "VariableRead", "ZarrReader",
    "coding_of", "crs_label", "date_on_axis", "days_of_year", "dask_variables", "decode_fill", "decode_float32",
    "decode_float64", "epsg_iri", "installed_readers", "interpret", "iso_duration", "months_of",
    "normalise_crs", "open_cube", "open_variable", "period_slice", "read_many", "read_metadata", "reader_for",
    "same_crs", "write_cube", "years_of",
]
