"""The read journal: the stored bytes a reader takes, hashed as they are read."""

from __future__ import annotations

import pytest
from tests_support import write_example

from cubegraph.ingest.content import digest_content
from cubegraph.ingest.cubes import open_cube, read_many
from cubegraph.ingest.cubes.journal import active_journal, journal_reads


def read_all(path, names):
    cube = open_cube(path)
    reads = {}
    for name in names:
        var = cube.variable(name)
        reads[name] = var.selection(tuple(slice(None) for _ in var.dims),
                                    tuple(range(len(var.dims))))
    return read_many(reads)


@pytest.mark.parametrize("kind", ["zarr2", "zarr3"])
def test_a_zarr_read_records_each_piece_it_read_as_ingest_hashed_it(tmp_path, kind):
    path = write_example(tmp_path / f"example_{kind}.zarr", kind)
    with journal_reads() as journal:
        assert active_journal() is journal
        read_all(path, ["q"])
    assert active_journal() is None
    read = journal.digest_of(path)
    assert read is not None and "q" in read.leaves
    full = digest_content(path)
    assert read == full.restricted({p: set(v) for p, v in read.leaves.items()})
    # nothing is recorded outside a journal, and the same group reads plainly again
    read_all(path, ["q"])
    assert journal.digest_of(path) == read


def test_a_netcdf_read_records_the_file_tree(tmp_path):
    path = write_example(tmp_path / "example.nc", "netcdf4")
    with journal_reads() as journal:
        read_all(path, ["q"])
    assert journal.digest_of(path) == digest_content(path)
    assert "q" in journal.digest_of(path).leaves


def test_one_journal_at_a_time():
    with journal_reads():
        with pytest.raises(RuntimeError, match="already open"):
            with journal_reads():
                pass
    with journal_reads():  # closed cleanly: a new one opens
        pass
