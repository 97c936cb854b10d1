"""Licences as people read them: SPDX ids for SPDX and Creative Commons IRIs."""

from __future__ import annotations

from cubegraph.kg.records.licences import licence_id

__all__ = ["license_label"]


def license_label(value: str | None) -> str:
    """A short licence name: the SPDX id of an SPDX, Creative Commons or Open Data Commons
    IRI (read by :func:`cubegraph.kg.records.licences.licence_id`), else the text."""
    if not value:
        return "unknown"
    text = str(value).strip()
    return licence_id(text) or text
