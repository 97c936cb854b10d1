"""Helpers shared by tests (importable as ``tests_support`` thanks to conftest's path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cubegraph.config import load_settings

#: The write token the server tests configure.
SERVER_TOKEN = "test-token-3f9a"

REPO = Path(__file__).resolve().parents[1]
#: Real CF files written by others (read-only; see its README): the ``real_data`` setting.
REAL_DATA = Path(load_settings().real_data)


def run_cli(*args: str, cwd: Path, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``cubegraph`` console script in a subprocess (no inherited store)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CUBEGRAPH_")}
    full_env.update(env or {})
    exe = Path(sys.executable).with_name("cubegraph")
    return subprocess.run([str(exe), *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Client:
    """Raw HTTP (urllib) against a running server."""

    def __init__(self, url: str):
        self.url = url

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: dict | None = None, params: dict | list | None = None) -> Reply:
        url = self.url + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, doseq=True)
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def query(self, sparql: str, accept: str | None = None, **params) -> Reply:
        headers = {"Accept": accept} if accept else {}
        return self.get("sparql", params={"query": sparql, **params}, headers=headers)

    def update(self, sparql: str, token: str | None = SERVER_TOKEN, path: str = "sparql") -> Reply:
        headers = {"Content-Type": "application/sparql-update"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, data=sparql.encode(), headers=headers)


def catalogued_cube(iris, slug: str, variables: dict, *, bbox=(19.5, 35.0, 28.5, 41.5),
                    start: str = "2020-01-01", end: str = "2022-12-31", res: str = "P1D",
                    derived: dict | None = None, title: str | None = None):
    """``(cube IRI, graph)``: a cube as ingest records it, written by the cube's own writer
    (:func:`cubegraph.kg.records.cube.describe_cube`), never by hand.

    Args:
        variables: name -> observable IRI (``cg:measures``).
        bbox / start / end / res: the extent, period (dates) and time step; ``bbox=None``
            is a cube whose extent is not known, ``res=None`` one without a regular step.
        derived: name -> the name of the variable it is derived from.
        title: the cube's title (default: from the slug).
    """
    from cubegraph.kg.records.cube import describe_cube
    from cubegraph.kg.records.cube_metadata import CubeMetadata, DimensionMetadata, VariableMetadata

    t0, t1 = f"{start}T00:00:00", f"{end}T00:00:00"
    dims = ("time", "lat", "lon")
    meta = CubeMetadata(
        path=Path(f"/data/{slug}.zarr"), format="zarr", format_version="3",
        media_type="application/vnd+zarr", byte_size=1, fingerprint="00" * 32,
        fingerprint_algorithm="zarr-metadata+listing/v1",
        attrs={"title": title or f"the {slug} cube"},
        dimensions=[DimensionMetadata("time", 2, "T", "days since 1970-01-01", "time", "standard",
                                      t0, t1, None, res, True),
                    DimensionMetadata("lat", 2, "Y", "degrees_north", "latitude", None,
                                      *((bbox[1], bbox[3]) if bbox else (None, None)), None, None, True),
                    DimensionMetadata("lon", 2, "X", "degrees_east", "longitude", None,
                                      *((bbox[0], bbox[2]) if bbox else (None, None)), None, None, True)],
        variables=[VariableMetadata(name, dims, (2, 2, 2), "float32", observable=str(obs),
                                    derived_from=[(derived or {})[name]] if name in (derived or {}) else [])
                   for name, obs in variables.items()],
        crs="http://www.opengis.net/def/crs/OGC/1.3/CRS84", bbox=tuple(bbox) if bbox else None,
        time_start=t0, time_end=t1, time_resolution=res)
    return iris.cube(slug), describe_cube(meta, iris, slug=slug, ingested_at="2026-01-01T00:00:00+00:00")


def write_example(path: Path, kind: str) -> Path:
    """A small CF cube written here (no shared data needed): ``q(lat, lon)`` with latitude
    and longitude coordinates, as ``"zarr3"`` / ``"zarr2"`` (one chunk per array: ``q/c/0/0``,
    ``lat/c/0``), ``"netcdf4"`` (HDF5, ``q`` in 2 x 4 chunks) or ``"classic"`` (NetCDF-3)."""
    import numpy as np
    import xarray as xr

    ds = xr.Dataset(
        {"q": (("lat", "lon"), np.arange(40, dtype="float64").reshape(5, 8),
               {"standard_name": "specific_humidity", "units": "1"})},
        coords={"lat": ("lat", np.linspace(-75.0, 75.0, 5),
                        {"standard_name": "latitude", "units": "degrees_north"}),
                "lon": ("lon", np.linspace(22.5, 337.5, 8),
                        {"standard_name": "longitude", "units": "degrees_east"})},
        attrs={"Conventions": "CF-1.8", "title": "example"})
    if kind in ("zarr3", "zarr2"):
        ds.to_zarr(path, zarr_format=3 if kind == "zarr3" else 2, consolidated=False, mode="w")
    elif kind == "netcdf4":
        ds.to_netcdf(path, format="NETCDF4", engine="netcdf4",
                     encoding={"q": {"chunksizes": (2, 4), "zlib": True}})
    elif kind == "classic":
        ds.to_netcdf(path, format="NETCDF3_CLASSIC", engine="netcdf4")
    else:
        raise ValueError(kind)
    return path
