"""The CF Standard Name Table (version 93): names, canonical units, aliases, modifiers.

Owns the run-time view of the table. It reads the compact JSON bundled beside this module
(``cf-standard-names-v93.json``, made by ``build_cf_json.py`` from the official XML), so
nothing here needs the network or the 4.5 MB XML. Lookups never raise for names the table
does not know: unknown is an ordinary answer when reading other people's files.

Example:
    >>> table = CFTable.load()
    >>> table.version
    93
    >>> table.resolve("air_pressure_at_sea_level")
    ('air_pressure_at_mean_sea_level', 'air_pressure_at_sea_level')
    >>> table.canonical_units("air_temperature")
    'K'
    >>> parse_standard_name("air_temperature standard_error")
    ('air_temperature', 'standard_error')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from cubegraph.ontology.errors import OntologyError

__all__ = ["CF_JSON_PATH", "CF_MODIFIERS", "CFTable", "parse_standard_name"]

#: The bundled compact table.
CF_JSON_PATH: Path = Path(__file__).with_name("cf-standard-names-v93.json")

#: Standard name modifiers (CF conventions, Appendix C). A variable whose standard_name
#: carries one holds something *about* the named quantity (its error, a count, a flag),
#: not the quantity itself.
CF_MODIFIERS: frozenset[str] = frozenset(
    {"detection_minimum", "number_of_observations", "standard_error", "status_flag"}
)


# eq=False: tables compare and hash by identity (the mappings inside are not hashable).
@dataclass(frozen=True, eq=False)
class CFTable:
    """One version of the CF standard name table.

    Attributes:
        version: the table's version number (93 for the bundled table).
        entries: read-only mapping of every current standard name to its canonical units
            (``""`` where the table gives none, e.g. ``area_type``).
        aliases: read-only mapping of every retired name (alias) to the name that
            replaced it.
    """

    version: int
    entries: Mapping[str, str] = field(repr=False)
    aliases: Mapping[str, str] = field(repr=False)

    @classmethod
    def load(cls) -> "CFTable":
        """Return the bundled table (parsed once per process, then shared; it is immutable).

        Returns:
            The CF table of the bundled JSON.

        Raises:
            OntologyError: the bundled JSON is missing or malformed (a broken install).
        """
        return _load_bundled()

    def __contains__(self, name: object) -> bool:
        """True if ``name`` is a current standard name or an alias of one."""
        return isinstance(name, str) and (name in self.entries or name in self.aliases)

    def __len__(self) -> int:
        """Number of current entries (aliases not counted)."""
        return len(self.entries)

    def is_current(self, name: str) -> bool:
        """True if ``name`` is a current entry of the table (not only an alias)."""
        return name in self.entries

    def resolve(self, name: str) -> tuple[str, str | None]:
        """Resolve a standard name through the alias list.

        A current entry resolves to itself, even when the table also lists it as an alias
        (v93 has three such names). Alias chains are followed to their end.

        Args:
            name: a standard name as written in a file (without modifier; see
                :func:`parse_standard_name`).

        Returns:
            ``(current_name, alias_given)``: ``alias_given`` is ``name`` when it was an
            alias and ``None`` otherwise. A name the table does not know comes back
            unchanged as ``(name, None)``; use ``name in table`` to tell it apart.
        """
        if name in self.entries or name not in self.aliases:
            return name, None
        current, seen = name, {name}
        while current not in self.entries and current in self.aliases:
            current = self.aliases[current]
            if current in seen:  # a cycle would be a table bug; stop rather than loop
                break
            seen.add(current)
        return current, name

    def canonical_units(self, name: str) -> str | None:
        """Canonical units of a standard name, resolving aliases.

        Args:
            name: a current standard name or an alias.

        Returns:
            The units string (``""`` for names without units, such as ``area_type``), or
            ``None`` when the table does not know the name.
        """
        current, _alias = self.resolve(name)
        return self.entries.get(current)


def parse_standard_name(attr: str) -> tuple[str, str | None]:
    """Split a CF ``standard_name`` attribute into the name and its modifier.

    CF allows ``"<name> <modifier>"`` with the modifiers of :data:`CF_MODIFIERS`
    (e.g. ``"air_temperature standard_error"``). Anything else after a space is not a
    modifier: the whole (space-normalised) text is returned as the name with no modifier,
    so it fails the table lookup instead of passing for the quantity (``"air_temperature
    data_quality"`` must not read as air temperature).

    Args:
        attr: the attribute value as written in the file.

    Returns:
        ``(name, modifier)``, ``modifier`` being ``None`` when there is none. Surrounding
        whitespace is stripped; an empty attribute gives ``("", None)``.
    """
    words = attr.split()
    if len(words) == 2 and words[1] in CF_MODIFIERS:
        return words[0], words[1]
    return " ".join(words), None


@lru_cache(maxsize=1)
def _load_bundled() -> CFTable:
    try:
        raw = json.loads(CF_JSON_PATH.read_text(encoding="utf-8"))
        return CFTable(
            version=int(raw["version"]),
            entries=MappingProxyType(dict(raw["entries"])),
            aliases=MappingProxyType(dict(raw["aliases"])),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OntologyError(
            f"cannot read the bundled CF standard name table {str(CF_JSON_PATH)!r}: {exc}; "
            "regenerate it with 'python -m cubegraph.ontology.build_cf_json' or reinstall"
        ) from exc
