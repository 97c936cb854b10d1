"""Licences as people read them: SPDX ids for SPDX and Creative Commons IRIs."""

from __future__ import annotations

import re

__all__ = ["license_label"]

_CC = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)", re.I)


def license_label(value: str | None) -> str:
    """A short licence name: the SPDX id of an SPDX or Creative Commons IRI, else the text."""
    if not value:
        return "unknown"
    text = str(value).strip()
    if "spdx.org/licenses/" in text:
        return text.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    m = _CC.search(text)
    if m:
        kind, code, version = m.groups()
        if code == "zero":
            return f"CC0-{version}"
        return f"CC-{code.upper()}-{version}"
    return text
