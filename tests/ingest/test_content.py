"""Content digests: every stored byte hashed, a change located, and the graph saying which."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from tests_support import write_example

from cubegraph.ingest.content import (
    AUTO_LIMIT,
    BLOCK_SIZE,
    ChecksumModeError,
    digest_content,
    wants_content,
    zarr_part_of,
)
from cubegraph.ingest.pipeline import ingest_cube, ingest_paths
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.kg.records.content import (
    FILE_PART,
    METADATA_PART,
    ContentDigest,
    differences,
)
from cubegraph.ontology.namespaces import CG


def flip_byte(path: Path, offset: int | None = None) -> None:
    """Change one byte of a file in place, keeping its size."""
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def chunk_files(store: Path) -> list[Path]:
    return sorted(p for p in store.rglob("*") if p.is_file()
                  and p.name not in {"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"})


@pytest.fixture
def zarr3(tmp_path) -> Path:
    return write_example(tmp_path / "example.zarr", "zarr3")


def test_a_zarr_digest_has_every_file_as_a_leaf_in_its_arrays_part(zarr3):
    digest = digest_content(zarr3)
    files = {p.relative_to(zarr3).as_posix(): p for p in zarr3.rglob("*") if p.is_file()}
    leaves = {k: h for part in digest.leaves.values() for k, h in part.items()}
    assert leaves == {rel: hashlib.sha256(p.read_bytes()).hexdigest() for rel, p in files.items()}
    assert digest.leaves["q"] == {"q/c/0/0": leaves["q/c/0/0"]}
    assert set(digest.leaves[METADATA_PART]) == {rel for rel in files if rel.endswith("zarr.json")}
    assert digest.byte_count == sum(p.stat().st_size for p in files.values())
    assert digest_content(zarr3).root == digest.root  # deterministic


def test_one_byte_in_any_chunk_names_its_variable_and_chunk(zarr3):
    before = digest_content(zarr3)
    for chunk in chunk_files(zarr3):
        original = chunk.read_bytes()
        flip_byte(chunk)
        after = digest_content(zarr3)
        rel = chunk.relative_to(zarr3).as_posix()
        assert after.root != before.root, rel
        found = differences(before, after)
        assert len(found) == 1, found
        assert f"variable '{rel.split('/')[0]}': chunk {rel} changed" in found[0]
        chunk.write_bytes(original)
    assert differences(before, digest_content(zarr3)) == []


def test_a_chunk_gone_or_added_is_named(zarr3):
    before = digest_content(zarr3)
    (zarr3 / "q" / "c" / "0" / "0").unlink()
    (zarr3 / "lat" / "c" / "1").write_bytes(b"extra")
    found = differences(before, digest_content(zarr3))
    assert "variable 'q': chunk q/c/0/0 is gone" in found
    assert "variable 'lat': chunk lat/c/1 was not recorded" in found


def test_a_file_digest_locates_a_change_by_byte_range(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * (3 * BLOCK_SIZE // 256 + 10))
    before = digest_content(path, workers=2)
    assert list(before.leaves) == [FILE_PART] and before.leaf_count == 4
    assert before.byte_count == path.stat().st_size
    flip_byte(path, BLOCK_SIZE + 5)
    found = differences(before, digest_content(path))
    assert found == [f"file: bytes {BLOCK_SIZE}-{2 * BLOCK_SIZE - 1} changed "
                     + found[0].split(" changed ")[1]]


def test_the_manifest_round_trips_and_the_root_follows_the_leaves(zarr3):
    digest = digest_content(zarr3)
    again = ContentDigest.from_text(digest.to_text())
    assert again == digest and again.root == digest.root
    with pytest.raises(ValueError, match="not a cubegraph content manifest"):
        ContentDigest.from_text('{"leaves": 3}')


def test_parts_go_to_the_innermost_array():
    arrays = ["grp", "grp/inner"]
    assert zarr_part_of("grp/inner/c/0", arrays) == "grp/inner"
    assert zarr_part_of("grp/c/0", arrays) == "grp"
    assert zarr_part_of("grp/inner/zarr.json", arrays) == METADATA_PART
    assert zarr_part_of("stray.bin", arrays) == METADATA_PART


def test_the_checksum_policy():
    assert wants_content("auto", AUTO_LIMIT) and not wants_content("auto", AUTO_LIMIT + 1)
    assert wants_content("content", 10 * AUTO_LIMIT) and not wants_content("metadata", 1)
    with pytest.raises(ChecksumModeError, match="unknown checksum mode 'full'"):
        wants_content("full", 1)


# --- the graph says which -----------------------------------------------------------------

def _recorded(store, cube: URIRef) -> dict:
    dist = URIRef(str(cube) + "/distribution")
    g = store.graph(cube)
    return {"level": g.value(dist, CG.checksumLevel), "root": g.value(dist, CG.contentDigest),
            "manifest": g.value(dist, CG.contentManifest),
            "variable": {str(s).rsplit("/", 1)[-1]: str(o)
                         for s, o in g.subject_objects(CG.contentDigest) if s != dist}}


def test_ingest_records_the_digest_and_a_metadata_only_ingest_says_so(zarr3):
    store = open_store(None, base_iri="http://test.example/")
    init_store(store)
    result = ingest_cube(store, zarr3, checksum="metadata")
    assert result.ok, result.error
    recorded = _recorded(store, result.cube)
    assert recorded["level"] == Literal("metadata") and recorded["root"] is None
    # asking for content re-describes a cube recorded without it; then it is unchanged
    assert ingest_cube(store, zarr3, checksum="content").status == "replaced"
    assert ingest_cube(store, zarr3).status == "unchanged"
    recorded = _recorded(store, result.cube)
    digest = digest_content(zarr3)
    assert recorded["level"] == Literal("content") and str(recorded["root"]) == digest.root
    assert ContentDigest.from_text(str(recorded["manifest"])) == digest
    assert recorded["variable"]["q"] == digest.parts["q"]


def test_an_unknown_checksum_mode_is_refused_before_anything_is_read(tmp_path):
    store = open_store(None)
    with pytest.raises(ChecksumModeError):
        ingest_paths(store, [tmp_path], checksum="sometimes", progress=False)
    with pytest.raises(ChecksumModeError):
        ingest_cube(store, tmp_path, checksum="sometimes")


def test_a_netcdf4_digest_covers_every_byte_once_and_names_the_variable(tmp_path):
    import re

    from cubegraph.kg.records.content import HDF5_ALGORITHM, byte_range

    path = write_example(tmp_path / "example.nc", "netcdf4")
    digest = digest_content(path)
    assert digest.algorithm == HDF5_ALGORITHM
    ranges = sorted(byte_range(k) for leaves in digest.leaves.values() for k in leaves)
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size - 1
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:]))  # no gap, no overlap
    assert digest.byte_count == path.stat().st_size
    chunk = sorted(digest.leaves["q"])[0]
    first, last = byte_range(chunk)
    flip_byte(path, (first + last) // 2)
    found = differences(digest, digest_content(path))
    assert found == [f"variable 'q': chunk {chunk} changed " + found[0].split(" changed ")[1]]
    assert re.match(r"\d+\.\d+ \(bytes \d+-\d+\)$", chunk)


def test_a_classic_netcdf_file_is_hashed_in_blocks(tmp_path):
    from cubegraph.kg.records.content import NETCDF_ALGORITHM

    digest = digest_content(write_example(tmp_path / "classic.nc", "classic"))
    assert digest.algorithm == NETCDF_ALGORITHM and list(digest.leaves) == [FILE_PART]


# --- what a reviewer broke it with ---------------------------------------------------------

def test_a_symlinked_array_folder_is_hashed_through_the_link(zarr3, tmp_path):
    outside = tmp_path / "elsewhere-q"
    shutil.move(zarr3 / "q", outside)
    (zarr3 / "q").symlink_to(outside, target_is_directory=True)
    before = digest_content(zarr3)
    assert "q" in before.leaves and "q/c/0/0" in before.leaves["q"]
    flip_byte(outside / "c" / "0" / "0")
    assert any("variable 'q': chunk q/c/0/0 changed" in f
               for f in differences(before, digest_content(zarr3)))


def test_a_fifo_among_the_chunks_is_an_error_not_a_hang(zarr3):
    import os
    import threading

    from cubegraph.ingest.errors import IngestError

    os.mkfifo(zarr3 / "q" / "c" / "pipe")
    outcome = []

    def run():
        try:
            digest_content(zarr3)
        except IngestError as exc:
            outcome.append(str(exc))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(20)
    assert not t.is_alive(), "hashing blocked on a FIFO"
    assert outcome and "is not a regular file" in outcome[0]


def test_a_sharded_read_records_the_whole_shard(tmp_path):
    import numpy as np
    import zarr

    from cubegraph.ingest.cubes import open_cube, read_many
    from cubegraph.ingest.cubes.journal import journal_reads

    path = tmp_path / "sharded.zarr"
    group = zarr.open_group(str(path), mode="w", zarr_format=3)
    arr = group.create_array("v", shape=(8, 4), chunks=(2, 4), shards=(8, 4), dtype="float32",
                             dimension_names=("time", "x"))
    arr[...] = np.arange(32, dtype="float32").reshape(8, 4)
    group.create_array("time", shape=(8,), dtype="float64", dimension_names=("time",))[...] = np.arange(8.0)
    group.create_array("x", shape=(4,), dtype="float64", dimension_names=("x",))[...] = np.arange(4.0)
    zarr.consolidate_metadata(str(path))
    with journal_reads() as journal:
        var = open_cube(path).variable("v")
        read_many({"v": var.selection((slice(0, 2), slice(None)), (0, 1))})
    read = journal.digest_of(path)
    assert read is not None and "v" in read.leaves
    full = digest_content(path)
    assert read.leaves["v"] == full.leaves["v"]  # the whole shard, as ingest hashed it


def test_an_explicit_content_ingest_records_a_same_size_rewrite(zarr3):
    store = open_store(None, base_iri="http://test.example/")
    init_store(store)
    first = ingest_cube(store, zarr3)
    assert first.ok
    flip_byte(zarr3 / "q" / "c" / "0" / "0")  # same size: the cheap fingerprint is blind
    assert ingest_cube(store, zarr3).status == "unchanged"
    assert ingest_cube(store, zarr3, checksum="content").status == "replaced"
    assert ingest_cube(store, zarr3, checksum="content").status == "unchanged"
    assert str(_recorded(store, first.cube)["root"]) == digest_content(zarr3).root
