"""Content digests: what a cube's bytes were, leaf by leaf, so a change can be located.

A *content digest* is a two-level hash tree over a distribution's stored bytes:

- **leaves**: the sha256 of each stored piece, as it lies on disk (compressed, never
  decoded): every chunk file of a zarr store (key: its path inside the store) and every
  metadata document; every stored chunk of a NetCDF-4 (HDF5) file's variables (key: the
  chunk's index and byte range, ``"3.0.0 (bytes A-B)"``) and every other range of the file
  (its metadata, in blocks: ``"bytes A-B"``); or every fixed-size block of any other file
  (a classic NetCDF file; key ``"bytes A-B"``);
- **parts**: the leaves grouped by what they hold: one part per zarr array (its folder
  inside the store) or HDF5 dataset (its path in the file), ``"(metadata)"`` for metadata
  documents and ranges, and ``"(file)"`` for the blocks of a file read as blocks; a part's
  digest is the sha256 of its sorted ``"key hex"`` lines;
- **root**: the sha256 of the algorithm name and the sorted ``"part hex"`` lines.

Equal roots mean equal bytes (up to sha256); unequal roots are explained by
:func:`differences`, which names the part (the variable) and the leaf (the chunk file or
byte range) that changed, appeared or vanished. The whole tree is kept in the graph as one
JSON literal (``cg:contentManifest``) beside its root (``cg:contentDigest``), so an audit
can re-hash the bytes and compare them with nothing but the graph.

This module only models and compares digests; :mod:`cubegraph.ingest.content` computes
them from disk.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

__all__ = ["ContentDigest", "METADATA_PART", "FILE_PART", "ZARR_ALGORITHM", "HDF5_ALGORITHM",
           "NETCDF_ALGORITHM", "byte_range",
           "part_digest", "root_digest", "differences", "CONTENT", "METADATA_ONLY"]

ZARR_ALGORITHM = "zarr-chunk-tree/v1"
HDF5_ALGORITHM = "hdf5-chunk-tree/v1"
NETCDF_ALGORITHM = "file-block-tree/v1"
METADATA_PART = "(metadata)"
FILE_PART = "(file)"

#: ``cg:checksumLevel`` values: the graph says whether a cube's content was hashed.
CONTENT = "content"
METADATA_ONLY = "metadata"


def part_digest(leaves: dict[str, str]) -> str:
    """The digest of one part: sha256 over its sorted ``"key hex"`` lines."""
    h = hashlib.sha256()
    for key in sorted(leaves):
        h.update(f"{key} {leaves[key]}\n".encode())
    return h.hexdigest()


def root_digest(algorithm: str, parts: dict[str, str]) -> str:
    """The root digest: sha256 over the algorithm name and the sorted ``"part hex"`` lines."""
    h = hashlib.sha256(f"cubegraph {algorithm}\n".encode())
    for name in sorted(parts):
        h.update(f"{name} {parts[name]}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class ContentDigest:
    """A distribution's content digest (see the module docstring).

    Attributes:
        algorithm: ``"zarr-chunk-tree/v1"``, ``"hdf5-chunk-tree/v1"`` or
            ``"file-block-tree/v1"``.
        leaves: part -> {leaf key -> sha256 hex}.
        byte_count: how many bytes were hashed.
        block_size: the block size of a file-block tree (0 for zarr).
    """

    algorithm: str
    leaves: dict[str, dict[str, str]] = field(default_factory=dict)
    byte_count: int = 0
    block_size: int = 0

    @property
    def parts(self) -> dict[str, str]:
        """part -> its digest."""
        return {name: part_digest(leaves) for name, leaves in self.leaves.items()}

    @property
    def root(self) -> str:
        return root_digest(self.algorithm, self.parts)

    @property
    def leaf_count(self) -> int:
        return sum(len(v) for v in self.leaves.values())

    def to_text(self) -> str:
        """The manifest as compact JSON (``cg:contentManifest``)."""
        return json.dumps({"algorithm": self.algorithm, "bytes": self.byte_count,
                           "block": self.block_size, "leaves": self.leaves},
                          sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> ContentDigest:
        """Parse a manifest written by :meth:`to_text`.

        Raises:
            ValueError: the text is not such a manifest.
        """
        try:
            data = json.loads(text)
            leaves = {str(p): {str(k): str(v) for k, v in lv.items()}
                      for p, lv in data["leaves"].items()}
            return cls(str(data["algorithm"]), leaves, int(data.get("bytes", 0)),
                       int(data.get("block", 0)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a cubegraph content manifest: {exc}") from exc

    def restricted(self, keys: dict[str, set[str]]) -> ContentDigest:
        """The same digest over only some leaves (part -> keys), e.g. the chunks a run read."""
        return ContentDigest(self.algorithm,
                             {p: {k: h for k, h in self.leaves.get(p, {}).items() if k in ks}
                              for p, ks in keys.items()},
                             0, self.block_size)


def differences(recorded: ContentDigest, now: ContentDigest, *, limit: int = 20) -> list[str]:
    """What changed between two digests, one sentence per changed leaf (at most ``limit``,
    then a count), naming the part (variable) and the leaf (chunk file or byte range).

    Empty exactly when the roots are equal.
    """
    if recorded.algorithm != now.algorithm:
        return [f"content recipe: recorded {recorded.algorithm}, now {now.algorithm}"]
    if recorded.block_size != now.block_size:
        return [f"block size: recorded {recorded.block_size}, now {now.block_size}"]
    out: list[str] = []
    for part in sorted(set(recorded.leaves) | set(now.leaves)):
        before, after = recorded.leaves.get(part), now.leaves.get(part)
        what = _part_words(part)
        if after is None:
            out.append(f"{what}: every stored piece is gone ({len(before)} recorded)")
            continue
        if before is None:
            out.append(f"{what}: not recorded, now {len(after)} stored pieces")
            continue
        for key in sorted(set(before) | set(after)):
            if key not in after:
                out.append(f"{what}: {_leaf_words(part, key)} is gone")
            elif key not in before:
                out.append(f"{what}: {_leaf_words(part, key)} was not recorded")
            elif before[key] != after[key]:
                out.append(f"{what}: {_leaf_words(part, key)} changed "
                           f"(sha256 {before[key][:12]}… now {after[key][:12]}…)")
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more changed pieces"]
    return out


def byte_range(key: str) -> tuple[int, int] | None:
    """``(first, last)`` byte of a leaf of a single-file tree (its key ends in
    ``"bytes A-B"``), ``None`` for a zarr leaf."""
    m = _RANGE.search(key)
    return (int(m.group(1)), int(m.group(2))) if m else None


_RANGE = re.compile(r"bytes (\d+)-(\d+)\)?$")


def _part_words(part: str) -> str:
    if part == METADATA_PART:
        return "metadata"
    if part == FILE_PART:
        return "file"
    return f"variable '{part}'"


def _leaf_words(part: str, key: str) -> str:
    if key.startswith("bytes "):
        return key
    if part == METADATA_PART:
        return f"document {key}"
    return f"chunk {key}"
