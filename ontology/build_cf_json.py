"""Regenerate ``ontology/cf-standard-names-v93.json`` from the official CF table XML.

The bundled JSON is what :mod:`cubegraph.ontology.cf_table` reads at run time: a compact
copy of the CF Standard Name Table (names, canonical units, aliases; no descriptions), so
an installed cubegraph needs neither the 4.5 MB XML nor a network connection.

Usage::

    python -m cubegraph.ontology.build_cf_json /path/to/cf-standard-name-table-v93.xml
    python ontology/build_cf_json.py [XML] [--out JSON]

Without arguments the XML is read from the ``real_data`` folder (the setting of
:mod:`cubegraph.config`, ``CUBEGRAPH_REAL_DATA``; it holds the project's copy of the table
shipped by compliance-checker 6.1.0) and the JSON is written beside this file.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from cubegraph.config import load_settings

#: The official table's file name in the ``real_data`` folder (see its README.md).
CF_XML_NAME = "cf-standard-name-table-v93.xml"
#: The bundled JSON, inside the package so installs carry it.
DEFAULT_JSON = Path(__file__).with_name("cf-standard-names-v93.json")


def parse_cf_xml(path: str | Path) -> dict:
    """Parse the CF standard name table XML into the compact JSON structure.

    Args:
        path: the ``cf-standard-name-table-*.xml`` file.

    Returns:
        ``{"version": int, "entries": {name: canonical_units}, "aliases": {old: new}}``
        with both mappings sorted by name, so regenerating gives byte-identical output.

    Raises:
        FileNotFoundError: the XML does not exist.
        ValueError: the XML has no ``<version_number>`` or an alias without ``<entry_id>``.
        xml.etree.ElementTree.ParseError: the file is not well-formed XML.
    """
    root = ET.parse(path).getroot()
    version_text = root.findtext("version_number")
    if not version_text:
        raise ValueError(f"{path}: no <version_number> in the CF table")
    entries: dict[str, str] = {}
    for entry in root.iter("entry"):
        # <entry_id> elements inside <alias> are not <entry>, so iter("entry") is safe.
        entries[entry.attrib["id"]] = (entry.findtext("canonical_units") or "").strip()
    aliases: dict[str, str] = {}
    for alias in root.iter("alias"):
        target = (alias.findtext("entry_id") or "").strip()
        if not target:
            raise ValueError(f"{path}: alias {alias.attrib.get('id')!r} has no <entry_id>")
        aliases[alias.attrib["id"]] = target
    return {
        "version": int(version_text.strip()),
        "entries": dict(sorted(entries.items())),
        "aliases": dict(sorted(aliases.items())),
    }


def write_json(table: dict, out: str | Path) -> None:
    """Write the compact table as JSON (one entry per line, so diffs stay readable).

    Args:
        table: the structure returned by :func:`parse_cf_xml`.
        out: destination file.

    Raises:
        OSError: the file cannot be written.
    """
    Path(out).write_text(json.dumps(table, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


def default_xml() -> Path:
    """The official table in the ``real_data`` folder of the settings.

    Raises:
        cubegraph.config.ConfigError: the settings (a config file) are invalid.
    """
    return Path(load_settings().real_data) / CF_XML_NAME


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", nargs="?", help="CF table XML (default: the real_data folder's)")
    parser.add_argument("--out", default=str(DEFAULT_JSON), help="JSON to write")
    args = parser.parse_args(argv)
    table = parse_cf_xml(args.xml or default_xml())
    write_json(table, args.out)
    print(
        f"wrote {args.out}: CF table v{table['version']}, "
        f"{len(table['entries'])} entries, {len(table['aliases'])} aliases"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
