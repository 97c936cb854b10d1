"""The catalog as STAC 1.1.0: one Collection per cube, built with pystac, validated offline.

- :func:`stac_catalog`: a STAC Catalog with one Collection per cube (extent, licence, links
  to the cube's IRI, its distributions as assets);
- :func:`stac_dicts`: the JSON of every object, validated offline
  (:mod:`cubegraph.api.services.stac_validation`);
- :func:`write_stac`: a self-contained catalog written to a folder.

Like the other exports (:mod:`cubegraph.api.services.catalog_export`) it reads only
asserted descriptions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pystac

from cubegraph.api.services.catalog_export import endpoint_url
from cubegraph.api.services.licences import license_label
from cubegraph.kg.records.cube import CubeRecord, read_cubes
from cubegraph.ontology.namespaces import local_name
from cubegraph.api.services.stac_validation import validate_stac_dict
from cubegraph.kg.store import Store

__all__ = ["stac_catalog", "stac_dicts", "write_stac"]

_MEDIA_TYPES = {".zarr": "application/vnd+zarr", ".nc": "application/x-netcdf",
                ".nc4": "application/x-netcdf"}


def stac_catalog(store: Store, *, root_href: str | None = None) -> pystac.Catalog:
    """A STAC 1.1.0 Catalog with one Collection per cube.

    Args:
        store: the store.
        root_href: where the catalog is published (default ``{base}stac``); the catalog is
            ``{root}/catalog.json`` and a collection ``{root}/{id}/collection.json``.

    Returns:
        The pystac catalog, hrefs normalised under ``root_href``.
    """
    root = (root_href or store.iris.base + "stac").rstrip("/")
    catalog = pystac.Catalog(
        id="cubegraph",
        title="cubegraph catalog",
        description="Earth-observation data cubes described in a cubegraph knowledge graph; "
                    "each collection is one cube, linked to its linked-data description.",
    )
    catalog.add_link(pystac.Link("service-desc", str(endpoint_url(store)),
                                 title="SPARQL 1.1 endpoint of the knowledge graph"))
    for cube in read_cubes(store):
        catalog.add_child(_collection(cube))
    catalog.normalize_hrefs(root)
    return catalog


def _collection(cube: CubeRecord) -> pystac.Collection:
    # STAC requires a spatial extent: a cube without recorded bounds gets the whole globe
    # and says so in its description, rather than a made-up box.
    bbox = list(cube.bbox) if cube.bbox else [-180.0, -90.0, 180.0, 90.0]
    start = _utc(cube.start)
    end = _utc(cube.end)
    description = cube.description or cube.title or cube.iri
    if not cube.bbox:
        description += " (spatial extent not recorded)"
    spdx = license_label(cube.license)
    collection = pystac.Collection(
        id=cube.slug,
        title=cube.title,
        description=description,
        extent=pystac.Extent(pystac.SpatialExtent([bbox]),
                             pystac.TemporalExtent([[start, end]])),
        license=spdx if _looks_spdx(spdx) else "other",
        keywords=sorted({*(cube.keywords), *(v.name for v in cube.variables if v.name)}) or None,
    )
    collection.add_link(pystac.Link("cite-as", cube.iri, title="persistent IRI of the cube"))
    collection.add_link(pystac.Link("describedby", cube.iri, media_type="text/turtle",
                                    title="linked-data description (RDF)"))
    if cube.license and cube.license.startswith("http"):
        collection.add_link(pystac.Link("license", cube.license, title=spdx))
    for i, dist in enumerate(cube.distributions):
        href = dist.download_url or dist.access_url or (
            Path(dist.source_path).as_uri() if dist.source_path else None)
        if not href:
            continue
        media = dist.media_type or _MEDIA_TYPES.get(Path(href.rstrip("/")).suffix.lower())
        collection.add_asset("data" if i == 0 else f"data-{i}", pystac.Asset(
            href=href, media_type=media, roles=["data"], title=f"{cube.slug} ({local_name(dist.iri)})",
            description=f"fingerprint {dist.fingerprint}" if dist.fingerprint else None))
    return collection


def _looks_spdx(text: str) -> bool:
    return bool(text) and " " not in text and "/" not in text and ":" not in text and text != "unknown"


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.timezone.utc) if value else None


def stac_dicts(store: Store, *, root_href: str | None = None,
               validate: bool = True) -> dict[str, dict]:
    """The JSON of the catalog and every collection, keyed by id (``"catalog"`` for the root).

    Raises:
        StacValidationFailed: an object breaks the STAC 1.1.0 schema (with ``validate``).
    """
    catalog = stac_catalog(store, root_href=root_href)
    out = {"catalog": catalog.to_dict(include_self_link=True, transform_hrefs=False)}
    for child in catalog.get_children():
        out[child.id] = child.to_dict(include_self_link=True, transform_hrefs=False)
    if validate:
        for stac in out.values():
            validate_stac_dict(stac)
    return out


def write_stac(store: Store, folder: str | Path, *, validate: bool = True) -> list[Path]:
    """Write a self-contained STAC catalog (relative links) into ``folder``.

    Returns:
        The files written.

    Raises:
        StacValidationFailed: an object breaks the STAC 1.1.0 schema (with ``validate``).
        OSError: the folder cannot be written.
    """
    folder = Path(folder)
    catalog = stac_catalog(store, root_href=str(folder.absolute()))
    if validate:
        validate_stac_dict(catalog.to_dict(include_self_link=True, transform_hrefs=False))
        for child in catalog.get_children():
            validate_stac_dict(child.to_dict(include_self_link=True, transform_hrefs=False))
    catalog.save(catalog_type=pystac.CatalogType.SELF_CONTAINED, dest_href=str(folder))
    return sorted(folder.rglob("*.json"))
