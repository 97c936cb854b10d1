"""The cube record: what is known of a cube, its dimensions and variables, before it is RDF.

These dataclasses are the contract between the cube readers (:mod:`cubegraph.ingest.cubes`,
which fill them from a zarr store or a NetCDF file, reading metadata only), ingest's semantic
resolution (which adds CF names, observables and QUDT units) and the cube's writer
(:func:`cubegraph.kg.records.cube.describe_cube`, which turns them into triples). They hold
no RDF and touch no store, so every stage can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cubegraph.kg.records.content import ContentDigest

__all__ = [
    "IngestWarning",
    "PlantedEffect",
    "VariableStats",
    "DimensionMetadata",
    "VariableMetadata",
    "ScalarCoordinate",
    "CubeMetadata",
]


@dataclass(frozen=True)
class IngestWarning:
    """An oddity found while ingesting: the cube still lands, with this note attached.

    Attributes:
        code: a stable, machine-readable kind (``"unknown-standard-name"``, ...; the full list
            is in ``docs/ingest.md``).
        message: the human sentence, naming the variable and the value at fault.
        variable: the variable (or dimension) it is about, ``None`` for the whole cube.
    """

    code: str
    message: str
    variable: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class PlantedEffect:
    """Ground truth planted by the demo generator: ``driver`` moves ``target``.

    Attributes:
        target: name of the target variable in the same cube.
        strength: the coefficient (on standardised drivers); its sign is the direction.
        lag: time steps between the driver and the target it moves.
    """

    target: str
    strength: float
    lag: int = 0


@dataclass
class VariableStats:
    """Statistics of a variable's values (only with ``stats=True``)."""

    minimum: float | None
    maximum: float | None
    mean: float | None
    missing_fraction: float


@dataclass
class DimensionMetadata:
    """One dimension of a cube, with what its coordinate variable (if any) says.

    Attributes:
        name: the dimension name in the file.
        size: number of steps.
        axis: CF axis ``"T"``, ``"X"``, ``"Y"``, ``"Z"``, or ``None`` when unknown.
        units: raw units string of the coordinate variable.
        standard_name: raw standard_name of the coordinate variable.
        calendar: CF calendar of a time coordinate.
        minimum / maximum: coordinate range: floats, or ISO 8601 strings for decoded time.
        resolution: step of a regular numeric coordinate (in ``units``).
        duration: step of a regular time coordinate as an ``xsd:duration`` (``"P1D"``).
        has_coordinate: whether a coordinate variable of that name exists.
        positive: ``"up"`` or ``"down"``, the direction of a vertical coordinate (CF 4.3).
        bounds: name of the coordinate's cell bounds variable (CF 7.1), if it names one.
        climatology: ``True`` when ``bounds`` names climatological bounds (CF 7.4).
    """

    name: str
    size: int
    axis: str | None = None
    units: str | None = None
    standard_name: str | None = None
    calendar: str | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    resolution: float | None = None
    duration: str | None = None
    has_coordinate: bool = False
    positive: str | None = None
    bounds: str | None = None
    climatology: bool = False


@dataclass
class VariableMetadata:
    """One data variable of a cube.

    The first group of attributes comes from the file; the second is filled by
    :func:`cubegraph.ingest.semantics.resolve_semantics`.

    Attributes:
        name: variable name in the file.
        dims: dimension names, in order.
        shape: sizes along ``dims``.
        dtype: numpy dtype name (``"float32"``).
        chunks: chunk shape, ``None`` when stored contiguously.
        fill_value: ``_FillValue`` / ``missing_value`` / the store's fill value.
        units: raw ``units`` attribute (``None`` when absent).
        long_name: ``long_name`` attribute.
        standard_name: the raw ``standard_name`` attribute, as written.
        attrs: every attribute, decoded to plain Python values.
        all_fill: ``True`` when the reader could tell cheaply that no value was ever written.
        cf_name: the current CF standard name (alias resolved, modifier removed), or ``None``.
        standard_name_modifier: a CF modifier (``"number_of_observations"``) if given.
        alias_given: the retired name the file used when ``cf_name`` came from an alias.
        observable: IRI (string) of what the variable measures, or ``None``.
        observable_how: the sentence saying how ``observable`` was chosen.
        qudt_unit: QUDT unit IRI (string) when the units string is known.
        derived_from: names of variables of the same cube this one was computed from.
        derived_from_iris: IRIs of variables of other cubes it was computed from (a run's
            outputs: the inputs it was computed from).
        cell_measures: ``(kind, variable name)`` pairs of the ``cell_measures`` attribute
            (CF 7.2), kind ``"area"`` or ``"volume"``.
        planted: planted ground-truth effects (demo cubes only).
        is_distractor: demo cubes: ``True`` when the variable drives nothing.
        stats: statistics (``stats=True`` only).
        about: model outputs only (set by :mod:`cubegraph.kg.records.inheritance`): IRI of
            the observable property the values are about without measuring it (a
            prediction of the target's, an attribution to a driver's), ``cg:isAbout``.
    """

    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    chunks: tuple[int, ...] | None = None
    fill_value: Any = None
    units: str | None = None
    long_name: str | None = None
    standard_name: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    all_fill: bool = False
    # --- filled by semantics.resolve_semantics ---
    cf_name: str | None = None
    standard_name_modifier: str | None = None
    alias_given: str | None = None
    observable: str | None = None
    observable_how: str | None = None
    qudt_unit: str | None = None
    derived_from: list[str] = field(default_factory=list)
    derived_from_iris: list[str] = field(default_factory=list)
    cell_measures: list[tuple[str, str]] = field(default_factory=list)
    planted: list[PlantedEffect] = field(default_factory=list)
    is_distractor: bool | None = None
    stats: VariableStats | None = None
    about: str | None = None


