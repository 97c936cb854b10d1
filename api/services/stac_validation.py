"""Validating exported STAC objects OFFLINE, against the official STAC JSON Schemas.

pystac's ``validate()`` fetches schemas over the network when they are not in its cache.
Since pystac 1.13 the package itself ships the STAC v1.1.0 core schemas (catalog,
collection, item and the item-spec fragments) and the GeoJSON ones as package data
(``pystac/validation/jsonschemas/``) and seeds its validator's cache with them. No PyPI
package ships the schemas of other STAC versions or of extensions, so cubegraph:

- writes STAC 1.1.0 core objects only (no ``stac_extensions``), and
- validates through :class:`OfflineSTACValidator`, pystac's own
  ``JsonSchemaSTACValidator`` with network fetching REFUSED: a schema missing from the
  packaged cache is an error naming it, never a download.

Each object is also round-tripped through pystac (``from_dict`` then ``to_dict``), which
catches what the schema allows but pystac's object model cannot read back.
"""

from __future__ import annotations

from typing import Any

import pystac
from pystac.validation import validate_dict
from pystac.validation.stac_validator import GetSchemaError, JsonSchemaSTACValidator

from cubegraph.api.services.errors import StacValidationFailed

__all__ = ["OfflineSTACValidator", "validate_stac_dict", "STAC_VERSION"]

#: The STAC version cubegraph writes: the one whose schemas pystac ships.
STAC_VERSION = "1.1.0"


class OfflineSTACValidator(JsonSchemaSTACValidator):
    """pystac's JSON Schema validator restricted to the schemas packaged with pystac."""

    def _get_schema(self, schema_uri: str) -> dict[str, Any]:
        # The parent would fetch a cache miss over HTTP; here a miss is a hard error, so a
        # validation never depends on the network (and never silently skips a schema).
        if schema_uri not in self.schema_cache:
            raise GetSchemaError(
                schema_uri,
                LookupError(f"schema {schema_uri} is not packaged with pystac "
                            f"{pystac.__version__}; cubegraph validates offline only"),
            )
        return self.schema_cache[schema_uri]


def validate_stac_dict(stac: dict) -> list[str]:
    """Validate one STAC object (catalog, collection or item) offline and round-trip it.

    Args:
        stac: the object as a JSON-ready dict.

    Returns:
        The URIs of the schemas it was validated against.

    Raises:
        StacValidationFailed: it breaks its JSON Schema, names a version or extension
            whose schema is not available offline, or does not survive a pystac round trip.
    """
    ident = stac.get("id", "?")
    if stac.get("stac_version") != STAC_VERSION:
        raise StacValidationFailed(
            f"STAC object {ident!r} declares version {stac.get('stac_version')!r}; only "
            f"{STAC_VERSION} can be validated offline")
    if stac.get("stac_extensions"):
        raise StacValidationFailed(
            f"STAC object {ident!r} declares extensions {stac['stac_extensions']}; their "
            "schemas are not available offline")
    try:
        uris = validate_dict(stac, validator=OfflineSTACValidator())
    except pystac.STACValidationError as exc:
        raise StacValidationFailed(f"STAC object {ident!r} is invalid: {exc}", exc) from exc
    except GetSchemaError as exc:
        raise StacValidationFailed(f"STAC object {ident!r} cannot be validated offline: {exc}",
                                   exc) from exc
    _round_trip(stac)
    return [str(u) for u in uris]


def _round_trip(stac: dict) -> None:
    kind = stac.get("type")
    cls = {"Catalog": pystac.Catalog, "Collection": pystac.Collection}.get(kind)
    if cls is None:
        raise StacValidationFailed(f"STAC object {stac.get('id')!r} has type {kind!r}; "
                                   "cubegraph exports only catalogs and collections")
    try:
        again = cls.from_dict(stac, migrate=False, preserve_dict=True).to_dict(
            include_self_link=True, transform_hrefs=False)
    except Exception as exc:  # pystac raises assorted errors on malformed input
        raise StacValidationFailed(f"STAC object {stac.get('id')!r} cannot be read back by "
                                   f"pystac: {exc}", exc) from exc
    for key in ("id", "type", "stac_version", "description", "license", "extent"):
        if key in stac and again.get(key) != stac[key]:
            raise StacValidationFailed(
                f"STAC object {stac.get('id')!r}: field {key!r} changes in a pystac round "
                f"trip ({stac[key]!r} -> {again.get(key)!r})")
