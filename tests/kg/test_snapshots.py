"""Snapshots of an on-disk store for reader processes (issue 14): a reader opens a copy that
nothing writes to again, holding every write up to the generation it asked for; a snapshot
is taken only when the newest is too old and deleted once no one holds it."""

from __future__ import annotations

import pytest

from cubegraph.kg import open_store
from cubegraph.kg.snapshots import Snapshots

G = "http://ex.org/g"


def insert(store, n: int) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://ex.org/s{n}> <http://ex.org/p> {n} }} }}")


def count(path: str) -> int:
    with open_store(path, read_only=True) as reader:
        rows = reader.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"])


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store")
    yield s
    s.close()


def test_a_snapshot_holds_the_writes_up_to_its_generation_and_no_later_one(store):
    snaps = Snapshots(store)
    insert(store, 1)
    first = snaps.acquire(1)
    assert count(first) == 1
    assert snaps.acquire(1) == first  # nothing newer asked: the same one
    insert(store, 2)
    second = snaps.acquire(2)
    assert second != first and count(second) == 2
    assert count(first) == 1  # a snapshot never changes
    snaps.close()


def test_a_snapshot_is_deleted_once_no_one_holds_it_and_a_newer_exists(store, tmp_path):
    snaps = Snapshots(store)
    insert(store, 1)
    old = snaps.acquire(1)
    snaps.retain(old)  # a worker opened it
    insert(store, 2)
    new = snaps.acquire(2)
    snaps.release(old)  # the job is done, the worker still holds it
    assert (tmp_path / ".store.snapshots").is_dir() and len(snaps) == 2
    snaps.release(old)  # the worker moved on
    assert len(snaps) == 1
    assert not list((tmp_path / ".store.snapshots").glob(old.rsplit("/", 1)[-1]))
    snaps.release(new)
    assert len(snaps) == 1  # the newest stays for the next reader
    snaps.close()
    assert not (tmp_path / ".store.snapshots").exists()


def test_leftovers_of_a_crashed_server_are_cleared(store, tmp_path):
    stale = tmp_path / ".store.snapshots" / "00000003"
    stale.mkdir(parents=True)
    Snapshots(store).close()
    assert not stale.exists()


def test_only_a_writable_on_disk_store_has_snapshots(tmp_path):
    with open_store(None) as memory, pytest.raises(ValueError):
        Snapshots(memory)


def test_a_snapshot_follows_the_store_when_its_files_are_laid_out_anew(store):
    """RocksDB moves and merges table files in the background (after it opens, after
    writes); a snapshot taken before reads slower than the store for as long as it is used,
    so the next reader gets a new one once the layout changed (no write needed)."""
    import time

    from cubegraph.kg.snapshots import LAYOUT_CHECK

    snaps = Snapshots(store)
    insert(store, 1)
    first = snaps.acquire(1)
    snaps.release(first)
    time.sleep(LAYOUT_CHECK + 0.1)
    assert snaps.acquire(1) == first  # nothing moved: the same one (looked, unchanged)
    before = store.layout()
    store._ox.optimize()  # what a background compaction does, at once (pyoxigraph)
    assert store.layout() != before
    time.sleep(LAYOUT_CHECK + 0.1)
    again = snaps.acquire(0)
    assert again != first and count(again) == 1
    assert snaps.acquire(1) == again  # it holds generation 1's writes: no other one