@dataclass
class ScalarCoordinate:
    """A coordinate with one value and no dimension (CF 5.7): the 2 m of a 2 m temperature.

    Attributes:
        name: the array's name in the file.
        axis: CF axis, ``None`` when unknown.
        units / standard_name: as written.
        value: the value: a float, an ISO 8601 string for a decoded time, ``None`` when
            unreadable (fill, text) or a date with no Gregorian equivalent.
        calendar: a time's CF calendar as written; positive: a vertical one's direction.
    """

    name: str
    axis: str | None = None
    units: str | None = None
    standard_name: str | None = None
    value: float | str | None = None
    calendar: str | None = None
    positive: str | None = None


@dataclass
class DistributionFacts:
    """What a reader learns about the stored distribution itself (shared by the reader's
    raw view and the interpreted metadata).

    Attributes:
        path: absolute path of the store or file.
        format: reader name, ``"zarr"`` or ``"netcdf"``.
        format_version: ``"2"``/``"3"`` for zarr, the NetCDF data model for NetCDF.
        media_type: media type of the distribution.
        byte_size: bytes on disk (the sum over a zarr store's files).
        fingerprint: hex sha256 of the content fingerprint (see ``fingerprint.py``).
        fingerprint_algorithm: name of the fingerprint recipe, e.g. ``"zarr-metadata+listing/v1"``.
    """

    path: Path
    format: str
    format_version: str
    media_type: str
    byte_size: int
    fingerprint: str
    fingerprint_algorithm: str

    def distribution_facts(self) -> dict[str, Any]:
        """The facts above as keyword arguments (to carry them into another record)."""
        return {f.name: getattr(self, f.name) for f in fields(DistributionFacts)}


@dataclass
class CubeMetadata(DistributionFacts):
    """Everything ingest knows about one cube before it becomes RDF.

    Attributes:
        (the :class:`DistributionFacts`, then)
        attrs: the global attributes.
        dimensions: the cube's dimensions, in file order.
        variables: the data variables (coordinates, bounds, cell measures and grid mappings
            excluded).
        scalar_coordinates: coordinates of one value and no dimension (CF 5.7).
        crs: a CRS IRI (``http://www.opengis.net/def/crs/...``) or WKT text, ``None`` if unknown.
        grid_mapping_name: CF ``grid_mapping_name`` of the cube's grid mapping, if any.
        bbox: ``(west, south, east, north)`` in decimal degrees, ``None`` when not known for
            certain (never guessed).
        time_start / time_end: ISO 8601 strings of the decoded time extent.
        time_resolution: ``xsd:duration`` of a regular time axis.
        warnings: oddities found on the way (the cube still lands).
        content: the content digest of its stored bytes, ``None`` when they were not
            hashed (a metadata-only ingest; see :mod:`cubegraph.ingest.content`).
        root_path: the path relative to the declared data root, ``None`` when there is no
            root or the cube lies outside it (see :mod:`cubegraph.kg.locations`).
        inherited: ACDD global attributes (``license``, ``creator_name``, ``date_created``)
            a model output takes from its run and inputs where its own file has none (set
            by :mod:`cubegraph.kg.records.inheritance`); read after the file's own.
    """

    attrs: dict[str, Any] = field(default_factory=dict)
    dimensions: list[DimensionMetadata] = field(default_factory=list)
    variables: list[VariableMetadata] = field(default_factory=list)
    scalar_coordinates: list[ScalarCoordinate] = field(default_factory=list)
    crs: str | None = None
    grid_mapping_name: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    time_start: str | None = None
    time_end: str | None = None
    time_resolution: str | None = None
    warnings: list[IngestWarning] = field(default_factory=list)
    content: ContentDigest | None = None
    root_path: str | None = None
    inherited: dict[str, str] = field(default_factory=dict)

    # --- ACDD / CF attributes, read through one place ---------------------------------------
    def _attr(self, *names: str) -> str | None:
        for source in (self.attrs, self.inherited):
            for name in names:
                value = source.get(name)
                if value not in (None, ""):
                    return str(value)
        return None

    @property
    def title(self) -> str | None:
        return self._attr("title", "long_name")

    @property
    def summary(self) -> str | None:
        return self._attr("summary", "description", "comment")

    @property
    def license(self) -> str | None:
        return self._attr("license", "licence")

    @property
    def creator(self) -> str | None:
        return self._attr("creator_name", "creator", "institution")

    @property
    def created(self) -> str | None:
        """When the data were made (``dct:created``): inherited only. A file's own
        ``date_created`` means different things in different files (the file, the data, a
        version of either), so it is not read as this."""
        return self.inherited.get("date_created") or None

    @property
    def conventions(self) -> str | None:
        return self._attr("Conventions", "conventions")

    def warn(self, code: str, message: str, variable: str | None = None) -> None:
        """Record a warning once (the same code and message are not repeated)."""
        note = IngestWarning(code, message, variable)
        if note not in self.warnings:
            self.warnings.append(note)

    def variable(self, name: str) -> VariableMetadata:
        """The data variable called ``name``.

        Raises:
            KeyError: when the cube has no data variable of that name.
        """
        for var in self.variables:
            if var.name == name:
                return var
        raise KeyError(f"cube {self.path.name!r} has no data variable {name!r}")
